"""Forms of the committee's quality dialogue: its topics, tying a dialogue to a meeting and
suggesting unit visits."""

from __future__ import annotations

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .models.committee import MAX_TOPICS, CommitteeTopic, VisitSuggestion
from .services.committee import TOPIC_COUNT_MESSAGE

DATE = {"type": "date"}


class TopicForm(forms.ModelForm):
    class Meta:
        model = CommitteeTopic
        fields = ["title", "description", "decided_on"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "decided_on": forms.DateInput(attrs=DATE)}
        help_texts = {
            "description": _("What the committee wants to know, in a few sentences. It goes into the meeting notice."),
            "decided_on": _("The committee meeting where the topic was chosen."),
        }

    def __init__(self, *args, count: int = 0, warning: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.count = count
        if warning and not self.instance.pk:
            self.fields["title"].help_text = warning

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk and self.count >= MAX_TOPICS:
            self.add_error("title", TOPIC_COUNT_MESSAGE)
        return cleaned


class OccurrenceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, occurrence):
        return f"{date_format(occurrence.date, 'j F Y')}: {occurrence.event.title}"


class DialoguePlanForm(forms.Form):
    meeting = OccurrenceChoiceField(
        label=_("Committee meeting"),
        queryset=None,
        required=False,
        empty_label=_("Not yet decided"),
        help_text=_("The committee meetings in the committee's annual wheel this school year."),
    )
    topic = forms.ModelChoiceField(label=_("Topic"), queryset=None, required=False, empty_label=_("No topic"))

    def __init__(self, *args, meetings, topics, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings
        self.fields["topic"].queryset = topics


class VisitForm(forms.ModelForm):
    class Meta:
        model = VisitSuggestion
        fields = ["unit", "reason"]
        help_texts = {"reason": _("Why a visit there would show the members something about the topic.")}

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units

    def validate_unique(self):
        pass  # an existing suggestion is updated by the service
