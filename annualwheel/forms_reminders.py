"""The person's own choice about e-mail reminders and the weekly digest."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ReminderPreference


class ReminderPreferenceForm(forms.ModelForm):
    class Meta:
        model = ReminderPreference
        fields = ["reminders", "weekly_digest"]
        labels = {
            "reminders": _("E-mail me reminders before deadlines and other events"),
            "weekly_digest": _("E-mail me a summary of the coming week every Monday"),
        }
        help_texts = {
            "reminders": _(
                "For events you are responsible for and events that concern your role, "
                "a number of days before, depending on the type of event (see below)."
            ),
            "weekly_digest": _(
                "What concerns you in the annual wheels in the coming seven days. Nothing is sent for an empty week."
            ),
        }

    def __init__(self, *args, user, **kwargs):
        instance = ReminderPreference.objects.filter(user=user).first() or ReminderPreference(user=user)
        kwargs.setdefault("auto_id", "reminders-%s")
        super().__init__(*args, instance=instance, **kwargs)
