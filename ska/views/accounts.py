"""Account views that differ from Django's own."""

from axes.utils import reset as reset_failed_logins
from django.contrib.auth import views as auth_views


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choosing a new password through the e-mailed link also lifts a lock-out after failed
    logins: the person has just proved they own the account."""

    def form_valid(self, form):
        response = super().form_valid(form)
        reset_failed_logins(username=self.user.username.lower())
        return response
