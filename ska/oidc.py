"""Single sign-on with the municipality's identity provider (OpenID Connect, e.g. Microsoft Entra ID).

Optional: on only when ``OIDC_RP_CLIENT_ID`` is set, beside the password login. The provider
tells who the person is; SKA matches that to an existing, active account by e-mail address
(case-insensitive) and never creates accounts or takes roles from the provider: who may do what
is kept in SKA. Built on mozilla-django-oidc; its views and backend are subclassed here so that

- the provider's endpoints may come from its discovery document (``OIDC_OP_DISCOVERY_URL``),
  fetched on first use rather than at start-up, so that a provider that is down never stops
  SKA (or its password login) from starting;
- the ID token must come from the configured provider (its ``iss`` is the discovery document's
  issuer, or ``OIDC_OP_ISSUER``) and be issued to SKA (``aud``); with ``OIDC_ALLOWED_EMAIL_DOMAINS``
  only the municipality's own e-mail domains are matched to accounts;
- a refused login ends on the login page with a message saying why, never on an error page, and
  is written to the audit log with the provider's e-mail address and the reason;
- failed single sign-on attempts are not counted by django-axes, whose lock-out is for guessed
  passwords (see ``is_single_sign_on_callback``).
"""

import logging
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.generic import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from . import audit

LOGGER = logging.getLogger(__name__)

# Settings that, left empty, are read from the provider's discovery document.
DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}
DISCOVERY_CACHE_SECONDS = 60 * 60
CALLBACK_URL_NAME = "oidc_authentication_callback"


def oidc_enabled() -> bool:
    return bool(getattr(settings, "OIDC_RP_CLIENT_ID", ""))


def provider_metadata() -> dict:
    """The provider's discovery document (``.well-known/openid-configuration``), or {} when
    the endpoints are configured one by one. Kept in the cache for an hour."""
    url = getattr(settings, "OIDC_OP_DISCOVERY_URL", "")
    if not url:
        return {}
    key = f"ska-oidc-discovery:{url}"
    metadata = cache.get(key)
    if metadata is None:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        metadata = response.json()
        cache.set(key, metadata, DISCOVERY_CACHE_SECONDS)
    return metadata


def oidc_setting(name, *default):
    """A setting for mozilla-django-oidc: the configured value, or for an endpoint left empty,
    the provider's discovery document's."""
    value = import_from_settings(name, *default)
    if name in DISCOVERED and not value:
        value = provider_metadata().get(DISCOVERED[name], "")
        if not value and name != "OIDC_OP_USER_ENDPOINT":
            raise ImproperlyConfigured(f"{name} is neither configured nor in the provider's discovery document.")
    return value


def expected_issuer() -> str:
    """The ``iss`` the provider's ID tokens must carry: ``OIDC_OP_ISSUER``, or the discovery
    document's issuer; "" when neither is known (endpoints configured one by one without it)."""
    configured = getattr(settings, "OIDC_OP_ISSUER", "")
    return configured or provider_metadata().get("issuer", "")


def email_domain_allowed(email: str) -> bool:
    allowed = [domain.lower() for domain in getattr(settings, "OIDC_ALLOWED_EMAIL_DOMAINS", [])]
    return not allowed or email.rpartition("@")[2].lower() in allowed


def is_single_sign_on_callback(request, credentials) -> bool:
    """django-axes' whitelist: attempts on the single sign-on callback are neither counted nor
    locked out. They carry no password to guess; the provider throttles its own logins; and
    counted, they would all fall on one empty user name per address, so that a few people
    without an account behind the municipality's proxy would lock everyone else out of it."""
    return request is not None and request.path == reverse(CALLBACK_URL_NAME)


# --- Why a login was refused: shown on the login page, written to the audit log ---------------

# Reasons for the audit log (translated there, into the product's language).
NO_EMAIL = gettext_noop("Single sign-on: the provider gave no e-mail address.")
UNVERIFIED_EMAIL = gettext_noop("Single sign-on: the provider has not verified the e-mail address.")
DOMAIN_NOT_ALLOWED = gettext_noop("Single sign-on: the e-mail address is not in an allowed domain.")
NO_ACCOUNT = gettext_noop("Single sign-on: no account with this e-mail address.")
INACTIVE_ACCOUNT = gettext_noop("Single sign-on: the account is not active.")
ANSWER_REFUSED = gettext_noop("Single sign-on: the provider's answer was refused or could not be fetched.")
CANCELLED = gettext_noop("Single sign-on: cancelled or refused at the provider.")
NOT_STARTED_HERE = gettext_noop("Single sign-on: the answer does not belong to a login started in this browser.")


def _refuse(request, message: str, reason: str, email: str = "", account=None):
    request.ska_oidc_refusal = message
    audit.single_sign_on_refused(request, reason, email=email, account=account)
    return None


def _unsuccessful() -> str:
    return _("Logging in with the municipality's account did not succeed. Try again, or log in with your password.")


def _setting_property(name, *default):
    return property(lambda self: oidc_setting(name, *default))


class OIDCBackend(OIDCAuthenticationBackend):
    """Matches the provider's person to an active SKA account by e-mail address."""

    get_settings = staticmethod(oidc_setting)
    # Read when used, not when the backend is built: Django builds every backend for every
    # login attempt, password logins included, which must not wait for the provider.
    OIDC_OP_TOKEN_ENDPOINT = _setting_property("OIDC_OP_TOKEN_ENDPOINT")
    OIDC_OP_USER_ENDPOINT = _setting_property("OIDC_OP_USER_ENDPOINT", "")
    OIDC_OP_JWKS_ENDPOINT = _setting_property("OIDC_OP_JWKS_ENDPOINT")
    OIDC_RP_CLIENT_ID = _setting_property("OIDC_RP_CLIENT_ID")
    OIDC_RP_CLIENT_SECRET = _setting_property("OIDC_RP_CLIENT_SECRET")
    OIDC_RP_SIGN_ALGO = _setting_property("OIDC_RP_SIGN_ALGO", "RS256")
    OIDC_RP_IDP_SIGN_KEY = _setting_property("OIDC_RP_IDP_SIGN_KEY", None)

    def __init__(self, *args, **kwargs):
        self.UserModel = get_user_model()

    # An account deactivated in SKA is logged out at its next request.
    get_user = ModelBackend.get_user

    def authenticate(self, request, **kwargs):
        # Only the callback view passes a nonce; a password login never reaches the provider.
        if request is None or "nonce" not in kwargs or not oidc_enabled():
            return None
        try:
            return super().authenticate(request, **kwargs)
        except ImproperlyConfigured as error:  # e.g. a discovery document without jwks_uri
            LOGGER.error("Single sign-on is misconfigured: %s", error)
            return _refuse(request, _unsuccessful(), ANSWER_REFUSED)
        except (requests.RequestException, SuspiciousOperation, jwt.PyJWTError, ValueError, KeyError) as error:
            LOGGER.warning("Single sign-on failed: %s", error)
            return _refuse(request, _unsuccessful(), ANSWER_REFUSED)

    def retrieve_matching_jwk(self, token):
        """The provider's signing key for the token: by key id, or, for a provider that gives
        its one key no id (allowed by RFC 7517), that key."""
        if "kid" in jwt.get_unverified_header(token):
            return super().retrieve_matching_jwk(token)
        response = requests.get(self.OIDC_OP_JWKS_ENDPOINT, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        keys = [key for key in response.json().get("keys", []) if key.get("use", "sig") == "sig"]
        if len(keys) != 1:
            raise SuspiciousOperation("The token names no key, and the provider has more than one.")
        return jwt.PyJWK(keys[0])

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        if "nonce" in kwargs:  # the ID token: by the configured provider, issued to SKA
            issuer = expected_issuer()
            if issuer and payload.get("iss") != issuer:
                raise SuspiciousOperation(f"The ID token's issuer {payload.get('iss')!r} is not {issuer!r}.")
            audience = payload.get("aud")
            audiences = [audience] if isinstance(audience, str) else list(audience or [])
            if self.OIDC_RP_CLIENT_ID not in audiences:
                raise SuspiciousOperation("The ID token was issued to another client.")
        return payload

    def get_userinfo(self, access_token, id_token, payload):
        """The ID token's claims, with the user info endpoint's on top when there is one
        (Entra ID puts ``preferred_username`` only in the ID token)."""
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT:
            userinfo = super().get_userinfo(access_token, id_token, payload)
            if userinfo.get("sub") != payload.get("sub"):
                raise SuspiciousOperation("The user info is about another person than the ID token.")
            claims.update(userinfo)
        return claims

    def email_from(self, claims) -> str:
        value = claims.get(settings.OIDC_EMAIL_CLAIM)
        return value.strip() if isinstance(value, str) else ""

    def describe_user_by_claims(self, claims):
        return f"e-mail address {self.email_from(claims)!r}"

    def filter_users_by_claims(self, claims):
        email = self.email_from(claims)
        if not email:
            return self.UserModel.objects.none()
        return self.UserModel._default_manager.filter(email__iexact=email, is_active=True)

    def update_user(self, user, claims):
        # Names, e-mail address and roles are kept in SKA.
        return user

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        email = self.email_from(claims)
        if not email:
            LOGGER.warning("Single sign-on refused: no %r claim from the provider.", settings.OIDC_EMAIL_CLAIM)
            return _refuse(
                self.request,
                _("The municipality's login did not tell SKA your e-mail address. Contact your administrator."),
                NO_EMAIL,
            )
        if settings.OIDC_EMAIL_CLAIM == "email" and claims.get("email_verified") in (False, "false"):
            LOGGER.warning("Single sign-on refused: %s is not verified.", self.describe_user_by_claims(claims))
            message = _("The municipality's login has not verified your e-mail address %(email)s. Contact your administrator.")
            return _refuse(self.request, message % {"email": email}, UNVERIFIED_EMAIL, email=email)
        if not email_domain_allowed(email):
            LOGGER.warning("Single sign-on refused: %s is not in an allowed domain.", self.describe_user_by_claims(claims))
            message = _("SKA does not accept the municipality's login for %(email)s. Contact your administrator.")
            return _refuse(self.request, message % {"email": email}, DOMAIN_NOT_ALLOWED, email=email)
        # One at most: e-mail addresses are unique in SKA, whatever their case.
        user = self.filter_users_by_claims(claims).first()
        if user is not None:
            return self.update_user(user, claims)
        account = self.UserModel._default_manager.filter(email__iexact=email).first()
        if account is not None:
            LOGGER.info("Single sign-on refused: the account with %s is not active.", self.describe_user_by_claims(claims))
            message = _("Your account in SKA (%(email)s) is not active. Contact your administrator.")
            return _refuse(self.request, message % {"email": email}, INACTIVE_ACCOUNT, email=email, account=account)
        LOGGER.info("Single sign-on refused: no account with %s.", self.describe_user_by_claims(claims))
        message = _("There is no account in SKA for %(email)s. Contact your administrator.")
        return _refuse(self.request, message % {"email": email}, NO_ACCOUNT, email=email)


# --- Views ---------------------------------------------------------------------------------------


def _back_to_login(request, message: str):
    messages.error(request, message)
    return redirect(settings.LOGIN_URL)


class AuthenticateView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider's login (the login page's button)."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, **kwargs):
        # The endpoint is looked up in get(), where a provider that cannot be reached is
        # explained instead of failing.
        View.__init__(self, **kwargs)

    def get(self, request):
        if not oidc_enabled():
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = oidc_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except (requests.RequestException, ValueError) as error:
            LOGGER.warning("Single sign-on unavailable: %s", error)
            return _back_to_login(
                request,
                _("The municipality's login cannot be reached just now. Try again later, or log in with your password."),
            )
        except ImproperlyConfigured as error:  # e.g. a discovery document without an endpoint
            LOGGER.error("Single sign-on is misconfigured: %s", error)
            return _back_to_login(request, _unsuccessful())
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class CallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back: logs the person in, or explains why not."""

    get_settings = staticmethod(oidc_setting)

    def get(self, request):
        if not oidc_enabled():
            raise Http404
        setattr(request, audit.SINGLE_SIGN_ON_MARK, True)  # refusals are logged here, with the reason
        try:
            return super().get(request)
        except SuspiciousOperation as error:  # e.g. an old or replayed callback address
            LOGGER.warning("Single sign-on callback refused: %s", error)
            return self.login_failure()

    def login_failure(self):
        request = self.request
        if not hasattr(request, "ska_oidc_refusal"):  # refused before the backend was asked
            if request.GET.get("error"):
                reason = CANCELLED
            elif hasattr(self, "user"):
                reason = ANSWER_REFUSED
            else:
                reason = NOT_STARTED_HERE
            _refuse(request, _unsuccessful(), reason)
        return _back_to_login(request, request.ska_oidc_refusal)


class LogoutView(auth_views.LogoutView):
    """Django's logout; after a single sign-on login, and with ``OIDC_OP_LOGOUT_ENDPOINT``
    configured, it goes on to log the person out at the provider too (RP-initiated logout),
    which then sends them back to SKA's login page."""

    def post(self, request, *args, **kwargs):
        id_token = request.session.get("oidc_id_token")
        response = super().post(request, *args, **kwargs)
        end_session = getattr(settings, "OIDC_OP_LOGOUT_ENDPOINT", "")
        if not (oidc_enabled() and end_session and id_token):
            return response
        query = urlencode(
            {
                "id_token_hint": id_token,
                "client_id": settings.OIDC_RP_CLIENT_ID,
                "post_logout_redirect_uri": request.build_absolute_uri(resolve_url(settings.LOGOUT_REDIRECT_URL)),
            }
        )
        return HttpResponseRedirect(f"{end_session}{'&' if '?' in end_session else '?'}{query}")
