"""Reading the goal chain: a unit's chain for a school year as a tree, with the gaps the rules
make visible (DOMAIN.md, "The goal chain"). A fixed number of queries however large the chain.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from .models import (
    Activity,
    ActivityFollowUp,
    ActivityIndicator,
    Analysis,
    CheckIn,
    CurriculumArea,
    DevelopmentArea,
    Goal,
    Indicator,
    KoladaValue,
    Unit,
    ValidityReview,
)
from .applicability import applies, goal_forms, unit_forms
from .schoolyear import SchoolYear, Term
from .suppression import GOAL_MUNICIPALITY_PATHS, ShownCheckIn, is_suppressed, threshold_for_goal, without_hidden_baseline


# A unit without an administration (an independent provider's) has no limit of its own.
DEFAULT_GOAL_LIMIT = 5


@dataclass
class IndicatorState:
    indicator: Indicator
    check_ins: list[CheckIn]
    # Small-number suppression (ska.suppression); None: the indicator's municipality's threshold.
    threshold: int | None = None
    # For an administration-wide indicator's definition: how its units' copies spread (ska.equity).
    spread: object = None

    @property
    def latest(self) -> CheckIn | None:
        return self.check_ins[-1] if self.check_ins else None

    @property
    def latest_value(self) -> Decimal | None:
        return self.latest.value if self.latest else None

    @property
    def progress(self) -> float | None:
        return self.indicator.progress(self.latest_value)

    @property
    def progress_percent(self) -> int | None:
        """Progress from baseline towards target, for a progress bar (0–100)."""
        progress = self.progress
        return None if progress is None else max(0, min(100, round(progress * 100)))

    # --- What pages and exports show: suppressed values as "..", never their number ----------
    @property
    def suppression_threshold(self) -> int:
        if self.threshold is None:
            self.threshold = threshold_for_goal(self.indicator.goal)
        return self.threshold

    @property
    def shown_check_ins(self) -> list[ShownCheckIn]:
        threshold = self.suppression_threshold
        return [ShownCheckIn(c, threshold) for c in self.check_ins]

    @property
    def any_suppressed(self) -> bool:
        return any(c.suppressed for c in self.shown_check_ins)

    @property
    def latest_suppressed(self) -> bool:
        """Is the latest check-in one whose value may not be shown?"""
        shown = self.shown_check_ins
        return bool(shown) and shown[-1].suppressed

    @property
    def latest_shown(self) -> CheckIn | None:
        """The latest check-in whose value may be shown: what the page calls the latest value."""
        return next((c.check_in for c in reversed(self.shown_check_ins) if not c.suppressed), None)

    @property
    def baseline_suppressed(self) -> bool:
        """Was the current state measured on a group below the threshold (shown as "..")?"""
        return is_suppressed(self.indicator.baseline_group_size, self.suppression_threshold)

    @property
    def shown_indicator(self) -> Indicator:
        """The indicator with a suppressed baseline left out, for charts."""
        return without_hidden_baseline(self.indicator, self.suppression_threshold)

    @property
    def shown_progress_percent(self) -> int | None:
        """Progress (0–100) from baseline towards target, as far as the shown values tell; none
        from a suppressed baseline (it would give the hidden value away)."""
        if self.baseline_suppressed:
            return None
        latest = self.latest_shown
        progress = self.indicator.progress(latest.value if latest else None)
        return None if progress is None else max(0, min(100, round(progress * 100)))

    # --- Values fetched from Kolada (ska.kolada) --------------------------------------------
    @property
    def kolada(self):
        """The indicator's Kolada source, or None when its values are entered by hand."""
        try:
            return self.indicator.kolada
        except ObjectDoesNotExist:
            return None

    @cached_property
    def references(self) -> list:
        """Reference lines for the chart: the municipality, similar municipalities, the country."""
        source = self.kolada
        return source.reference_series() if source is not None else []

    @cached_property
    def has_fetched_check_ins(self) -> bool:
        return any(c.from_kolada for c in self.check_ins)

    @cached_property
    def kolada_years(self) -> list:
        from .kolada.series import year_rows

        source = self.kolada
        return year_rows(source, [series.key for series in self.references]) if source is not None else []

    @property
    def missing_baseline(self) -> bool:
        return self.indicator.baseline_value is None

    @property
    def missing_target(self) -> bool:
        return self.indicator.target_value is None


@dataclass
class ActivityState:
    activity: Activity
    indicator_ids: set[int]
    follow_ups: list[ActivityFollowUp]
    # The goal's indicators the activity is linked to, in the goal's order.
    indicators: list[Indicator] = field(default_factory=list)

    @property
    def unlinked(self) -> bool:
        """An activity must be able to move one of its goal's indicators."""
        return not self.indicator_ids

    @property
    def latest_follow_up(self) -> ActivityFollowUp | None:
        return self.follow_ups[-1] if self.follow_ups else None

    @property
    def earlier_follow_ups(self) -> list[ActivityFollowUp]:
        """The follow-ups before the latest, newest first."""
        return self.follow_ups[-2::-1]


# The three validity questions, in the order they are asked (DOMAIN.md, "Indicator").
VALIDITY_QUESTIONS = ("reliability", "measures_intended", "reflects_reality")


@dataclass
class ValidityRow:
    """One indicator's validity review in an analysis; ``review`` is None when the indicator was
    not reviewed in it."""

    indicator: Indicator
    review: ValidityReview | None

    @property
    def answers(self) -> list[tuple[str, str]]:
        """(question, answer) for the three questions; an unanswered question has "" as answer."""
        meta = ValidityReview._meta
        return [
            (meta.get_field(name).verbose_name, getattr(self.review, name, "").strip() if self.review else "")
            for name in VALIDITY_QUESTIONS
        ]


@dataclass
class AnalysisState:
    """An analysis as pages read it back: its text, and each indicator's validity review."""

    analysis: Analysis
    validity: list[ValidityRow]

    @property
    def participants(self) -> list[str]:
        return self.analysis.get_participants_display()

    @property
    def development_areas(self) -> list[DevelopmentArea]:
        return list(self.analysis.development_areas.all())


def analysis_state(analysis: Analysis, indicators: list[Indicator]) -> AnalysisState:
    """The analysis with a validity row for each of the goal's indicators (reviewed or not), and
    after them the reviews of indicators removed since. Uses prefetched reviews only."""
    reviews = list(analysis.validity_reviews.all())
    by_indicator = {review.indicator_id: review for review in reviews}
    live = {indicator.pk for indicator in indicators}
    rows = [ValidityRow(indicator, by_indicator.get(indicator.pk)) for indicator in indicators]
    rows += [ValidityRow(review.indicator, review) for review in reviews if review.indicator_id not in live]
    return AnalysisState(analysis, rows)


# Curriculum areas are shown grouped by their kind, in this order, under these headings.
CURRICULUM_GROUPS = [
    (CurriculumArea.Kind.CURRICULUM, _("Areas of the curriculum")),
    (CurriculumArea.Kind.CONDITIONS, _("Conditions")),
]


def curriculum_groups(areas) -> list[tuple[str, list[CurriculumArea]]]:
    """(heading, areas) for each kind that has any of ``areas``."""
    groups = [(heading, [area for area in areas if area.kind == kind]) for kind, heading in CURRICULUM_GROUPS]
    return [(heading, members) for heading, members in groups if members]


@dataclass
class GoalState:
    goal: Goal
    indicators: list[IndicatorState]
    activities: list[ActivityState]
    analyses: list[Analysis]

    @cached_property
    def analysis_states(self) -> list[AnalysisState]:
        indicators = [state.indicator for state in self.indicators]
        return [analysis_state(analysis, indicators) for analysis in self.analyses]

    @property
    def latest_analysis(self) -> AnalysisState | None:
        return self.analysis_states[-1] if self.analysis_states else None

    @property
    def earlier_analyses(self) -> list[AnalysisState]:
        """The analyses before the latest, newest first."""
        return self.analysis_states[-2::-1]

    def analysis_in(self, term: Term) -> AnalysisState | None:
        return next((state for state in self.analysis_states if state.analysis.term == term), None)

    @property
    def curriculum_groups(self) -> list[tuple[str, list[CurriculumArea]]]:
        return curriculum_groups(self.goal.curriculum_areas.all())

    @property
    def has_indicators_with_baseline_and_target(self) -> bool:
        own = [s for s in self.indicators if not s.indicator.administration_wide]
        return bool(self.indicators) and all(s.indicator.has_baseline_and_target for s in own)

    @property
    def has_activity(self) -> bool:
        return bool(self.activities)

    @property
    def has_follow_up(self) -> bool:
        return bool(self.analyses)

    @cached_property
    def terms_not_analysed(self) -> list[Term]:
        """The terms of the goal's period that have ended without a follow-up and analysis: a
        term's analysis is due once the term is over (the wheel may set a later deadline)."""
        from django.utils import timezone

        today = timezone.localdate()
        analysed = {analysis.term for analysis in self.analyses}
        terms, term = [], self.goal.start_term
        while term <= self.goal.end_term and term.end < today and len(terms) < 12:
            if term not in analysed:
                terms.append(term)
            term = term.next()
        return terms

    @property
    def is_complete(self) -> bool:
        return self.has_indicators_with_baseline_and_target and self.has_activity and not self.terms_not_analysed

    @property
    def gaps(self) -> list[str]:
        """What is missing in this goal's chain, in the words the rektor's to-do list uses."""
        gaps = []
        if not self.indicators:
            gaps.append(_("The goal has no indicator."))
        for state in self.indicators:
            if state.indicator.administration_wide:
                continue  # the units' copies carry the values
            if state.missing_baseline or state.missing_target:
                gaps.append(
                    _("The indicator “%(title)s” lacks a current state or a desired state.")
                    % {"title": state.indicator.title}
                )
        if not self.activities:
            gaps.append(_("The goal has no activity."))
        for state in self.activities:
            if state.unlinked:
                gaps.append(
                    _("The activity “%(title)s” is linked to no indicator.") % {"title": state.activity.title}
                )
        for term in self.terms_not_analysed:
            gaps.append(_("The goal has not been followed up and analysed for %(term)s.") % {"term": term})
        return gaps


@dataclass
class UnitChain:
    unit: Unit
    school_year: SchoolYear
    goals: list[GoalState] = field(default_factory=list)
    removed: list = field(default_factory=list)  # soft-deleted goals, indicators and activities

    @property
    def goal_limit(self) -> int:
        administration = self.unit.administration if self.unit.administration_id else None
        return administration.goal_limit if administration is not None else DEFAULT_GOAL_LIMIT

    @property
    def goals_in_force(self) -> list[GoalState]:
        """The goals that count this school year: not drafts, not closed before its end."""
        return [state for state in self.goals if state.goal.in_force_in_its_year()]

    @property
    def crowded(self) -> bool:
        """*Målträngsel*: more goals than the administration thinks a unit can carry."""
        return len(self.goals_in_force) > self.goal_limit

    @property
    def gaps(self) -> list[tuple[GoalState, str]]:
        return [(state, gap) for state in self.goals_in_force for gap in state.gaps]


def goal_states(goals) -> list[GoalState]:
    """The state of each goal in ``goals`` (a queryset), in a fixed number of queries whatever
    their number."""
    goals = goals.select_related("parent", *GOAL_MUNICIPALITY_PATHS).prefetch_related(
        Prefetch(
            "indicators",
            queryset=Indicator.objects.order_by("sort_order", "title", "pk").select_related("kolada").prefetch_related(
                Prefetch("check_ins", queryset=CheckIn.objects.order_by("date", "pk")),
                Prefetch("kolada__values", queryset=KoladaValue.objects.order_by("series", "period", "gender")),
            ),
        ),
        Prefetch(
            "activities",
            queryset=Activity.objects.select_related("school_form").order_by("sort_order", "start", "title", "pk").prefetch_related(
                Prefetch("indicator_links", queryset=ActivityIndicator.objects.filter(indicator__deleted_at__isnull=True)),
                Prefetch("follow_ups", queryset=ActivityFollowUp.objects.order_by("date", "pk"))
            ),
        ),
        Prefetch(
            "analyses",
            queryset=Analysis.objects.order_by("term", "pk").prefetch_related(
                Prefetch("development_areas", queryset=DevelopmentArea.objects.select_related("goal").order_by("pk")),
                Prefetch("validity_reviews", queryset=ValidityReview.objects.select_related("indicator").order_by("pk")),
            ),
        ),
        Prefetch("continuations", queryset=Goal.objects.order_by("school_year")),
        Prefetch("curriculum_areas", queryset=CurriculumArea.objects.order_by("kind", "sort_order", "name")),
    )
    return [_goal_state(goal) for goal in goals]


def _goal_state(goal: Goal) -> GoalState:
    indicators = list(goal.indicators.all())
    activities = []
    for activity in goal.activities.all():
        linked = {link.indicator_id for link in activity.indicator_links.all()}
        activities.append(
            ActivityState(activity, linked, list(activity.follow_ups.all()), [i for i in indicators if i.pk in linked])
        )
    return GoalState(
        goal=goal,
        indicators=[IndicatorState(i, list(i.check_ins.all()), threshold_for_goal(goal)) for i in indicators],
        activities=activities,
        analyses=list(goal.analyses.all()),
    )


# --- Analyses of one term, for reading side by side -----------------------------------
@dataclass
class GoalAnalysis:
    """A goal and its analysis of the chosen term (None: not analysed for it)."""

    goal: Goal
    analysis: AnalysisState | None


def term_analyses(goals, term: Term) -> list[GoalAnalysis]:
    """Each goal of ``goals`` (a queryset) with its analysis of ``term``, in five queries
    whatever their number."""
    goals = goals.select_related("parent").prefetch_related(
        Prefetch("indicators", queryset=Indicator.objects.order_by("sort_order", "title", "pk")),
        Prefetch(
            "analyses",
            queryset=Analysis.objects.filter(term=term).prefetch_related(
                Prefetch("development_areas", queryset=DevelopmentArea.objects.select_related("goal").order_by("pk")),
                Prefetch("validity_reviews", queryset=ValidityReview.objects.select_related("indicator").order_by("pk")),
            ),
            to_attr="term_analyses",
        ),
    )
    result = []
    for goal in goals:
        indicators = list(goal.indicators.all())
        analysis = goal.term_analyses[0] if goal.term_analyses else None
        result.append(GoalAnalysis(goal, analysis_state(analysis, indicators) if analysis else None))
    return result


def goals_above_units(goals) -> list[GoalState]:
    """``goal_states`` for goals above the units, with each administration-wide indicator's
    spread over the units that measure it (one more query for all of them)."""
    from .equity import definition_spreads

    states = goal_states(goals)
    definitions = [s for state in states for s in state.indicators if s.indicator.administration_wide]
    if definitions:
        spreads = definition_spreads([s.indicator for s in definitions], definitions[0].suppression_threshold)
        for state in definitions:
            state.spread = spreads.get(state.indicator.pk)
    return states


def unit_chain(unit: Unit, school_year: SchoolYear) -> UnitChain:
    goals = Goal.objects.filter(unit=unit, school_year=school_year).order_by("level", "sort_order", "title", "pk")
    in_year = {"goal__unit": unit, "goal__school_year": school_year}
    removed = [
        *Goal.all_objects.deleted().filter(unit=unit, school_year=school_year),
        *Indicator.all_objects.deleted().filter(**in_year),
        *Activity.all_objects.deleted().filter(**in_year),
    ]
    return UnitChain(unit=unit, school_year=school_year, goals=goal_states(goals), removed=removed)


def unit_todo(units: list[Unit], school_year: SchoolYear) -> dict[int, list[str]]:
    """What is missing in each unit's chain this school year, for the rektor's start page:
    administration-wide goals the unit has no goal under, and the gaps of its goals."""
    todo: dict[int, list[str]] = {unit.pk: [] for unit in units}
    states = goal_states(Goal.objects.in_force(school_year).filter(unit__in=units).order_by("title", "pk"))
    linked = {(s.goal.unit_id, s.goal.parent_id) for s in states}
    administrations = {unit.administration_id for unit in units}
    admin_goals = list(
        Goal.objects.in_force(school_year)
        .filter(administration_id__in=administrations, level=Goal.Level.ADMINISTRATION)
        .order_by("sort_order", "title")
    )
    forms_of_goal, forms_of_unit = goal_forms(admin_goals), unit_forms(units)
    for goal in admin_goals:
        for unit in units:
            if (
                unit.administration_id == goal.administration_id
                and applies(forms_of_goal[goal.pk], forms_of_unit[unit.pk])
                and (unit.pk, goal.pk) not in linked
            ):
                todo[unit.pk].append(
                    _("No goal of the unit works under the administration-wide goal “%(title)s”.") % {"title": goal.title}
                )
    for state in states:
        todo[state.goal.unit_id].extend(
            _("%(goal)s: %(gap)s") % {"goal": state.goal.title, "gap": gap} for gap in state.gaps
        )
    return todo


# --- The administration's matrix: units × administration-wide goals -----------------
DONE, MISSING, NOT_DUE = "done", "missing", "not_due"


@dataclass
class MatrixCell:
    applicable: bool = True  # the goal applies to the unit's school forms
    linked: bool = False
    has_activity: bool = False
    has_measured_indicators: bool = False
    analysed_terms: set = field(default_factory=set)  # terms the unit goals under it have analyses of
    due_term: Term | None = None  # the term whose follow-up and analysis is due by now, if any
    next_due: object = None  # the day the next follow-up and analysis is due, if the wheel says
    overdue_since: object = None  # the passed follow-up deadline of the annual wheel it was not followed up by
    # The unit's latest values of the goal's administration-wide indicators: (title, value or "..", unit).
    shared_values: list = field(default_factory=list)

    @property
    def follow_up(self) -> str:
        """DONE, MISSING or NOT_DUE: a follow-up and analysis not yet due is not missing."""
        if self.due_term is not None:
            return DONE if self.due_term in self.analysed_terms else MISSING
        return DONE if self.analysed_terms else NOT_DUE

    @property
    def has_follow_up(self) -> bool:
        return self.follow_up == DONE

    @property
    def is_complete(self) -> bool:
        return (
            self.linked and self.has_activity and self.has_measured_indicators and self.follow_up != MISSING
            and self.overdue_since is None
        )

    @property
    def parts(self) -> list[tuple[str, str]]:
        state = {True: DONE, False: MISSING}
        return [
            (_("Goal"), state[self.linked]),
            (_("Activity"), state[self.has_activity]),
            (_("Indicators"), state[self.has_measured_indicators]),
            (_("Follow-up"), self.follow_up),
        ]


@dataclass
class MatrixRow:
    unit: Unit
    cells: list[MatrixCell]
    goal_count: int = 0  # the unit's goals in force this school year, local ones too
    goal_limit: int = DEFAULT_GOAL_LIMIT

    @property
    def complete_count(self) -> int:
        return sum(cell.is_complete for cell in self.cells if cell.applicable)

    @property
    def applicable_count(self) -> int:
        return sum(cell.applicable for cell in self.cells)

    @property
    def crowded(self) -> bool:
        return self.goal_count > self.goal_limit


def administration_goals(administration, school_year: SchoolYear):
    return Goal.objects.in_force(school_year).filter(
        administration=administration, level=Goal.Level.ADMINISTRATION
    ).order_by("sort_order", "title", "pk")


def _shared_values(cells, goal_ids, units) -> None:
    """Each cell's latest values of the administration-wide indicators of its goal, through the
    unit's copies; a value from a group below the threshold as "..". One query."""
    from django.db.models import OuterRef, Subquery

    from .suppression import SUPPRESSED, threshold_of

    if not goal_ids or not units:
        return
    threshold = threshold_of(units[0].administration.municipality if units[0].administration_id else None)
    latest = CheckIn.objects.filter(indicator=OuterRef("pk")).order_by("-date", "-pk")
    rows = (
        Indicator.objects.filter(definition__goal_id__in=goal_ids, goal__unit__in=units)
        .annotate(value=Subquery(latest.values("value")[:1]), group=Subquery(latest.values("group_size")[:1]))
        .values_list("goal__unit_id", "definition__goal_id", "definition__sort_order", "definition_id", "title", "value",
                     "group", "unit_of_measure")
        .order_by("definition__sort_order", "definition_id")
    )
    for unit_id, goal_id, _order, _definition, title, value, group, unit_of_measure in rows:
        cell = cells.get((unit_id, goal_id))
        if cell is not None:
            shown = SUPPRESSED if value is not None and is_suppressed(group, threshold) else value
            cell.shared_values.append((title, shown, unit_of_measure))


def ended_term(school_year: SchoolYear, today) -> Term | None:
    """The latest term of the school year that has ended by ``today``: where the wheel sets no
    deadline for analyses, a term's follow-up and analysis is due once the term is over."""
    ended = [term for term in school_year.terms if term.end < today]
    return ended[-1] if ended else None


def chain_matrix(
    admin_goals: list[Goal], units: list[Unit], school_year: SchoolYear, *, due=None, next_due=None, today=None
) -> list[MatrixRow]:
    """For each unit and administration-wide goal: does the unit have a goal under it, with an
    activity, with indicators that have baseline and target, and a follow-up and analysis of the
    term that is due? ``due`` gives each unit's due term (from the wheel's deadlines); a unit not
    in it is due the latest ended term. A goal limited to school forms the unit does not have
    does not apply to it. Four queries (five if the units' school forms are not prefetched)."""
    from django.db.models import Count, Exists, OuterRef, Q
    from django.utils import timezone

    today = today or timezone.localdate()
    due = due or {}
    next_due = next_due or {}
    goal_ids = [goal.pk for goal in admin_goals]
    rows = list(
        Goal.objects.in_force(school_year).filter(unit__in=units, level=Goal.Level.UNIT, parent_id__in=goal_ids)
        .annotate(
            any_activity=Exists(Activity.objects.filter(goal=OuterRef("pk"))),
            any_indicator=Exists(Indicator.objects.filter(goal=OuterRef("pk"))),
            unmeasured_indicator=Exists(
                Indicator.objects.filter(goal=OuterRef("pk")).filter(
                    Q(baseline_value__isnull=True) | Q(target_value__isnull=True)
                )
            ),
        )
        .values_list("pk", "unit_id", "parent_id", "start_term", "end_term", "any_activity", "any_indicator", "unmeasured_indicator")
    )
    analysed: dict[int, set] = {}
    for goal_id, term in Analysis.objects.filter(goal_id__in=[row[0] for row in rows]).values_list("goal_id", "term"):
        analysed.setdefault(goal_id, set()).add(term)
    counts = dict(
        Goal.objects.in_force(school_year).filter(unit__in=units).values_list("unit_id").annotate(n=Count("pk"))
    )
    forms_of_goal = goal_forms(admin_goals)
    forms_of_unit = unit_forms(units)
    default_due = ended_term(school_year, today)
    cells = {
        (unit.pk, goal_id): MatrixCell(
            applicable=applies(forms_of_goal[goal_id], forms_of_unit[unit.pk]), next_due=next_due.get(unit.pk)
        )
        for unit in units
        for goal_id in goal_ids
    }
    _shared_values(cells, goal_ids, units)
    for goal_id, unit_id, parent_id, start_term, end_term, activity, indicator, unmeasured in rows:
        cell = cells[(unit_id, parent_id)]
        cell.linked = True
        cell.has_activity |= activity
        cell.has_measured_indicators |= indicator and not unmeasured
        cell.analysed_terms |= analysed.get(goal_id, set())
        term = due.get(unit_id, default_due)
        if term is not None and start_term <= term <= end_term:
            cell.due_term = term
    return [
        MatrixRow(
            unit,
            [cells[(unit.pk, goal_id)] for goal_id in goal_ids],
            goal_count=counts.get(unit.pk, 0),
            goal_limit=unit.administration.goal_limit if unit.administration_id else DEFAULT_GOAL_LIMIT,
        )
        for unit in units
    ]
