"""Pages anyone may read: the accessibility statement and its problem report form."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..auth_backends import client_ip
from ..forms import AccessibilityReportForm
from ..tasks import send_email


# When the accessibility of the service was last assessed: update with each review.
ACCESSIBILITY_ASSESSED_ON = datetime.date(2026, 11, 23)


# The form is open to anyone: a few reports an hour from one address, so it cannot be used
# to flood the record and the contact's inbox.
REPORTS_PER_HOUR = 5


def report_limit_key(address: str) -> str:
    return f"accessibility-reports:{address}"


def _report_limit_reached(request, form) -> bool:
    key = report_limit_key(client_ip(request))
    cache.add(key, 0, timeout=60 * 60)
    if cache.incr(key) <= REPORTS_PER_HOUR:
        return False
    form.add_error(
        None,
        _("You have sent several reports in a short time. Wait an hour, or write to %(email)s.")
        % {"email": settings.ACCESSIBILITY_CONTACT_EMAIL},
    )
    return True


@login_not_required
@require_http_methods(["GET", "POST"])
def accessibility(request):
    """The accessibility statement (*tillgänglighetsredogörelse*), public as the law requires."""
    form = AccessibilityReportForm(request.POST or None, initial={"page": request.GET.get("sida", "")[:300]})
    if request.method == "POST" and form.is_valid() and not _report_limit_reached(request, form):
        report = form.save(commit=False)
        if request.user.is_authenticated:
            report.user = request.user
            report.email = report.email or request.user.email
        report.save()
        send_email.delay_on_commit(
            subject=_("Accessibility problem reported in SKA"),
            body=f"{report.description}\n\n{report.page}\n{report.name} {report.email}",
            to=[settings.ACCESSIBILITY_CONTACT_EMAIL],
        )
        messages.success(
            request,
            _("Thank you. Your report has been received. If you gave your e-mail address, we answer within two weeks."),
        )
        return redirect("accessibility")
    return render(
        request,
        "ska/accessibility.html",
        {
            "form": form,
            "contact_email": settings.ACCESSIBILITY_CONTACT_EMAIL,
            "assessed_on": ACCESSIBILITY_ASSESSED_ON,
            "updated_on": ACCESSIBILITY_ASSESSED_ON,
        },
    )
