"""The person's reminder preferences, kept on the My account page."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..forms_reminders import ReminderPreferenceForm
from ..models import EventKindSetting


def reminder_section(user, form: ReminderPreferenceForm | None = None) -> dict:
    """What the My account page needs for its Reminders section."""
    return {
        "reminder_form": form or ReminderPreferenceForm(user=user),
        "reminder_settings": EventKindSetting.objects.in_kind_order(),
    }


@require_http_methods(["GET", "POST"])
def reminder_preferences(request):
    """Save the choices (POST); the form itself lives on My account, where GET leads."""
    back = reverse("my_account") + "#reminders"
    if request.method != "POST":
        return redirect(back)
    form = ReminderPreferenceForm(request.POST, user=request.user)
    if form.is_valid():
        form.save()
        messages.success(request, _("Your reminder settings are saved."))
    else:
        messages.error(request, _("Your reminder settings could not be saved. Please try again."))
    return redirect(back)
