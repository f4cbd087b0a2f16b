"""Preparing a dialogue: the counterpart's answers to the question guide with the material
(the unit's chain status, its self-assessment, its latest quality report), the unit's
self-assessment against the quality matrix, and turning an assessed area into a goal or an
activity of the unit's chain."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ska.access import dialogue_side, get_visible_or_404
from ska.forms_chain import ActivityForm
from ska.models import Activity
from ska.services.records import EditConflict
from ska.views.conflicts import conflict_message, mark_conflict

from ..forms_preparation import AreaToActivityForm, AreaToGoalForm, GuideForm, SelfAssessmentForm
from ..models import AreaAssessment, Dialogue
from ..services import preparation as services


def _dialogue(request, pk) -> Dialogue:
    queryset = Dialogue.objects.select_related("round", "unit", "provider", "committee")
    return get_visible_or_404(request.user, queryset, "ska.view_dialogue", pk=pk)


def _url(name: str, *args) -> str | None:
    """A link to a page of another part of the dialogs app, if that page exists yet."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _context(request, dialogue: Dialogue, **extra) -> dict:
    return {
        "dialogue": dialogue,
        "side": dialogue_side(request.user, dialogue),
        "dialogue_url": _url("dialogs:dialogue_detail", dialogue.pk),
        "round_url": _url("dialogs:round_detail", dialogue.round_id),
        "prepare_url": reverse("dialogs:dialogue_prepare", args=[dialogue.pk]),
        **extra,
    }


# --- The question guide and the material ------------------------------------------------------
@require_http_methods(["GET", "POST"])
def dialogue_prepare(request, pk):
    dialogue = _dialogue(request, pk)
    can_answer = services.may_answer_guide(request.user, dialogue)
    if request.method == "POST" and not can_answer:
        raise PermissionDenied
    items = services.guide_items(dialogue)
    form = GuideForm(request.POST if request.method == "POST" else None, items=items) if can_answer else None
    if request.method == "POST" and form.is_valid():
        result = services.guide_answers_save(dialogue=dialogue, answers=form.answers(), user=request.user)
        if not result.conflicts:
            messages.success(request, _("Your answers have been saved."))
            return redirect(request.path)
        for position, answer in result.saved.items():
            form.set_version(position, answer.version)
        for position, conflict in result.conflicts.items():
            form.set_version(position, conflict.current.version)
            form.add_error(f"answer_{position}", conflict_message(conflict))
        if result.saved:
            messages.info(request, _("Your other answers have been saved."))
    material = services.dialogue_material(dialogue)
    unit = dialogue.unit
    context = _context(
        request,
        dialogue,
        items=items,
        form=form,
        material=material,
        held=services.is_held(dialogue),
        unit_url=(
            f"{unit.get_absolute_url()}?lasar={dialogue.round.school_year.start_year}"
            if unit and request.user.has_perm("ska.view_unit", unit)
            else None
        ),
        title=_("Preparation"),
    )
    return render(request, "dialogs/preparation/prepare.html", context)


# --- The self-assessment -----------------------------------------------------------------------
def _assessment_dialogue(request, pk) -> Dialogue:
    dialogue = _dialogue(request, pk)
    if not services.has_self_assessment(dialogue):
        raise Http404
    return dialogue


def _chain_url(unit, school_year, goal_id) -> str:
    return f"{unit.get_absolute_url()}?lasar={school_year.start_year}#goal-{goal_id}"


@require_http_methods(["GET", "POST"])
def self_assessment(request, pk, school_form):
    dialogue = _assessment_dialogue(request, pk)
    matrix = services.matrix_for(dialogue, school_form)
    if matrix is None:
        raise Http404
    can_edit = services.may_edit_self_assessment(request.user, dialogue)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied
    page = services.assessment_page(dialogue, matrix)
    form = SelfAssessmentForm(request.POST if request.method == "POST" else None, page=page)
    if request.method == "POST" and form.is_valid():
        submit = "submit" in request.POST
        try:
            services.self_assessment_save(
                dialogue=dialogue,
                matrix=matrix,
                assessment=page.assessment,
                version=form.cleaned_data["version"] or 0,
                values=form.values(),
                submit=submit,
                user=request.user,
            )
        except EditConflict as conflict:
            mark_conflict(form, conflict)
        else:
            if submit:
                messages.success(request, _("The self-assessment has been submitted. It can be changed until the dialogue is held."))
            else:
                messages.success(request, _("The self-assessment has been saved as a draft."))
            return redirect(request.path)
    form.bind_rows()
    can_act = services.may_turn_into_action(request.user, dialogue)
    for row in page.rows:
        current = row.current
        row.goal_url = _chain_url(dialogue.unit, page.school_year, current.goal_id) if current and current.goal_id else None
        row.activity_url = (
            _chain_url(dialogue.unit, page.school_year, current.activity.goal_id)
            if current and current.activity_id
            else None
        )
        row.can_act = bool(can_act and current and (current.level_id or current.justification) and not (current.goal_id and current.activity_id))
    context = _context(
        request,
        dialogue,
        page=page,
        form=form,
        can_edit=can_edit,
        title=_("Self-assessment: %(form)s") % {"form": matrix.school_form},
    )
    return render(request, "dialogs/preparation/self_assessment.html", context)


# --- From an area to the chain -----------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def area_to_action(request, pk, area_pk):
    dialogue = _assessment_dialogue(request, pk)
    try:
        area_assessment = AreaAssessment.objects.select_related(
            "assessment__school_form", "area", "level", "goal", "activity__goal"
        ).get(pk=area_pk, assessment__unit=dialogue.unit, assessment__deleted_at__isnull=True)
    except AreaAssessment.DoesNotExist:
        raise Http404
    if not services.may_turn_into_action(request.user, dialogue):
        raise PermissionDenied
    action = request.POST.get("action") if request.method == "POST" else None
    area, justification = area_assessment.area, area_assessment.justification
    goal_form = AreaToGoalForm(
        request.POST if action == "goal" else None,
        parents=services.administration_goals_for(dialogue),
        initial={"title": area.title, "description": justification},
    )
    goals = services.unit_goals_for(dialogue)
    activity_form = AreaToActivityForm(
        request.POST if action == "activity" else None,
        goals=goals,
        initial={"title": area.title, "purpose": justification},
    )
    back = (
        reverse("dialogs:self_assessment", args=[dialogue.pk, area_assessment.assessment.school_form.code])
        + f"#area-{area.pk}"
    )
    if action == "goal" and not area_assessment.goal_id and goal_form.is_valid():
        data = goal_form.cleaned_data
        try:
            goal = services.area_to_goal(
                area_assessment=area_assessment,
                dialogue=dialogue,
                title=data["title"],
                description=data["description"],
                parent=data["parent"],
                origin=data["origin"],
                user=request.user,
            )
        except ValidationError as error:
            goal_form.add_error(None, error.messages)
        else:
            messages.success(request, _("“%(title)s” is now a goal of the unit.") % {"title": goal.title})
            return redirect(back)
    if action == "activity" and not area_assessment.activity_id and activity_form.is_valid():
        goal = activity_form.cleaned_data["goal"]
        chain_form = ActivityForm(
            {
                "title": activity_form.cleaned_data["title"],
                "purpose": activity_form.cleaned_data["purpose"],
                "status": Activity.Status.PLANNED,
            },
            goal=goal,
        )
        if chain_form.is_valid():
            try:
                activity = services.area_to_activity(
                    area_assessment=area_assessment, goal=goal, form=chain_form, user=request.user
                )
            except ValidationError as error:
                activity_form.add_error(None, error.messages)
            else:
                messages.success(
                    request, _("“%(title)s” is now an activity under “%(goal)s”.") % {"title": activity.title, "goal": goal}
                )
                return redirect(back)
        else:
            for errors in chain_form.errors.values():
                activity_form.add_error(None, errors)
    school_year = dialogue.round.school_year
    context = _context(
        request,
        dialogue,
        area_assessment=area_assessment,
        goal_form=goal_form,
        activity_form=activity_form,
        has_goals=goals.exists(),
        back_url=back,
        goal_url=_chain_url(dialogue.unit, school_year, area_assessment.goal_id) if area_assessment.goal_id else None,
        activity_url=(
            _chain_url(dialogue.unit, school_year, area_assessment.activity.goal_id) if area_assessment.activity_id else None
        ),
        title=_("Turn “%(area)s” into action") % {"area": area.title},
    )
    return render(request, "dialogs/preparation/area_action.html", context)
