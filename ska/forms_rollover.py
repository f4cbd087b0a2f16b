"""The rollover's form: for each goal of the year, what becomes of it in the next school year."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Goal
from .services.rollover import CLOSE, CONTINUE, LEAVE, REPLACE, Decision


class RolloverForm(forms.Form):
    """A choice per goal not yet decided (``rows`` from ``ska.services.rollover``): continue it,
    close it with an outcome and a reason, replace it with a new goal (the levels above the
    units only), or leave it for later."""

    def __init__(self, *args, rows, replace: bool, **kwargs):
        kwargs.setdefault("auto_id", "rollover-%s")
        super().__init__(*args, **kwargs)
        self.rows = [row for row in rows if not row.done]
        choices = [(CONTINUE, _("Continue")), (CLOSE, _("Close at the end of the school year"))]
        if replace:
            choices.append((REPLACE, _("Replace with a new goal")))
        choices.append((LEAVE, _("Decide later")))
        outcomes = [("", "—"), *[(value, label) for value, label in Goal.Outcome.choices if value != Goal.Outcome.REPLACED]]
        for row in self.rows:
            pk = row.goal.pk
            initial = LEAVE if row.blocked else CONTINUE
            self.fields[f"action-{pk}"] = forms.ChoiceField(
                label=_("What becomes of it"), choices=choices, initial=initial, widget=forms.RadioSelect
            )
            self.fields[f"outcome-{pk}"] = forms.ChoiceField(label=_("Outcome"), choices=outcomes, required=False)
            self.fields[f"reason-{pk}"] = forms.CharField(
                label=_("Reason"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
            )
            if replace:
                self.fields[f"title-{pk}"] = forms.CharField(label=_("The new goal"), required=False, max_length=300)
            row.fields = [self[name] for name in self.fields if name.endswith(f"-{pk}")]

    def clean(self):
        data = super().clean()
        for row in self.rows:
            pk = row.goal.pk
            action = data.get(f"action-{pk}")
            if action == CONTINUE and row.blocked:
                self.add_error(f"action-{pk}", row.blocked)
            if action == CLOSE:
                if not data.get(f"outcome-{pk}"):
                    self.add_error(f"outcome-{pk}", _("Choose how the goal ended."))
                if not data.get(f"reason-{pk}", "").strip():
                    self.add_error(f"reason-{pk}", _("Say why the goal is closed."))
            if action == REPLACE and not data.get(f"title-{pk}", "").strip():
                self.add_error(f"title-{pk}", _("Give the new goal's title."))
        return data

    def decisions(self) -> dict[int, Decision]:
        data = self.cleaned_data
        return {
            row.goal.pk: Decision(
                action=data[f"action-{row.goal.pk}"],
                outcome=data.get(f"outcome-{row.goal.pk}", ""),
                reason=data.get(f"reason-{row.goal.pk}", ""),
                title=data.get(f"title-{row.goal.pk}", ""),
            )
            for row in self.rows
        }

    def planned(self) -> list[tuple]:
        """(row, decision) for the preview, in the rows' order."""
        decisions = self.decisions()
        return [(row, decisions[row.goal.pk]) for row in self.rows]
