"""Single sign-on with OpenID Connect, against a real provider on a loopback port: the login
page's button, the round trip through the provider's login form, matching by e-mail address,
the refusals (explained on the login page), logout, and the password login beside it."""

import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
import pytest
import requests
from axes.models import AccessAttempt
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth.signals import user_logged_in
from django.test import Client
from django.urls import reverse
from oidc_provider_mock import User as ProviderUser

from ska.models import AuditEvent

from ..factories import PASSWORD
from ..oidc_provider import running_provider

ROOT = Path(__file__).resolve().parents[2]
KARIN_EMAIL = "Karin.Holm@ekvalla.example"

PROVIDER_PEOPLE = [
    # The provider spells the address differently from SKA: matching ignores case.
    ProviderUser(sub="karin", claims={"email": "karin.holm@EKVALLA.example", "name": "Karin Holm"}),
    ProviderUser(sub="okand", claims={"email": "okand@ekvalla.example"}),
    ProviderUser(sub="utan-epost", claims={"name": "Utan Epost"}),
    # Like Microsoft Entra ID without the optional e-mail claim: the address is the user name.
    ProviderUser(sub="entra-karin", claims={"preferred_username": "KARIN.HOLM@ekvalla.example"}),
    # The provider says itself that it has not checked the address.
    ProviderUser(sub="overifierad", claims={"email": "karin.holm@ekvalla.example", "email_verified": False}),
]


@pytest.fixture(scope="module")
def provider():
    with running_provider(PROVIDER_PEOPLE) as running:
        yield running


@pytest.fixture
def sso(settings, provider):
    provider.configure(settings)
    return provider


@pytest.fixture
def karin(people):
    people.rector.email = KARIN_EMAIL
    people.rector.save()
    return people.rector


def start_login(client, provider, next_url=None):
    """Click the login page's button: SKA sends the browser to the provider's login."""
    url = reverse("oidc_authentication_init") + (f"?next={next_url}" if next_url else "")
    response = client.get(url)
    assert response.status_code == 302, response
    assert response.url.startswith(f"{provider.url}/oauth2/authorize?"), response.url
    return response.url


def provider_login(authorize_url, sub, action=None):
    """Log in at the provider: its form, filled in with the person's sub. Returns the address
    the provider sends the browser back to."""
    form = requests.get(authorize_url, timeout=10)
    assert form.status_code == 200 and 'name="sub"' in form.text, form.text
    data = {"action": action} if action else {"sub": sub}
    answer = requests.post(authorize_url, data=data, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def sso_login(client, provider, sub, next_url=None):
    callback = provider_login(start_login(client, provider, next_url), sub)
    assert callback.startswith("http://testserver/oidc/callback/?"), callback
    return client.get(callback)


def logged_in_user_id(client):
    return client.session.get("_auth_user_id")


def messages_on_login_page(client, response):
    assert response.status_code == 302 and response.url == reverse("login"), response
    return client.get(response.url).content.decode()


# --- The login page -----------------------------------------------------------------------------


def test_without_configuration_there_is_no_button_and_the_addresses_answer_404(db):
    client = Client()
    body = client.get(reverse("login")).content.decode()
    assert reverse("oidc_authentication_init") not in body
    assert "Logga in med kommunens konto" not in body
    assert client.get(reverse("oidc_authentication_init")).status_code == 404
    assert client.get(reverse("oidc_authentication_callback") + "?code=x&state=y").status_code == 404


def test_the_login_page_offers_the_button_beside_the_password_form(sso, db):
    body = Client().get(reverse("login") + "?next=/enheter/").content.decode()
    assert 'href="/oidc/authenticate/?next=/enheter/"' in body
    assert "Logga in med kommunens konto" in body
    assert 'id="id_password"' in body


def test_the_button_label_can_name_the_provider(sso, settings, db):
    settings.OIDC_LOGIN_LABEL = "Logga in med Ekvalla-ID"
    body = Client().get(reverse("login")).content.decode()
    assert "Logga in med Ekvalla-ID" in body
    assert "Logga in med kommunens konto" not in body


# --- Logging in ---------------------------------------------------------------------------------


def test_single_sign_on_logs_the_person_in_by_e_mail_address_with_their_roles(sso, karin, org):
    logins = []

    def record(sender, user, **kwargs):
        logins.append(user)

    user_logged_in.connect(record)
    try:
        client = Client()
        response = sso_login(client, sso, "karin")
    finally:
        user_logged_in.disconnect(record)

    assert response.status_code == 302 and response.url == reverse("start")
    assert logged_in_user_id(client) == str(karin.pk)
    assert logins == [karin]
    # Her roles are SKA's: her own unit, and not another one.
    start = client.get(reverse("start")).content.decode()
    assert "Mina enheter" in start and "Österportskolan" in start and "Västervångskolan" not in start
    assert client.get(reverse("unit_detail", args=[org.unit.pk])).status_code == 200
    assert client.get(reverse("unit_detail", args=[org.other_unit.pk])).status_code == 404
    # Nothing about her was changed from the provider's claims.
    karin.refresh_from_db()
    assert karin.email == KARIN_EMAIL


def test_single_sign_on_returns_to_the_page_asked_for(sso, karin, org):
    client = Client()
    wanted = reverse("unit_detail", args=[org.unit.pk])
    response = sso_login(client, sso, "karin", next_url=wanted)
    assert response.status_code == 302 and response.url == wanted


def _configure_one_by_one(settings, provider, **overrides):
    provider.configure(
        settings,
        OIDC_OP_DISCOVERY_URL="",
        OIDC_OP_AUTHORIZATION_ENDPOINT=f"{provider.url}/oauth2/authorize",
        OIDC_OP_TOKEN_ENDPOINT=f"{provider.url}/oauth2/token",
        OIDC_OP_USER_ENDPOINT=f"{provider.url}/userinfo",
        OIDC_OP_JWKS_ENDPOINT=f"{provider.url}/jwks",
        **overrides,
    )


def test_the_endpoints_may_be_configured_one_by_one(settings, provider, karin):
    _configure_one_by_one(settings, provider, OIDC_OP_ISSUER=provider.url)
    client = Client()
    assert sso_login(client, provider, "karin").status_code == 302
    assert logged_in_user_id(client) == str(karin.pk)


def test_configured_one_by_one_a_token_from_another_issuer_is_refused(settings, provider, karin):
    _configure_one_by_one(settings, provider, OIDC_OP_ISSUER="https://login.example.org/another-tenant/v2.0")
    client = Client()
    response = sso_login(client, provider, "karin")
    assert logged_in_user_id(client) is None
    assert "Inloggningen med kommunens konto lyckades inte" in messages_on_login_page(client, response)


def test_an_address_outside_the_allowed_domains_is_refused(sso, settings, karin):
    settings.OIDC_ALLOWED_EMAIL_DOMAINS = ["skola.ekvalla.example", "ekvalla.se"]
    client = Client()
    response = sso_login(client, sso, "karin")
    assert logged_in_user_id(client) is None
    body = messages_on_login_page(client, response)
    assert "SKA godtar inte kommunens inloggning för karin.holm@EKVALLA.example. Kontakta din administratör." in body
    # Her own domain, whatever its case, lets her in.
    settings.OIDC_ALLOWED_EMAIL_DOMAINS = ["ekvalla.se", "ekvalla.example"]
    sso_login(client, sso, "karin")
    assert logged_in_user_id(client) == str(karin.pk)


def test_an_off_site_next_address_is_not_followed(sso, karin):
    for off_site in ["https://evil.example/", "//evil.example/"]:
        client = Client()
        response = sso_login(client, sso, "karin", next_url=off_site)
        assert logged_in_user_id(client) == str(karin.pk)
        assert response.status_code == 302 and response.url == reverse("start"), off_site


def test_the_e_mail_claim_is_configurable_for_entra_id(sso, settings, karin):
    settings.OIDC_EMAIL_CLAIM = "preferred_username"
    client = Client()
    sso_login(client, sso, "entra-karin")
    assert logged_in_user_id(client) == str(karin.pk)


def test_the_password_login_still_works_beside_single_sign_on(sso, karin):
    client = Client()
    response = client.post(reverse("login"), {"username": "rektor", "password": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("start")
    assert logged_in_user_id(client) == str(karin.pk)


# --- Refusals -----------------------------------------------------------------------------------


def test_an_unknown_e_mail_address_is_refused_with_a_message(sso, karin):
    client = Client()
    response = sso_login(client, sso, "okand")
    assert logged_in_user_id(client) is None
    body = messages_on_login_page(client, response)
    assert "Det finns inget konto i SKA för okand@ekvalla.example. Kontakta din administratör." in body
    assert client.get(reverse("start")).status_code == 302


def test_an_inactive_account_is_refused_with_a_message(sso, karin):
    karin.is_active = False
    karin.save()
    client = Client()
    response = sso_login(client, sso, "karin")
    assert logged_in_user_id(client) is None
    body = messages_on_login_page(client, response)
    assert "Ditt konto i SKA (karin.holm@EKVALLA.example) är inte aktivt. Kontakta din administratör." in body


def test_an_address_the_provider_has_not_verified_is_refused(sso, karin):
    client = Client()
    response = sso_login(client, sso, "overifierad")
    assert logged_in_user_id(client) is None
    body = messages_on_login_page(client, response)
    assert "Kommunens inloggning har inte bekräftat din e-postadress karin.holm@ekvalla.example." in body


def test_a_provider_that_gives_no_e_mail_address_is_refused(sso, karin):
    client = Client()
    response = sso_login(client, sso, "utan-epost")
    assert logged_in_user_id(client) is None
    body = messages_on_login_page(client, response)
    assert "Kommunens inloggning gav inte SKA din e-postadress. Kontakta din administratör." in body


def test_a_login_cancelled_at_the_provider_is_explained(sso, karin):
    client = Client()
    callback = provider_login(start_login(client, sso), None, action="deny")
    assert "error=access_denied" in callback
    response = client.get(callback)
    assert logged_in_user_id(client) is None
    body = messages_on_login_page(client, response)
    assert "Inloggningen med kommunens konto lyckades inte. Försök igen, eller logga in med ditt lösenord." in body


def test_a_forged_or_replayed_callback_logs_nobody_in(sso, karin):
    client = Client()
    callback = provider_login(start_login(client, sso), "karin")
    # Another browser (no state in its session) cannot use the code.
    thief = Client()
    response = thief.get(callback)
    assert logged_in_user_id(thief) is None
    assert "Inloggningen med kommunens konto lyckades inte" in messages_on_login_page(thief, response)
    # A made-up state in the right browser is refused too, not answered with an error page.
    start_login(client, sso)
    forged = client.get(reverse("oidc_authentication_callback") + "?code=abc&state=forged")
    assert logged_in_user_id(client) is None
    assert "Inloggningen med kommunens konto lyckades inte" in messages_on_login_page(client, forged)


def test_a_provider_that_cannot_be_reached_is_explained(sso, settings, db):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.OIDC_OP_DISCOVERY_URL = f"http://127.0.0.1:{closed_port}/.well-known/openid-configuration"
    client = Client()
    response = client.get(reverse("oidc_authentication_init"))
    body = messages_on_login_page(client, response)
    assert "Kommunens inloggning går inte att nå just nu. Försök igen senare, eller logga in med ditt lösenord." in body


# --- Refusals in the audit log ------------------------------------------------------------------


def _failed_logins():
    return list(AuditEvent.objects.filter(kind=AuditEvent.Kind.LOGIN_FAILED).order_by("pk"))


def test_a_refusal_is_logged_with_the_address_and_the_reason(sso, karin):
    sso_login(Client(REMOTE_ADDR="10.4.4.4"), sso, "okand")
    [failed] = _failed_logins()  # one row, not also Django's nameless failed login
    assert (failed.subject, failed.subject_name, failed.ip_address) == (None, "okand@ekvalla.example", "10.4.4.4")
    assert failed.description == "Inloggning med kommunens konto: inget konto har den här e-postadressen."


def test_a_refusal_of_an_inactive_account_names_the_account(sso, karin):
    karin.is_active = False
    karin.save()
    sso_login(Client(), sso, "karin")
    [failed] = _failed_logins()
    assert failed.subject == karin and failed.subject_name.endswith("(rektor)")
    assert failed.description == "Inloggning med kommunens konto: kontot är inte aktivt."


def test_refusals_without_an_address_are_logged_with_their_reason(sso, settings, karin):
    sso_login(Client(), sso, "utan-epost")
    settings.OIDC_ALLOWED_EMAIL_DOMAINS = ["ekvalla.se"]
    sso_login(Client(), sso, "karin")
    client = Client()
    client.get(provider_login(start_login(client, sso), None, action="deny"))
    client.get(reverse("oidc_authentication_callback") + "?code=abc&state=forged")
    assert [(e.subject_name, e.description) for e in _failed_logins()] == [
        ("", "Inloggning med kommunens konto: identitetsleverantören gav ingen e-postadress."),
        ("karin.holm@EKVALLA.example", "Inloggning med kommunens konto: e-postadressen hör inte till en tillåten domän."),
        ("", "Inloggning med kommunens konto: avbruten eller nekad hos identitetsleverantören."),
        ("", "Inloggning med kommunens konto: svaret hör inte till en inloggning som påbörjats i den här webbläsaren."),
    ]
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.LOGIN).exists()


def test_refused_single_sign_on_logins_lock_nobody_out(sso, karin):
    client = Client(REMOTE_ADDR="10.9.8.7")
    for _ in range(7):
        sso_login(client, sso, "okand")
    assert AccessAttempt.objects.count() == 0
    # Neither single sign-on from that address nor the password form is locked.
    sso_login(client, sso, "karin")
    assert logged_in_user_id(client) == str(karin.pk)
    other = Client(REMOTE_ADDR="10.9.8.7")
    assert other.post(reverse("login"), {"username": "rektor", "password": PASSWORD}).status_code == 302


def test_a_deactivated_account_loses_its_single_sign_on_session(sso, karin):
    client = Client()
    sso_login(client, sso, "karin")
    assert client.get(reverse("start")).status_code == 200
    karin.is_active = False
    karin.save()
    assert client.get(reverse("start")).status_code == 302


# --- A provider that answers wrongly ------------------------------------------------------------


class ScriptedProvider:
    """A provider on a loopback port whose answers a test sets, wrong ones included: what an
    honest provider never sends (a token for another client or from another issuer, a token
    without a key id, user info about someone else) is what SKA must refuse. Its ID tokens are
    signed with its own RSA key; the login itself is skipped (the test follows SKA's redirect
    only to read its state and nonce)."""

    def __init__(self, url):
        self.url = url
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.discovery = {
            "issuer": url,
            "authorization_endpoint": f"{url}/oauth2/authorize",
            "token_endpoint": f"{url}/oauth2/token",
            "userinfo_endpoint": f"{url}/userinfo",
            "jwks_uri": f"{url}/jwks",
        }
        self.header = {"kid": "key-1"}
        self.keys = [self.public_jwk("key-1")]
        self.claims = {"iss": url, "aud": "ska", "sub": "karin", "email": KARIN_EMAIL}
        self.userinfo = {"sub": "karin", "email": KARIN_EMAIL}
        self.nonce = None

    def public_jwk(self, kid=None, key=None):
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk((key or self.key).public_key(), as_dict=True)
        jwk.update({"use": "sig", "alg": "RS256"})
        if kid:
            jwk["kid"] = kid
        return jwk

    def id_token(self):
        now = int(time.time())
        claims = {"iat": now, "exp": now + 300, "nonce": self.nonce, **self.claims}
        return jwt.encode(claims, self.key, algorithm="RS256", headers=self.header)

    def answer(self, method, path):
        if method == "GET" and path == "/.well-known/openid-configuration":
            return self.discovery
        if method == "GET" and path == "/jwks":
            return {"keys": self.keys}
        if method == "POST" and path == "/oauth2/token":
            return {"access_token": "access", "token_type": "Bearer", "expires_in": 300, "id_token": self.id_token()}
        if method == "GET" and path == "/userinfo":
            return self.userinfo
        return None


@pytest.fixture
def scripted(settings, db):
    handler_provider = {}

    class Handler(BaseHTTPRequestHandler):
        def _reply(self, method):
            if method == "POST":
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = handler_provider["p"].answer(method, urlparse(self.path).path)
            self.send_response(404 if body is None else 200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(json.dumps(body).encode())

        def do_GET(self):
            self._reply("GET")

        def do_POST(self):
            self._reply("POST")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    provider = handler_provider["p"] = ScriptedProvider(f"http://127.0.0.1:{server.server_port}")
    settings.OIDC_RP_CLIENT_ID = "ska"
    settings.OIDC_RP_CLIENT_SECRET = "ska-secret"
    settings.OIDC_OP_DISCOVERY_URL = f"{provider.url}/.well-known/openid-configuration"
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "ska.oidc.OIDCBackend"]
    try:
        yield provider
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def scripted_login(client, provider):
    """Start the login at SKA, and come back with the provider's code for that login."""
    query = parse_qs(urlparse(start_login(client, provider)).query)
    provider.nonce = query["nonce"][0]
    callback = reverse("oidc_authentication_callback") + "?" + urlencode({"code": "code", "state": query["state"][0]})
    return client.get(callback)


def assert_refused(client, response):
    assert logged_in_user_id(client) is None
    assert "Inloggningen med kommunens konto lyckades inte" in messages_on_login_page(client, response)
    [failed] = _failed_logins()
    assert failed.description == (
        "Inloggning med kommunens konto: identitetsleverantörens svar godtogs inte eller kunde inte hämtas."
    )


def test_the_scripted_provider_logs_in_when_its_answers_are_right(scripted, karin):
    # An ID token for SKA among others, and user info about the same person.
    scripted.claims["aud"] = ["another-client", "ska"]
    client = Client()
    assert scripted_login(client, scripted).status_code == 302
    assert logged_in_user_id(client) == str(karin.pk)


def test_an_id_token_issued_to_another_client_is_refused(scripted, karin):
    scripted.claims["aud"] = "another-client"
    client = Client()
    assert_refused(client, scripted_login(client, scripted))


def test_an_id_token_from_another_issuer_is_refused(scripted, karin):
    # E.g. another Entra ID tenant: the token is signed by the same keys, but is not the municipality's.
    scripted.claims["iss"] = "https://login.example.org/another-tenant/v2.0"
    client = Client()
    assert_refused(client, scripted_login(client, scripted))


def test_a_token_without_a_key_id_uses_the_providers_one_key(scripted, karin):
    scripted.header = {}
    scripted.keys = [scripted.public_jwk()]
    client = Client()
    scripted_login(client, scripted)
    assert logged_in_user_id(client) == str(karin.pk)


def test_a_token_without_a_key_id_is_refused_when_the_provider_has_several_keys(scripted, karin):
    scripted.header = {}
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    scripted.keys = [scripted.public_jwk(), scripted.public_jwk(key=other)]
    client = Client()
    assert_refused(client, scripted_login(client, scripted))


def test_a_token_signed_with_another_key_is_refused(scripted, karin):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    scripted.keys = [scripted.public_jwk("key-1", key=other)]
    client = Client()
    assert_refused(client, scripted_login(client, scripted))


def test_user_info_about_another_person_is_refused(scripted, karin):
    scripted.userinfo = {"sub": "someone-else", "email": KARIN_EMAIL}
    client = Client()
    assert_refused(client, scripted_login(client, scripted))


def test_a_discovery_document_without_the_keys_address_is_explained_not_an_error(scripted, karin):
    del scripted.discovery["jwks_uri"]
    client = Client()
    assert_refused(client, scripted_login(client, scripted))


def test_a_discovery_document_without_the_login_address_is_explained_not_an_error(scripted, karin):
    del scripted.discovery["authorization_endpoint"]
    client = Client()
    response = client.get(reverse("oidc_authentication_init"))
    assert "Inloggningen med kommunens konto lyckades inte" in messages_on_login_page(client, response)


# --- Logging out --------------------------------------------------------------------------------


def test_logout_ends_the_session(sso, karin):
    client = Client()
    sso_login(client, sso, "karin")
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response.url == reverse("login")
    assert logged_in_user_id(client) is None


def test_logout_also_at_the_provider_when_configured(sso, settings, karin):
    settings.OIDC_OP_LOGOUT_ENDPOINT = f"{sso.url}/oauth2/end_session"
    client = Client()
    sso_login(client, sso, "karin")
    response = client.post(reverse("logout"))
    assert logged_in_user_id(client) is None
    assert response.status_code == 302 and response.url.startswith(f"{sso.url}/oauth2/end_session?")
    query = parse_qs(urlparse(response.url).query)
    assert query["post_logout_redirect_uri"] == ["http://testserver/konto/logga-in/"]
    assert query["client_id"] == ["ska"] and query["id_token_hint"][0].count(".") == 2
    # The provider's logout page, then back to SKA's login page.
    page = requests.get(response.url, timeout=10)
    assert page.status_code == 200 and "http://testserver/konto/logga-in/" in page.text


def test_a_password_login_logs_out_only_in_ska(sso, settings, karin):
    settings.OIDC_OP_LOGOUT_ENDPOINT = f"{sso.url}/oauth2/end_session"
    client = Client()
    client.post(reverse("login"), {"username": "rektor", "password": PASSWORD})
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response.url == reverse("login")


# --- Configuration ------------------------------------------------------------------------------

_OIDC_ENV = {
    "OIDC_RP_CLIENT_ID": "ska",
    "OIDC_RP_CLIENT_SECRET": "ska-secret",
    "OIDC_OP_DISCOVERY_URL": "https://login.example.org/tenant/v2.0/.well-known/openid-configuration",
    "OIDC_OP_LOGOUT_ENDPOINT": "https://login.example.org/tenant/oauth2/v2.0/logout",
}


def _run(args, **variables):
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("OIDC_", "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG"))
    }
    env.update(variables)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_configured_settings_turn_on_the_backend_and_allow_the_provider_logout():
    result = _run(
        [
            "shell",
            "-c",
            "from django.conf import settings as s; "
            "print(s.AUTHENTICATION_BACKENDS[-1]); print(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action']); "
            "print(s.OIDC_ALLOWED_EMAIL_DOMAINS)",
        ],
        OIDC_ALLOWED_EMAIL_DOMAINS=" @Ekvalla.se , skola.ekvalla.se",
        **_OIDC_ENV,
    )
    assert result.returncode == 0, result.stderr
    assert "ska.oidc.OIDCBackend" in result.stdout
    assert "'https://login.example.org'" in result.stdout
    assert "['ekvalla.se', 'skola.ekvalla.se']" in result.stdout


def test_a_client_id_without_a_provider_stops_the_start():
    result = _run(["check"], OIDC_RP_CLIENT_ID="ska", OIDC_RP_CLIENT_SECRET="x")
    assert result.returncode != 0
    assert "set OIDC_OP_DISCOVERY_URL" in result.stderr


def test_deploy_check_stays_clean_with_single_sign_on():
    result = _run(
        ["check", "--deploy", "--fail-level", "WARNING"],
        SKA_PRODUCTION="1",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="ska.example.org",
        **_OIDC_ENV,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output, output
