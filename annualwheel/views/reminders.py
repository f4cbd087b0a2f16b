"""The person's reminder preferences, kept on the My account page."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..forms_reminders import ReminderPreferenceForm
from ..models import EventKind, EventKindSetting

ORDER = {kind: position for position, kind in enumerate(EventKind.values)}


def reminder_section(user, form: ReminderPreferenceForm | None = None) -> dict:
    """What the My account page needs for its Reminders section."""
    return {
        "reminder_form": form or ReminderPreferenceForm(user=user),
        # In the order the types are listed everywhere else.
        "reminder_settings": sorted(EventKindSetting.objects.all(), key=lambda s: ORDER.get(s.kind, len(ORDER))),
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
