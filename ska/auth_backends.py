"""Login with either user name or e-mail address."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q


class UsernameOrEmailBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        login = username.strip()
        users = get_user_model()._default_manager.filter(Q(username__iexact=login) | Q(email__iexact=login))
        # An exact user name wins over an e-mail address that happens to look the same.
        user = next((u for u in users if u.username.lower() == login.lower()), None) or (
            users[0] if len(users) == 1 else None
        )
        if user is None:
            # Spend the same time as a real check, so that timing does not tell who exists.
            get_user_model()().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def axes_username(request, credentials) -> str:
    """The account that failed logins are counted against: the user name, whether the person
    typed it or their e-mail address, in any case, so that neither gives extra tries."""
    typed = ((credentials or {}).get("username") or request.POST.get("username", "")).strip()
    if not typed:
        return ""
    users = list(
        get_user_model()._default_manager.filter(Q(username__iexact=typed) | Q(email__iexact=typed)).values_list(
            "username", flat=True
        )[:2]
    )
    exact = [name for name in users if name.lower() == typed.lower()]
    account = exact[0] if exact else (users[0] if len(users) == 1 else typed)
    return account.lower()


def client_ip(request) -> str:
    """The client's address for login throttling.

    Without proxies it is REMOTE_ADDR. Behind ``TRUSTED_PROXY_COUNT`` proxies, each of which
    appends the address it received the request from to X-Forwarded-For, it is the entry that
    many places from the right: entries further left were written by the client and may be forged.
    """
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR", "")
