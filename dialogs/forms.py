"""Forms of rounds, templates and booking. Forms validate; services save."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ska.forms_chain import VersionedForm
from ska.models import IndependentProvider, Role, Unit, User

from .models import DialogueKind, Round

DATE = {"type": "date"}
TIME = {"type": "time"}
MAX_SLOTS_AT_ONCE = 20


class LinesField(forms.CharField):
    """A list of texts, one per line (agenda topics, questions)."""

    widget = forms.Textarea(attrs={"rows": 6})

    def to_python(self, value):
        text = super().to_python(value)
        return [line.strip() for line in (text or "").splitlines() if line.strip()]

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def has_changed(self, initial, data):
        return list(initial or []) != self.to_python(data)


class TemplateForm(forms.Form):
    purpose = forms.CharField(label=_("Purpose"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    participant_roles = forms.CharField(
        label=_("Participants"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Who takes part, one role per line."),
    )
    agenda_topics = LinesField(label=_("Agenda"), required=False, help_text=_("One topic per line."))
    information_letter = forms.CharField(
        label=_("Information letter"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    question_guide = LinesField(label=_("Question guide"), required=False, help_text=_("One question per line."))


class RoundForm(VersionedForm):
    agenda_topics = LinesField(label=_("Agenda"), required=False, help_text=_("One topic per line."))
    question_guide = LinesField(
        label=_("Question guide"), required=False,
        help_text=_("One question per line. The counterpart answers them before the dialogue."),
    )

    class Meta:
        model = Round
        fields = [
            "title", "term", "starts_on", "ends_on", "booking_cutoff_hours", "purpose", "participant_roles",
            "agenda_topics", "information_letter", "question_guide",
        ]
        widgets = {
            "starts_on": forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "participant_roles": forms.Textarea(attrs={"rows": 3}),
            "information_letter": forms.Textarea(attrs={"rows": 6}),
        }

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on, term = cleaned.get("starts_on"), cleaned.get("ends_on"), cleaned.get("term")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The last day cannot be before the first day."))
        if term and starts_on and starts_on not in term and ends_on and ends_on not in term:
            self.add_error("term", _("The round's days are not in %(term)s.") % {"term": term})
        return cleaned


class NewRoundForm(forms.Form):
    """What a new round needs first; its texts come from the kind's template."""

    kind = forms.ChoiceField(label=_("Kind of dialogue"))
    title = forms.CharField(label=_("Title"), max_length=200, help_text=_("For example Kvalitetssamtal med fristående VT 2027."))
    starts_on = forms.DateField(label=_("First day"), widget=forms.DateInput(attrs=DATE))
    ends_on = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs=DATE))
    owner = forms.ChoiceField(label=_("Held by"))

    def __init__(self, *args, owners: list[tuple[str, str, object]], kinds: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.owners = {key: owner for key, _label, owner in owners}
        self.fields["owner"].choices = [(key, label) for key, label, _owner in owners]
        self.fields["kind"].choices = [(k, DialogueKind(k).label) for k in kinds]
        if len(owners) == 1:
            self.fields["owner"].widget = forms.HiddenInput()
            self.fields["owner"].initial = owners[0][0]

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on:
            if ends_on < starts_on:
                self.add_error("ends_on", _("The last day cannot be before the first day."))
            elif (ends_on - starts_on).days > 366:
                self.add_error("ends_on", _("A round lasts at most a year."))
        owner = self.owners.get(cleaned.get("owner"))
        kind = cleaned.get("kind")
        if owner is not None and kind:
            if kind == DialogueKind.UNIT and not isinstance(owner, Unit):
                self.add_error("owner", _("Dialogues within a unit are held by the unit."))
            if kind != DialogueKind.UNIT and isinstance(owner, Unit):
                self.add_error("kind", _("A unit holds dialogues within the unit only."))
        return cleaned


class CounterpartsForm(forms.Form):
    units = forms.ModelMultipleChoiceField(
        label=_("Units"), queryset=Unit.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    providers = forms.ModelMultipleChoiceField(
        label=_("Independent providers"), queryset=IndependentProvider.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    role_group = forms.CharField(
        label=_("Group by role"), required=False, max_length=150,
        help_text=_("For example Biträdande rektorer. Choose the people below."),
    )
    group_members = forms.ModelMultipleChoiceField(
        label=_("People in the group"), queryset=User.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, round_: Round, **kwargs):
        super().__init__(*args, **kwargs)
        self.round = round_
        taken = round_.dialogues.all()
        units = Unit.objects.open().exclude(pk__in=taken.filter(unit__isnull=False).values("unit_id"))
        if round_.kind == DialogueKind.UNIT:
            units = units.filter(pk=round_.unit_id)
        else:
            units = units.filter(administration=round_.administration)
        self.fields["units"].queryset = units.order_by("name")
        self.fields["providers"].queryset = IndependentProvider.objects.filter(
            municipality_id=round_.municipality_id, closed_on__isnull=True
        ).exclude(pk__in=taken.filter(provider__isnull=False).values("provider_id")).order_by("name")
        staff = Q(role_assignments__unit__administration=round_.administration)
        if round_.unit_id:
            staff = Q(role_assignments__unit=round_.unit)
        self.fields["group_members"].queryset = (
            User.objects.filter(staff, is_active=True).distinct().order_by("last_name", "first_name")
        )
        self.fields["group_members"].label_from_instance = lambda u: f"{u} ({u.title})" if u.title else str(u)
        if round_.kind in (DialogueKind.PROVIDER, DialogueKind.COMMITTEE):
            del self.fields["units"]
        if round_.kind != DialogueKind.PROVIDER:
            del self.fields["providers"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("group_members") and not cleaned.get("role_group"):
            self.add_error("role_group", _("Name the group, for example Biträdande rektorer."))
        if cleaned.get("role_group") and not cleaned.get("group_members"):
            self.add_error("group_members", _("Choose the people in the group."))
        if not any(cleaned.get(name) for name in ("units", "providers", "role_group")) and not self.errors:
            raise forms.ValidationError(_("Choose whom the round meets."))
        return cleaned


class SlotsForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs=DATE))
    start = forms.TimeField(label=_("First time starts at"), widget=forms.TimeInput(attrs=TIME))
    length_minutes = forms.IntegerField(label=_("Length (minutes)"), min_value=15, max_value=480, initial=60)
    count = forms.IntegerField(
        label=_("Number of times"), min_value=1, max_value=MAX_SLOTS_AT_ONCE, initial=1,
        help_text=_("Consecutive times, one after the other."),
    )
    gap_minutes = forms.IntegerField(label=_("Break between times (minutes)"), min_value=0, max_value=240, initial=15)
    place = forms.CharField(label=_("Place"), required=False, max_length=200)
    video_link = forms.URLField(label=_("Video link"), required=False, assume_scheme="https")
    hosts = forms.ModelMultipleChoiceField(
        label=_("Hosts"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple,
        help_text=_("A time is only offered while all its hosts are free."),
    )

    def __init__(self, *args, round_: Round, **kwargs):
        super().__init__(*args, **kwargs)
        self.round = round_
        if round_.unit_id:
            hosts = Q(role_assignments__unit=round_.unit, role_assignments__role__in=[Role.RECTOR, Role.CONTRIBUTOR])
        else:
            hosts = Q(role_assignments__administration=round_.administration, role_assignments__role=Role.LEADERSHIP)
        self.fields["hosts"].queryset = User.objects.filter(hosts, is_active=True).distinct().order_by("last_name")
        self.fields["hosts"].label_from_instance = lambda u: f"{u} ({u.title})" if u.title else str(u)

    def clean(self):
        cleaned = super().clean()
        day = cleaned.get("day")
        if day and not (self.round.starts_on <= day <= self.round.ends_on):
            self.add_error(
                "day",
                _("Choose a date in the round, %(start)s – %(end)s.")
                % {"start": self.round.starts_on, "end": self.round.ends_on},
            )
        if not cleaned.get("place") and not cleaned.get("video_link") and not self.errors:
            self.add_error("place", _("Give a place or a video link."))
        start, length, count, gap = (cleaned.get(k) for k in ("start", "length_minutes", "count", "gap_minutes"))
        if None not in (start, length, count, gap):
            minutes = start.hour * 60 + start.minute + count * length + (count - 1) * gap
            if minutes > 24 * 60:
                self.add_error("count", _("The times would run past midnight. Choose fewer times."))
        return cleaned


class ChooseSlotForm(forms.Form):
    slot = forms.ChoiceField(label=_("Time"), widget=forms.RadioSelect)

    def __init__(self, *args, slots, **kwargs):
        super().__init__(*args, **kwargs)
        self.slots = {str(s.pk): s for s in slots}
        self.fields["slot"].choices = [(str(s.pk), str(s.pk)) for s in slots]
        self.fields["slot"].error_messages["invalid_choice"] = _(
            "That time can no longer be booked. Choose another time."
        )

    def chosen(self):
        return self.slots[self.cleaned_data["slot"]]

