"""A real OpenID Connect provider (oidc-provider-mock) on a loopback port, for single sign-on
tests. Its login page is a form where one types the person's ``sub``; the predefined people
answer with the claims given here."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import oidc_provider_mock
from werkzeug.serving import make_server


@dataclass(frozen=True)
class Provider:
    url: str

    @property
    def discovery_url(self) -> str:
        return f"{self.url}/.well-known/openid-configuration"

    def configure(self, settings, **overrides) -> None:
        """Turn single sign-on on in the Django settings (pytest-django's ``settings``), as the
        environment variables would."""
        settings.OIDC_RP_CLIENT_ID = "ska"
        settings.OIDC_RP_CLIENT_SECRET = "ska-secret"
        settings.OIDC_OP_DISCOVERY_URL = self.discovery_url
        if "ska.oidc.OIDCBackend" not in settings.AUTHENTICATION_BACKENDS:
            settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "ska.oidc.OIDCBackend"]
        for name, value in overrides.items():
            setattr(settings, name, value)


@contextmanager
def running_provider(people: Sequence[oidc_provider_mock.User]) -> Iterator[Provider]:
    previous = os.environ.get("AUTHLIB_INSECURE_TRANSPORT")
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # plain HTTP on loopback
    server = make_server("127.0.0.1", 0, oidc_provider_mock.app(user_claims=people), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield Provider(url=f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
        if previous is None:
            os.environ.pop("AUTHLIB_INSECURE_TRANSPORT", None)
        else:
            os.environ["AUTHLIB_INSECURE_TRANSPORT"] = previous
