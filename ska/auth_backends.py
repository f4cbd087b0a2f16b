"""Login with either user name or e-mail address."""

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
    """The name that failed logins are counted under: case and spaces do not give new tries."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    return username.strip().lower()
