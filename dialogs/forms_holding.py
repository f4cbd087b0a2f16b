"""Forms for holding a dialogue. Forms validate; services (``dialogs.services.holding`` and
``.actions``) save."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ska.forms_chain import VersionedForm

from .models import AgreedAction, Participant, TopicNote

ATTENDANCE_CHOICES = [("", _("Not recorded")), ("yes", _("Attended")), ("no", _("Did not attend"))]
_ATTENDED = {"": None, "yes": True, "no": False}


class AttendanceForm(forms.Form):
    """One choice per participant: attended, did not attend, not recorded."""

    def __init__(self, *args, participants: list[Participant], **kwargs):
        super().__init__(*args, **kwargs)
        self.participants = participants
        for participant in participants:
            label = str(participant)
            if participant.role:
                label = f"{label} ({participant.role})"
            initial = {None: "", True: "yes", False: "no"}[participant.attended]
            self.fields[f"p{participant.pk}"] = forms.ChoiceField(
                label=label, choices=ATTENDANCE_CHOICES, required=False, initial=initial
            )

    def rows(self):
        """(participant, bound field) pairs, for the table."""
        return [(p, self[f"p{p.pk}"]) for p in self.participants]

    def attended(self) -> dict[int, bool | None]:
        return {p.pk: _ATTENDED[self.cleaned_data.get(f"p{p.pk}") or ""] for p in self.participants}


class ParticipantAddForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    role = forms.CharField(
        label=_("Role"), max_length=100, required=False, help_text=_("For example pupil representative or förstelärare.")
    )
    side = forms.ChoiceField(label=_("Side"), choices=Participant.Side.choices, initial=Participant.Side.COUNTERPART)


class TopicNoteForm(forms.Form):
    """The notes on one topic, with the version they were written on."""

    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 6}), max_length=20000)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, note: TopicNote, **kwargs):
        kwargs.setdefault("prefix", f"note-{note.pk}")
        kwargs.setdefault("initial", {"notes": note.notes, "version": note.version})
        super().__init__(*args, **kwargs)
        self.note = note
        self.fields["notes"].label = _("Notes on “%(topic)s”") % {"topic": note.topic}

    def keep_yours_on(self, version: int) -> None:
        """After a conflict: the person's text stays, and saving again is based on ``version``."""
        data = self.data.copy()
        data[self.add_prefix("version")] = version
        self.data = data


class ActionForm(VersionedForm):
    class Meta:
        model = AgreedAction
        fields = ["what", "owner", "owner_name", "due_on"]
        widgets = {
            "what": forms.Textarea(attrs={"rows": 2}),
            "due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {"owner_name": _("When the person has no account, for example a pupil representative.")}

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].empty_label = _("Nobody with an account")
        self.fields["what"].max_length = 5000

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("owner") and not (cleaned.get("owner_name") or "").strip():
            self.add_error("owner", _("Choose who is responsible or write their name."))
        return cleaned

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("what", "owner", "owner_name", "due_on")}


class FollowUpForm(forms.Form):
    """At the next dialogue: how an action of the previous one went."""

    follow_up = forms.CharField(label=_("Follow-up"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)
    done = forms.BooleanField(label=_("Done"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, action: AgreedAction, **kwargs):
        kwargs.setdefault("prefix", f"action-{action.pk}")
        kwargs.setdefault(
            "initial", {"follow_up": action.follow_up, "done": action.done_at is not None, "version": action.version}
        )
        super().__init__(*args, **kwargs)
        self.action = action
        self.fields["follow_up"].label = _("Follow-up of “%(what)s”") % {"what": action.what[:80]}
        self.fields["done"].label = _("Done: “%(what)s”") % {"what": action.what[:80]}


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Your comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)

    def __init__(self, *args, note: TopicNote | None = None, **kwargs):
        kwargs.setdefault("prefix", f"comment-{note.pk}" if note else "comment")
        super().__init__(*args, **kwargs)
        if note is not None:
            self.fields["text"].label = _("Your comment on “%(topic)s”") % {"topic": note.topic}
        else:
            self.fields["text"].label = _("Your comment on the notes as a whole")


class DoneForm(forms.Form):
    done = forms.BooleanField(required=False)
    next = forms.CharField(required=False, max_length=500)
