from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _


def update_last_login_without_history(sender, user, **kwargs):
    """Django's update_last_login, without writing a history row for every login."""
    user.last_login = timezone.now()
    user.skip_history_when_saving = True
    try:
        user.save(update_fields=["last_login"])
    finally:
        del user.skip_history_when_saving


def check_activity_indicators(sender, instance, action, reverse, model, pk_set, **kwargs):
    """``activity.indicators.add(...)`` bypasses ActivityIndicator.save(): check here too
    that an activity is only linked to indicators of its own goal."""
    if action != "pre_add" or not pk_set:
        return
    from .models import Activity, Indicator

    if reverse:  # indicator.activities.add(activity, ...)
        goals = set(Activity.all_objects.filter(pk__in=pk_set).values_list("goal_id", flat=True))
        goal_id = instance.goal_id
    else:
        goals = set(Indicator.all_objects.filter(pk__in=pk_set).values_list("goal_id", flat=True))
        goal_id = instance.goal_id
    if goals - {goal_id}:
        raise ValidationError(_("An activity can only be linked to indicators of its own goal."))
