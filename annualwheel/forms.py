"""Forms of the annual wheel. Forms validate; services save."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ska.forms_chain import VersionedForm
from ska.models import Role, SchoolForm, Unit, User
from ska.schoolyear import SchoolYear

from .models import Event, EventKind, EventKindSetting, FollowUpPart, Repeat, SchoolBreak, Wheel
from .services.events import M2M_FIELDS

DATE = {"type": "date"}
TIME = {"type": "time"}
MAX_SPAN_DAYS = 2 * 366  # a rule that runs longer than two school years is a mistake


class WheelForm(VersionedForm):
    owner = forms.ChoiceField(label=_("Whose wheel"))

    class Meta:
        model = Wheel
        fields = ["name", "school_year", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, owners: list[tuple[str, object]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.owners = dict(owners or [])
        if self.instance.pk:
            del self.fields["owner"]
        else:
            self.fields["owner"].choices = [(key, str(owner)) for key, owner in owners or []]
            self.fields["school_year"].initial = SchoolYear.current()

    def owner_values(self) -> dict:
        owner = self.owners[self.cleaned_data["owner"]]
        return {type(owner).__name__.lower(): owner}


class DateListField(forms.CharField):
    """Dates one per line or separated by commas, as 2026-09-14."""

    widget = forms.Textarea(attrs={"rows": 3})

    def to_python(self, value):
        text = super().to_python(value)
        dates = []
        for part in filter(None, (p.strip() for p in re.split(r"[\s,;]+", text or ""))):
            try:
                dates.append(datetime.date.fromisoformat(part))
            except ValueError:
                raise forms.ValidationError(
                    _("“%(text)s” is not a date. Write dates as 2026-09-14, one per line."), params={"text": part}
                )
        return sorted(set(dates))

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(str(d) for d in value)
        return value

    def has_changed(self, initial, data):
        try:
            dates = [d.isoformat() for d in self.to_python(data)]
        except forms.ValidationError:
            return True
        return sorted(str(d) for d in initial or []) != dates


class EventForm(VersionedForm):
    concerns_roles = forms.MultipleChoiceField(
        label=_("Concerns roles"),
        choices=[(r.value, r.label) for r in Role if r not in (Role.SYSADMIN, Role.PROVIDER_CONTACT)],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Leave empty if it concerns everyone who follows the wheel."),
    )
    dates = DateListField(
        label=_("Further dates"), required=False, help_text=_("For “on a list of dates”: one date per line, as 2026-09-14.")
    )
    follow_up_parts = forms.MultipleChoiceField(
        label=_("What the units are to have followed up by then"),
        choices=FollowUpPart.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("For a follow-up deadline. Figures fetched from Kolada are never asked for: they come when Kolada publishes them."),
    )

    class Meta:
        model = Event
        fields = [
            "kind",
            "follow_up_parts",
            "title",
            "description",
            "start_date",
            "end_date",
            "start_time",
            "end_time",
            "place",
            "repeat",
            "interval",
            "nth",
            "repeat_until",
            "dates",
            "on_closed_day",
            "concerns_roles",
            "concerns_school_forms",
            "concerns_units",
            "responsible",
            "responsible_note",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "start_date": forms.DateInput(attrs=DATE),
            "end_date": forms.DateInput(attrs=DATE),
            "repeat_until": forms.DateInput(attrs=DATE),
            "start_time": forms.TimeInput(attrs=TIME, format="%H:%M"),
            "end_time": forms.TimeInput(attrs=TIME, format="%H:%M"),
            "concerns_school_forms": forms.CheckboxSelectMultiple,
            "nth": forms.Select(
                choices=[
                    ("", "—"),
                    (1, _("first")),
                    (2, _("second")),
                    (3, _("third")),
                    (4, _("fourth")),
                    (-1, _("last")),
                ]
            ),
        }
        help_texts = {"nth": _("For monthly events: which of the month's weekdays like the first date.")}

    def __init__(self, *args, wheel: Wheel, **kwargs):
        super().__init__(*args, **kwargs)
        self.wheel = wheel
        # Validation writes the new values onto the instance: remember what was saved before.
        self.fields["concerns_school_forms"].queryset = SchoolForm.objects.order_by("sort_order")
        if wheel.unit_id:
            units = Unit.objects.filter(pk=wheel.unit_id)
            people = Q(role_assignments__unit_id=wheel.unit_id)
        elif wheel.administration_id:
            units = Unit.objects.open().filter(administration_id=wheel.administration_id)
            people = Q(role_assignments__administration_id=wheel.administration_id) | Q(
                role_assignments__unit__administration_id=wheel.administration_id,
                role_assignments__role=Role.RECTOR,
            )
        else:
            units = Unit.objects.none()
            people = Q(role_assignments__committee_id=wheel.committee_id) | Q(
                role_assignments__administration__committee_id=wheel.committee_id
            )
        if wheel.unit_id or not wheel.administration_id:
            del self.fields["concerns_units"]
            if wheel.unit_id:
                del self.fields["concerns_school_forms"]
        else:
            self.fields["concerns_units"].queryset = units.order_by("name")
            self.fields["concerns_units"].help_text = _("Leave empty if it concerns all units (of the school forms above).")
        self.fields["responsible"].queryset = (
            User.objects.filter(people, is_active=True).distinct().order_by("first_name", "last_name", "username")
        )
        self.fields["responsible"].help_text = _("They get the reminders. Hold Ctrl (⌘ on a Mac) to choose several.")
        if not self.instance.pk:
            self.fields["start_date"].initial = None

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The last day cannot be before the first day."))
        if data.get("end_time") and not data.get("start_time"):
            self.add_error("start_time", _("Give the start time too, or neither."))
        elif data.get("start_time") and data.get("end_time") and data["end_time"] <= data["start_time"] and not end:
            self.add_error("end_time", _("The event must end after it starts."))
        repeat = data.get("repeat")
        if repeat in (Repeat.WEEKLY, Repeat.MONTHLY) and start:
            until = data.get("repeat_until")
            if not until:
                self.add_error("repeat_until", _("Say until when the event repeats."))
            elif until < start:
                self.add_error("repeat_until", _("The repetition must end after the first date."))
            elif (until - start).days > MAX_SPAN_DAYS:
                self.add_error("repeat_until", _("A repetition can run for at most two years."))
            if not data.get("interval") or data["interval"] > 52:
                self.add_error("interval", _("Choose between every week and every 52 weeks."))
        if repeat == Repeat.MONTHLY and data.get("nth") not in (None, 1, 2, 3, 4, -1):
            self.add_error("nth", _("Choose the first to the fourth or the last weekday of the month."))
        if repeat == Repeat.DATES:
            if not data.get("dates"):
                self.add_error("dates", _("Give the further dates, one per line."))
            elif start and any(abs((d - start).days) > MAX_SPAN_DAYS for d in data["dates"]):
                self.add_error("dates", _("The dates must lie within two years of the first date."))
        # Stored as ISO text in a JSON list.
        data["dates"] = [d.isoformat() for d in data.get("dates") or []] if repeat == Repeat.DATES else []
        if data.get("kind") == EventKind.FOLLOW_UP_DEADLINE:
            if not data.get("follow_up_parts"):
                self.add_error("follow_up_parts", _("Choose what the units are to have followed up by the deadline."))
        else:
            data["follow_up_parts"] = []
        return data

    def values(self) -> dict:
        """The event's own fields, for ``event_create``."""
        return {name: self.cleaned_data[name] for name in self._meta.fields if name in self.fields and name not in M2M_FIELDS}

    def changed_values(self) -> dict:
        """The event's own fields the person changed, for ``event_update``."""
        return {name: value for name, value in super().changed_values().items() if name not in M2M_FIELDS}

    def relations(self) -> dict:
        return {name: self.cleaned_data[name] for name in M2M_FIELDS if name in self.fields}


class OccurrenceForm(forms.Form):
    ACTIONS = [("move", _("Move to the date")), ("skip", _("Cancel this time")), ("reset", _("Follow the rule again"))]
    action = forms.ChoiceField(label=_("Change"), choices=ACTIONS, widget=forms.RadioSelect)
    date = forms.DateField(label=_("New date"), required=False, widget=forms.DateInput(attrs=DATE))

    def clean(self):
        data = super().clean()
        if data.get("action") == "move" and not data.get("date"):
            self.add_error("date", _("Choose the new date."))
        return data


class CopyForm(forms.Form):
    name = forms.CharField(label=_("Name of the new wheel"), max_length=150)


class CopyEventForm(forms.Form):
    include = forms.BooleanField(label=_("Copy"), required=False)
    start_date = forms.DateField(label=_("New first date"), widget=forms.DateInput(attrs=DATE))


def _school_year_choices():
    current = SchoolYear.current()
    return [(year.start_year, str(year)) for year in (current.previous(), current, current.next(), current.next().next())]


class SchoolBreakForm(forms.ModelForm):
    school_year = forms.TypedChoiceField(
        label=_("School year"), choices=_school_year_choices, coerce=lambda value: SchoolYear(int(value))
    )

    class Meta:
        model = SchoolBreak
        fields = ["name", "school_year", "start", "end"]
        widgets = {"start": forms.DateInput(attrs=DATE), "end": forms.DateInput(attrs=DATE)}

    def clean(self):
        data = super().clean()
        start, end, year = data.get("start"), data.get("end"), data.get("school_year")
        if start and end and end < start:
            self.add_error("end", _("The last day cannot be before the first day."))
        if start and year and start not in year:
            self.add_error("start", _("The break must begin within the school year %(year)s.") % {"year": year})
        return data


class KindSettingForm(forms.ModelForm):
    class Meta:
        model = EventKindSetting
        fields = ["reminder_days"]

    def clean_reminder_days(self):
        days = self.cleaned_data["reminder_days"]
        if days > 60:
            raise forms.ValidationError(_("At most 60 days before."))
        return days


KindSettingFormSet = forms.modelformset_factory(EventKindSetting, form=KindSettingForm, extra=0)
