"""The page for a failed request: 503 when the database cannot be reached, else the 500 page.

Django calls ``server_error`` (``handler500`` in ska/urls.py) for any exception a view or a
middleware did not handle, from inside the ``except`` block, so the exception is at hand. A lost
or refused database connection (also one that fails while the session or the logged-in person
is being read) is an outage, not a bug: the person gets a friendly page with status 503 and
``Retry-After``, and a load balancer sees a temporary failure. Both pages are rendered without
a request context: no context processor, no menu, nothing that asks the database.
"""

from __future__ import annotations

import sys

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponseServerError
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

RETRY_AFTER_SECONDS = 30


def is_database_outage(error: BaseException | None) -> bool:
    """Whether the error means the database cannot be reached right now (not a bug in a query:
    an integrity or programming error is still a 500)."""
    return isinstance(error, (OperationalError, InterfaceError)) or type(error) is DatabaseError


@requires_csrf_token
def server_error(request, template_name="500.html"):
    if is_database_outage(sys.exc_info()[1]):
        body = loader.get_template("503.html").render(
            {"retry_after": RETRY_AFTER_SECONDS, "sent": request.method not in ("GET", "HEAD")}
        )
        response = HttpResponseServerError(body, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
    return HttpResponseServerError(loader.get_template(template_name).render())
