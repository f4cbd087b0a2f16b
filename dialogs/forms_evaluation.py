"""Forms of the year-end evaluation: the municipality's questions, and the answer form built
from them (a 1–5 scale or free text per question)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import DialogueKind
from .models.evaluation import EvaluationQuestion

SCALE_CHOICES = [
    (1, _("1 – Do not agree at all")),
    (2, "2"),
    (3, "3"),
    (4, "4"),
    (5, _("5 – Agree completely")),
]


class QuestionForm(forms.ModelForm):
    class Meta:
        model = EvaluationQuestion
        fields = ["text", "answer", "kind", "position", "active"]


QuestionFormSet = forms.modelformset_factory(EvaluationQuestion, form=QuestionForm, extra=1, can_delete=False)


class SendForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of dialogue"), choices=DialogueKind.choices)
    school_year = forms.IntegerField(widget=forms.HiddenInput)


class AnswerForm(forms.Form):
    """One field per question, named by the question's id."""

    def __init__(self, *args, questions: list[EvaluationQuestion], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            name = f"q{question.pk}"
            if question.answer == EvaluationQuestion.Answer.SCALE:
                self.fields[name] = forms.TypedChoiceField(
                    label=question.text,
                    choices=SCALE_CHOICES,
                    coerce=int,
                    widget=forms.RadioSelect,
                    required=False,
                    empty_value=None,
                )
            else:
                self.fields[name] = forms.CharField(
                    label=question.text, widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=4000
                )

    def answers(self) -> dict:
        return {str(q.pk): self.cleaned_data.get(f"q{q.pk}") for q in self.questions}
