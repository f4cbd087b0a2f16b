from django.utils import timezone


def update_last_login_without_history(sender, user, **kwargs):
    """Django's update_last_login, without writing a history row for every login."""
    user.last_login = timezone.now()
    user.skip_history_when_saving = True
    try:
        user.save(update_fields=["last_login"])
    finally:
        del user.skip_history_when_saving
