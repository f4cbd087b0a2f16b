"""Forms of the goal chain. Forms validate; services save."""

from django import forms
from django.core.validators import MaxValueValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .models import (
    Activity,
    Administration,
    ActivityFollowUp,
    Analysis,
    Attainment,
    CheckIn,
    CurriculumArea,
    Goal,
    Indicator,
    Participant,
    SchoolForm,
    ValidityReview,
)
from .applicability import goals_for_unit
from .schoolyear import SchoolYear, Term


class CheckInForm(forms.ModelForm):
    class Meta:
        model = CheckIn
        fields = ["value", "date", "group_size", "comment"]
        # Typed as Swedes write numbers (75,5) or with a point; a text field, since a number
        # field would refuse the comma in some browsers.
        localized_fields = ["value"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "comment": forms.TextInput(),
            "value": forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        }

    def __init__(self, *args, indicator, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("date", timezone.localdate())
        # Many of these forms share a page: ids of their own for labels and error messages.
        kwargs.setdefault("auto_id", f"checkin-{indicator.pk}-%s")
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        if indicator.unit_of_measure:
            self.fields["value"].label = _("Value (%(unit)s)") % {"unit": indicator.unit_of_measure}
        self.fields["date"].required = False

    def clean_date(self):
        return self.cleaned_data.get("date") or timezone.localdate()


class VersionedForm(forms.ModelForm):
    """An edit form that remembers which version of the record it was opened on, so that a
    save based on an older version can be refused (ska.services.records)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def changed_values(self) -> dict:
        """The fields the person changed, for record_update."""
        return {name: self.cleaned_data[name] for name in self.changed_data if name in self._meta.fields}


class TermChoiceField(forms.TypedChoiceField):
    def __init__(self, *, terms, **kwargs):
        super().__init__(
            choices=[(term.code, str(term)) for term in terms], coerce=lambda code: Term.from_code(int(code)), **kwargs
        )

    def prepare_value(self, value):
        return value.code if isinstance(value, Term) else value


def _terms_around(school_year: SchoolYear) -> list[Term]:
    """From this school year's autumn up to three years ahead."""
    term = school_year.autumn
    terms = []
    for _step in range(8):
        terms.append(term)
        term = term.next()
    return terms


class GoalPeriodMixin:
    """The period of a goal, chosen among the terms from its school year's autumn onwards."""

    def _set_up_period(self, school_year: SchoolYear):
        self.fields["curriculum_areas"].queryset = CurriculumArea.objects.order_by("kind", "sort_order")
        terms = _terms_around(school_year)
        self.fields["start_term"] = TermChoiceField(terms=terms, label=_("From term"), initial=school_year.autumn.code)
        self.fields["end_term"] = TermChoiceField(terms=terms, label=_("To term"), initial=school_year.spring.code)

    def clean(self):
        data = super().clean()
        start, end = data.get("start_term"), data.get("end_term")
        if start and end and end < start:
            self.add_error("end_term", _("The period must end in or after the term it starts."))
        return data


class GoalForm(GoalPeriodMixin, VersionedForm):
    parent = forms.ModelChoiceField(
        queryset=Goal.objects.none(),
        required=False,
        label=_("Administration-wide goal it concretises"),
        empty_label=_("None: a local goal from the unit's own needs"),
    )

    class Meta:
        model = Goal
        fields = ["title", "parent", "description", "expected_effects", "origin", "curriculum_areas", "start_term", "end_term"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "expected_effects": forms.Textarea(attrs={"rows": 2}),
            "curriculum_areas": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, unit, school_year, **kwargs):
        kwargs.setdefault("auto_id", "goal-%s")
        super().__init__(*args, **kwargs)
        self.unit, self.school_year = unit, school_year
        # The administration-wide goals in force that apply to the unit's school forms (and the
        # goal's present one, whatever became of it, so that editing keeps it).
        applicable = goals_for_unit(
            Goal.objects.in_force(school_year).filter(administration_id=unit.administration_id, level=Goal.Level.ADMINISTRATION),
            unit,
        )
        self.fields["parent"].queryset = Goal.objects.filter(
            Q(pk__in=applicable.values("pk")) | Q(pk=self.instance.parent_id or 0)
        ).order_by("sort_order", "title")
        self._set_up_period(school_year)
        if self.instance.pk and self.instance.level not in (Goal.Level.UNIT, Goal.Level.LOCAL):
            del self.fields["parent"]

    def changed_values(self) -> dict:
        """Linking a local goal to an administration-wide goal makes it a unit goal under it;
        unlinking makes it local."""
        values = super().changed_values()
        if "parent" in values and self.instance.level in (Goal.Level.UNIT, Goal.Level.LOCAL):
            values["level"] = Goal.Level.UNIT if values["parent"] else Goal.Level.LOCAL
        return values


class TargetAfterBaselineMixin:
    def clean(self):
        data = super().clean()
        baseline, target = data.get("baseline_date"), data.get("target_date")
        if baseline and target and target < baseline:
            self.add_error("target_date", _("The desired state must be dated on or after the current state."))
        return data


class IndicatorForm(TargetAfterBaselineMixin, VersionedForm):
    class Meta:
        model = Indicator
        fields = [
            "title", "measures", "source_kind", "source", "unit_of_measure", "direction",
            "baseline_value", "baseline_date", "baseline_group_size", "baseline_comment", "target_value", "target_date",
        ]
        localized_fields = ["baseline_value", "target_value"]
        widgets = {
            "measures": forms.Textarea(attrs={"rows": 2}),
            "baseline_comment": forms.Textarea(attrs={"rows": 2}),
            "baseline_date": forms.DateInput(attrs={"type": "date"}),
            "target_date": forms.DateInput(attrs={"type": "date"}),
            "baseline_value": forms.TextInput(attrs={"inputmode": "decimal"}),
            "target_value": forms.TextInput(attrs={"inputmode": "decimal"}),
            "source_kind": forms.RadioSelect,
            "direction": forms.RadioSelect,
        }

    def __init__(self, *args, goal=None, **kwargs):
        kwargs.setdefault("auto_id", "indicator-form-%s")
        super().__init__(*args, **kwargs)
        if goal is not None and goal.level == Goal.Level.ADMINISTRATION:
            # An administration-wide goal's indicator may be one every unit under it measures.
            self.fields["administration_wide"] = forms.BooleanField(
                label=Indicator._meta.get_field("administration_wide").verbose_name.capitalize(),
                help_text=Indicator._meta.get_field("administration_wide").help_text,
                required=False, initial=self.instance.administration_wide,
            )
            forms_of_goal = goal.school_forms.all()
            self.fields["school_forms"] = forms.ModelMultipleChoiceField(
                label=_("Applies to school forms"),
                queryset=(forms_of_goal if forms_of_goal.exists() else SchoolForm.objects.filter(
                    units__administration_id=goal.administration_id).distinct()).order_by("sort_order", "name"),
                widget=forms.CheckboxSelectMultiple,
                required=False,
                initial=list(self.instance.school_forms.all()) if self.instance.pk else [],
                help_text=Indicator._meta.get_field("school_forms").help_text,
            )

    def changed_values(self) -> dict:
        values = super().changed_values()
        if "administration_wide" in self.changed_data:
            values["administration_wide"] = self.cleaned_data["administration_wide"]
        return values


class UnitCopyIndicatorForm(TargetAfterBaselineMixin, VersionedForm):
    """A unit's copy of an administration-wide indicator: its wording comes from the
    administration; the unit keeps its own current and desired state."""

    class Meta:
        model = Indicator
        fields = ["baseline_value", "baseline_date", "baseline_group_size", "baseline_comment", "target_value", "target_date"]
        localized_fields = ["baseline_value", "target_value"]
        widgets = {
            name: IndicatorForm.Meta.widgets[name]
            for name in ("baseline_value", "baseline_date", "baseline_comment", "target_value", "target_date")
        }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "indicator-form-%s")
        super().__init__(*args, **kwargs)


class ActivityForm(VersionedForm):
    class Meta:
        model = Activity
        fields = ["title", "school_form", "purpose", "aim", "actions", "owner", "start", "end", "status", "indicators"]
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 2}),
            "aim": forms.Textarea(attrs={"rows": 2}),
            "actions": forms.Textarea(attrs={"rows": 3}),
            "start": forms.DateInput(attrs={"type": "date"}),
            "end": forms.DateInput(attrs={"type": "date"}),
            "indicators": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, goal, **kwargs):
        kwargs.setdefault("auto_id", "activity-form-%s")
        super().__init__(*args, **kwargs)
        # Only the indicators of the activity's own goal can be chosen.
        self.fields["indicators"].queryset = goal.indicators.all()
        self.fields["indicators"].required = False
        if goal.unit_id is not None:
            del self.fields["school_form"]  # a unit's activity is the unit's
        else:
            # The administration's insatser are written per school form (Syfte / Mål / Åtgärder).
            self.fields["school_form"].queryset = SchoolForm.objects.order_by("sort_order", "name")
            self.fields["school_form"].empty_label = _("Every school form")

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The activity must end on or after its start."))
        return data


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = ActivityFollowUp
        fields = ["date", "process_data", "on_track", "comment"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "process_data": forms.Textarea(attrs={"rows": 3}),
            "on_track": forms.RadioSelect,
            "comment": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, activity, **kwargs):
        kwargs.setdefault("auto_id", f"followup-{activity.pk}-%s")
        kwargs.setdefault("initial", {}).setdefault("date", timezone.localdate())
        super().__init__(*args, **kwargs)


class AnalysisForm(VersionedForm):
    participants = forms.MultipleChoiceField(
        choices=Participant.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("Who took part in the analysis"),
    )

    class Meta:
        model = Analysis
        fields = ["term", "results", "causes", "participants", "activity_effect", "attainment"]
        widgets = {
            "results": forms.Textarea(attrs={"rows": 3}),
            "causes": forms.Textarea(attrs={"rows": 3}),
            "activity_effect": forms.Textarea(attrs={"rows": 2}),
            "attainment": forms.RadioSelect,
        }

    def __init__(self, *args, goal, **kwargs):
        kwargs.setdefault("auto_id", "analysis-form-%s")
        super().__init__(*args, **kwargs)
        self.goal = goal
        terms = []
        term = goal.start_term
        while term <= goal.end_term and len(terms) < 12:
            terms.append(term)
            term = term.next()
        taken = set(Analysis.objects.filter(goal=goal).exclude(pk=self.instance.pk).values_list("term", flat=True))
        # A new analysis starts at the current term if it is free, else the first free one.
        free = [t for t in terms if t not in taken]
        initial = self.instance.term if self.instance.pk else (Term.current() if Term.current() in free else (free or terms)[0])
        self.fields["term"] = TermChoiceField(terms=terms, label=_("Term"), initial=initial.code)
        self.fields["attainment"].required = False
        self.fields["attainment"].choices = [("", _("Not judged yet")), *Attainment.choices]

    def clean_term(self):
        term = self.cleaned_data["term"]
        taken = Analysis.objects.filter(goal=self.goal, term=term).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("The goal already has a follow-up and analysis for %(term)s.") % {"term": term})
        return term


class ValidityForm(forms.ModelForm):
    """The three validity questions for one indicator, inside the analysis form."""

    class Meta:
        model = ValidityReview
        fields = ["reliability", "measures_intended", "reflects_reality"]
        widgets = {name: forms.Textarea(attrs={"rows": 2}) for name in fields}

    def __init__(self, *args, indicator, **kwargs):
        kwargs.setdefault("prefix", f"validity-{indicator.pk}")
        super().__init__(*args, **kwargs)
        self.indicator = indicator


class DevelopmentAreaForm(forms.Form):
    title = forms.CharField(label=_("Development area"), max_length=300, required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ChainSettingsForm(forms.ModelForm):
    """The administration's settings for the goal chain."""

    class Meta:
        model = Administration
        fields = ["goal_limit"]
        widgets = {"goal_limit": forms.NumberInput(attrs={"min": 1, "max": 50})}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "chain-settings-%s")
        super().__init__(*args, **kwargs)
        self.fields["goal_limit"].max_value = 50
        self.fields["goal_limit"].validators.append(MaxValueValidator(50))


class GoalCloseForm(forms.Form):
    """Closing a goal: how it ended, why, and whether it still counts for its school year."""

    TODAY, YEAR_END = "today", "year_end"

    version = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(label=_("How did the goal end?"), choices=Goal.Outcome.choices, widget=forms.RadioSelect)
    closing_reason = forms.CharField(
        label=_("Reason for closing"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    when = forms.ChoiceField(label=_("Closed"), widget=forms.RadioSelect)

    def __init__(self, *args, goal, **kwargs):
        kwargs.setdefault("auto_id", f"goal-close-{goal.pk}-%s")
        kwargs.setdefault("initial", {}).update(version=goal.version, when=self.TODAY)
        super().__init__(*args, **kwargs)
        self.goal = goal
        end = goal.school_year.end
        self.fields["when"].choices = [
            (self.TODAY, _("Today: it no longer counts in %(year)s") % {"year": goal.school_year}),
            (self.YEAR_END, _("When the school year ends (%(day)s): it counts for the whole of %(year)s")
             % {"day": date_format(end, "j F Y"), "year": goal.school_year}),
        ]

    def closed_on(self):
        if self.cleaned_data["when"] == self.YEAR_END:
            return self.goal.school_year.end
        return timezone.localdate()


class CheckInImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel file with check-ins (.xlsx)"),
        help_text=_("Use the template, or a workbook exported from SKA. At most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}),
    )


class LevelGoalForm(GoalPeriodMixin, VersionedForm):
    """Goal areas, committee goals and administration-wide goals."""

    class Meta:
        model = Goal
        fields = [
            "title", "parent", "school_forms", "description", "expected_effects", "origin", "curriculum_areas",
            "start_term", "end_term",
        ]
        widgets = {**GoalForm.Meta.widgets, "school_forms": forms.CheckboxSelectMultiple}

    def __init__(self, *args, level, administration, school_year, **kwargs):
        kwargs.setdefault("auto_id", "level-goal-%s")
        super().__init__(*args, **kwargs)
        self.level = Goal.Level(level)
        if self.level == Goal.Level.ADMINISTRATION:
            # The school forms of the administration's units; none chosen: every unit.
            self.fields["school_forms"].queryset = SchoolForm.objects.filter(
                units__administration=administration
            ).distinct().order_by("sort_order", "name")
        else:
            del self.fields["school_forms"]
        parent_level = Goal.PARENT_LEVEL[self.level]
        if parent_level is None:
            del self.fields["parent"]
        else:
            owner_filter = (
                {"municipality_id": administration.municipality_id}
                if parent_level == Goal.Level.AREA
                else {"committee_id": administration.committee_id}
            )
            self.fields["parent"].queryset = Goal.objects.filter(level=parent_level, school_year=school_year, **owner_filter)
            self.fields["parent"].required = False
            self.fields["parent"].label = {
                Goal.Level.AREA: _("Goal area"),
                Goal.Level.COMMITTEE: _("Committee goal it concretises"),
            }[parent_level]
        self._set_up_period(school_year)


class CheckInEditForm(VersionedForm):
    class Meta:
        model = CheckIn
        fields = ["date", "value", "group_size", "comment"]
        localized_fields = ["value"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "value": forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
            "comment": forms.TextInput(),
        }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "checkin-edit-%s")
        super().__init__(*args, **kwargs)
