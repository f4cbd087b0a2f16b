"""Preparing a dialogue (DOMAIN.md, "Quality dialogues"; Ystad 6.2, seed 004).

- The counterpart answers the round's question guide (``guide_answers_save``); a save based on
  an older version of an answer is refused with ``EditConflict``, per answer.
- For the administration's dialogue with a unit, the unit assesses itself against the quality
  matrix of each of its school forms (``self_assessment_save``), beside last year's assessment.
- From any assessed area, the unit turns what it found into a goal or an activity of its own
  chain in one step (``area_to_goal``, ``area_to_activity``), through the chain's services.
- The unit's chain status (and, once quality reports exist, its latest report) are attached
  as material (``dialogue_material``).

The rules of who may do what that are particular to preparation live here, built from
``ska.access``'s permissions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from ska.access import dialogue_side
from ska.chain_status import UnitChain, unit_chain
from ska.models import Activity, Goal, SchoolForm, Unit
from ska.schoolyear import SchoolYear, Term
from ska.services import chain, chain_edit
from ska.services.records import EditConflict, record_update

from ..models import (
    AreaAssessment,
    Dialogue,
    DialogueKind,
    GuideAnswer,
    MatrixArea,
    MatrixDescriptor,
    MatrixLevel,
    QualityMatrix,
    SelfAssessment,
)


def _with_user(record, user):
    record._history_user = user
    return record


# --- Rules particular to preparation --------------------------------------------------------
def is_held(dialogue: Dialogue) -> bool:
    return dialogue.held_at is not None


def may_answer_guide(user, dialogue: Dialogue) -> bool:
    """The counterpart answers the question guide until the dialogue has been held."""
    return not is_held(dialogue) and user.has_perm("ska.prepare_dialogue", dialogue)


def has_self_assessment(dialogue: Dialogue) -> bool:
    """The administration's dialogue with one of the municipality's own units."""
    return (
        dialogue.round.kind == DialogueKind.ADMINISTRATION
        and dialogue.unit_id is not None
        and dialogue.unit.administration_id is not None
    )


def may_edit_self_assessment(user, dialogue: Dialogue) -> bool:
    """The unit's own people (its counterpart side, who may keep the unit's chain) until the
    dialogue has been held. The hosts read it."""
    return (
        has_self_assessment(dialogue)
        and not is_held(dialogue)
        and dialogue_side(user, dialogue) == "counterpart"
        and user.has_perm("ska.work_on_unit_chain", dialogue.unit)
    )


def may_turn_into_action(user, dialogue: Dialogue) -> bool:
    """Whoever may keep the unit's chain turns an area into a goal or an activity of it,
    also after the dialogue: assessment leads to action."""
    return (
        has_self_assessment(dialogue)
        and user.has_perm("ska.view_dialogue", dialogue)
        and user.has_perm("ska.work_on_unit_chain", dialogue.unit)
    )


# --- The question guide ----------------------------------------------------------------------
@dataclass
class GuideItem:
    position: int
    question: str
    answer: GuideAnswer | None

    @property
    def text(self) -> str:
        return self.answer.answer if self.answer else ""

    @property
    def version(self) -> int:
        return self.answer.version if self.answer else 0


def guide_items(dialogue: Dialogue) -> list[GuideItem]:
    """Each question of the round's guide with its answer, if any (one query). Answers to
    questions that have since left the guide are kept and shown after them."""
    answers = {a.position: a for a in GuideAnswer.objects.filter(dialogue=dialogue).select_related("updated_by")}
    items = [
        GuideItem(position, str(question), answers.pop(position, None))
        for position, question in enumerate(dialogue.round.question_guide or [], start=1)
    ]
    items.extend(GuideItem(a.position, a.question, a) for a in sorted(answers.values(), key=lambda a: a.position))
    return items


@dataclass
class GuideSaveResult:
    saved: dict[int, GuideAnswer] = field(default_factory=dict)  # position → the answer as saved
    conflicts: dict[int, EditConflict] = field(default_factory=dict)  # position → what happened


def _guide_conflict(current: GuideAnswer, yours: str) -> EditConflict:
    return EditConflict(
        current=current,
        changed_by=current.updated_by,
        changed_at=current.updated_at,
        changes=[(_("answer"), yours, current.answer)],
    )


def guide_answers_save(*, dialogue: Dialogue, answers: dict[int, tuple[str, int]], user) -> GuideSaveResult:
    """Save the counterpart's answers: ``{position: (text, version the form was opened on)}``.

    An answer is created on its first save (version 0 in the form). An answer somebody else
    has saved since the form was opened is not overwritten: its conflict is returned, and the
    other answers are saved. Unchanged answers are not written.
    """
    questions = {item.position: item.question for item in guide_items(dialogue)}
    result = GuideSaveResult()
    for position, (text, version) in sorted(answers.items()):
        if position not in questions:
            continue
        text = text.strip()
        try:
            with transaction.atomic():
                current = GuideAnswer.objects.select_for_update().filter(dialogue=dialogue, position=position).first()
                if current is None:
                    if version:  # the answer was removed in between: treat as someone else's change
                        raise IntegrityError
                    if not text:
                        continue
                    current = GuideAnswer(dialogue=dialogue, position=position, question=questions[position])
                elif current.version != version:
                    if current.answer != text:
                        result.conflicts[position] = _guide_conflict(current, text)
                    continue
                elif current.answer == text:
                    continue
                else:
                    current.version += 1
                current.answer = text
                current.question = questions[position]
                current.updated_by = user
                _with_user(current, user).save()
                result.saved[position] = current
        except IntegrityError:
            # Two first saves at the same moment: the other one won.
            current = GuideAnswer.objects.select_related("updated_by").filter(dialogue=dialogue, position=position).first()
            if current is not None and current.answer != text:
                result.conflicts[position] = _guide_conflict(current, text)
    return result


# --- Material ----------------------------------------------------------------------------------
def latest_quality_report(unit: Unit, school_year: SchoolYear):
    """The unit's latest quality report, attached as material: its submitted or approved
    report of the school year, else of the year before (or None). One query."""
    from reports.services.unit_reports import latest_shown_report

    return latest_shown_report(unit, school_year)


@dataclass
class Material:
    chain: UnitChain | None = None  # the unit's chain for the round's school year
    quality_report: object | None = None
    assessments: list[AssessmentSlot] = field(default_factory=list)

    @property
    def complete_goals(self) -> int:
        return sum(state.is_complete for state in self.chain.goals) if self.chain else 0


@dataclass
class AssessmentSlot:
    """One school form of the unit with a matrix, and its self-assessment this year, if any."""

    school_form: SchoolForm
    matrix: QualityMatrix
    assessment: SelfAssessment | None
    assessed_areas: int = 0

    @property
    def area_count(self) -> int:
        return len(self.matrix.areas.all())


def dialogue_material(dialogue: Dialogue) -> Material:
    """What the dialogue is prepared from: for a municipal unit, its chain status and latest
    quality report, and for the administration's dialogue the self-assessments. Independent
    providers' units are not in the municipality's chain: a provider dialogue has none."""
    unit = dialogue.unit
    if unit is None or unit.administration_id is None:
        return Material()
    school_year = dialogue.round.school_year
    material = Material(chain=unit_chain(unit, school_year), quality_report=latest_quality_report(unit, school_year))
    if has_self_assessment(dialogue):
        material.assessments = assessment_slots(dialogue)
    return material


def _matrices_for(dialogue: Dialogue):
    return (
        QualityMatrix.objects.filter(
            municipality_id=dialogue.round.municipality_id, school_form__in=dialogue.unit.school_forms.all()
        )
        .select_related("school_form")
        .prefetch_related(Prefetch("areas", queryset=MatrixArea.objects.only("pk", "matrix_id")))
        .order_by("school_form__sort_order", "school_form__name")
    )


def assessment_slots(dialogue: Dialogue) -> list[AssessmentSlot]:
    """The unit's school forms that have a matrix, each with this year's self-assessment."""
    matrices = list(_matrices_for(dialogue))
    assessments = {
        a.school_form_id: a
        for a in SelfAssessment.objects.filter(
            unit=dialogue.unit, school_year=dialogue.round.school_year, school_form__in=[m.school_form_id for m in matrices]
        ).prefetch_related("areas")
    }
    slots = []
    for matrix in matrices:
        assessment = assessments.get(matrix.school_form_id)
        assessed = sum(1 for a in assessment.areas.all() if a.level_id) if assessment else 0
        slots.append(AssessmentSlot(matrix.school_form, matrix, assessment, assessed))
    return slots


# --- The self-assessment ------------------------------------------------------------------------
@dataclass
class AreaRow:
    """One area of the matrix on the self-assessment page: its levels with their descriptors,
    this year's assessment and last year's."""

    area: MatrixArea
    levels: list[tuple[MatrixLevel, str]]  # (level, descriptor)
    current: AreaAssessment | None
    last_year: AreaAssessment | None


@dataclass
class AssessmentPage:
    matrix: QualityMatrix
    school_year: SchoolYear
    assessment: SelfAssessment | None
    last_year: SelfAssessment | None
    rows: list[AreaRow]

    @property
    def levels(self) -> list[MatrixLevel]:
        return list(self.matrix.levels.all())


def matrix_for(dialogue: Dialogue, school_form_code: str) -> QualityMatrix | None:
    """The matrix of one of the unit's school forms, with levels, areas and descriptors."""
    return (
        QualityMatrix.objects.filter(
            municipality_id=dialogue.round.municipality_id,
            school_form__code=school_form_code,
            school_form__units=dialogue.unit,
        )
        .select_related("school_form")
        .prefetch_related(
            Prefetch("levels", queryset=MatrixLevel.objects.order_by("number")),
            Prefetch(
                "areas",
                queryset=MatrixArea.objects.order_by("position", "pk").prefetch_related(
                    Prefetch("descriptors", queryset=MatrixDescriptor.objects.all())
                ),
            ),
        )
        .first()
    )


def _assessment(unit, school_form, school_year):
    return (
        SelfAssessment.objects.filter(unit=unit, school_form=school_form, school_year=school_year)
        .select_related("submitted_by")
        .prefetch_related(
            Prefetch(
                "areas",
                queryset=AreaAssessment.objects.select_related("area", "level", "goal", "activity__goal"),
            )
        )
        .first()
    )


def assessment_page(dialogue: Dialogue, matrix: QualityMatrix) -> AssessmentPage:
    """Everything the self-assessment page shows, in a fixed number of queries."""
    school_year = dialogue.round.school_year
    assessment = _assessment(dialogue.unit, matrix.school_form, school_year)
    last_year = _assessment(dialogue.unit, matrix.school_form, school_year.previous())
    current = {a.area_id: a for a in assessment.areas.all()} if assessment else {}
    previous = {a.area_id: a for a in last_year.areas.all()} if last_year else {}
    previous_by_title = {a.area.title.casefold(): a for a in previous.values()}
    levels = list(matrix.levels.all())
    rows = []
    for area in matrix.areas.all():
        descriptors = {d.level_id: d.text for d in area.descriptors.all()}
        rows.append(
            AreaRow(
                area=area,
                levels=[(level, descriptors.get(level.pk, "")) for level in levels],
                current=current.get(area.pk),
                last_year=previous.get(area.pk) or previous_by_title.get(area.title.casefold()),
            )
        )
    return AssessmentPage(matrix=matrix, school_year=school_year, assessment=assessment, last_year=last_year, rows=rows)


def _describe(level: MatrixLevel | None, justification: str) -> str:
    label = str(level) if level else _("no level")
    return f"{label}: {justification}" if justification else label


@transaction.atomic
def self_assessment_save(
    *,
    dialogue: Dialogue,
    matrix: QualityMatrix,
    assessment: SelfAssessment | None,
    version: int,
    values: dict[int, tuple[MatrixLevel | None, str]],
    submit: bool,
    user,
) -> SelfAssessment:
    """Save the levels and justifications (``{area pk: (level, justification)}``), and submit
    the assessment if asked. The assessment is created on its first save. A save based on an
    older version raises ``EditConflict`` naming the areas the other person changed."""
    school_year = dialogue.round.school_year
    if assessment is None:
        assessment = SelfAssessment.objects.filter(
            unit=dialogue.unit, school_form=matrix.school_form, school_year=school_year
        ).first()
        if assessment is None:
            assessment = SelfAssessment(
                unit=dialogue.unit, school_form=matrix.school_form, school_year=school_year, matrix=matrix, dialogue=dialogue
            )
            try:
                with transaction.atomic():
                    _with_user(assessment, user).save()
            except IntegrityError:  # created by someone else at the same moment
                assessment = SelfAssessment.objects.get(
                    unit=dialogue.unit, school_form=matrix.school_form, school_year=school_year
                )
            else:
                version = assessment.version
    stored = {a.area_id: a for a in AreaAssessment.objects.filter(assessment=assessment).select_related("level")}
    assessment_values = {}
    if submit:
        assessment_values = {"submitted_at": timezone.now(), "submitted_by": user}
    try:
        assessment = record_update(record=assessment, version=version, values=assessment_values, user=user)
    except EditConflict as conflict:
        areas = {area.pk: area for area in matrix.areas.all()}
        for area_pk, (level, justification) in values.items():
            theirs = stored.get(area_pk)
            theirs_level, theirs_text = (theirs.level, theirs.justification) if theirs else (None, "")
            if (theirs_level, theirs_text) != (level, justification.strip()):
                conflict.changes.append(
                    (areas[area_pk].title, _describe(level, justification.strip()), _describe(theirs_level, theirs_text))
                )
        raise
    for area_pk, (level, justification) in values.items():
        justification = justification.strip()
        row = stored.get(area_pk)
        if row is None:
            if level is None and not justification:
                continue
            row = AreaAssessment(assessment=assessment, area_id=area_pk)
        elif (row.level_id, row.justification) == (level.pk if level else None, justification):
            continue
        row.level, row.justification = level, justification
        _with_user(row, user).save()
    return assessment


# --- From an area to the chain -----------------------------------------------------------------
def _period(school_year: SchoolYear) -> tuple[Term, Term]:
    today = Term.current()
    start = today if school_year.autumn <= today <= school_year.spring else school_year.autumn
    return start, school_year.spring


def unit_goals_for(dialogue: Dialogue):
    """The unit's goals of the round's school year that an activity can be put under."""
    return Goal.objects.in_force(dialogue.round.school_year).filter(unit=dialogue.unit).order_by(
        "sort_order", "title", "pk"
    )


def administration_goals_for(dialogue: Dialogue):
    """The administration-wide goals a unit goal of the round's school year can concretise."""
    return Goal.objects.in_force(dialogue.round.school_year).filter(
        administration_id=dialogue.unit.administration_id,
        level=Goal.Level.ADMINISTRATION,
    ).order_by("sort_order", "title", "pk")


@transaction.atomic
def area_to_goal(
    *, area_assessment: AreaAssessment, dialogue: Dialogue, title: str, description: str, parent: Goal | None,
    origin: str, user,
) -> Goal:
    """Turn an assessed area into a goal of the unit, in one step: a unit goal under
    ``parent`` (an administration-wide goal), or a local goal from the unit's own needs.
    The chain's own rules (``ska.services.chain.goal_create``) validate it. Safe to run twice:
    the area remembers the goal it became."""
    area_assessment = AreaAssessment.objects.select_for_update().get(pk=area_assessment.pk)
    if area_assessment.goal_id:
        return area_assessment.goal
    school_year = dialogue.round.school_year
    start, end = _period(school_year)
    goal = chain.goal_create(
        level=Goal.Level.UNIT if parent else Goal.Level.LOCAL,
        owner=dialogue.unit,
        school_year=school_year,
        parent=parent,
        values={"title": title, "description": description, "origin": origin, "start_term": start, "end_term": end},
        user=user,
    )
    area_assessment.goal = goal
    _with_user(area_assessment, user).save()
    return goal


@transaction.atomic
def area_to_activity(*, area_assessment: AreaAssessment, goal: Goal, form, user) -> Activity:
    """Turn an assessed area into an activity under one of the unit's goals, saved with the
    chain's own form and service (``ska.forms_chain.ActivityForm``, validated by the caller).
    Safe to run twice: the area remembers the activity it became."""
    area_assessment = AreaAssessment.objects.select_for_update().get(pk=area_assessment.pk)
    if area_assessment.activity_id:
        return area_assessment.activity
    activity = chain_edit.activity_create(goal=goal, form=form, user=user)
    area_assessment.activity = activity
    _with_user(area_assessment, user).save()
    return activity
