"""Creating and editing the goal chain in place.

Each form opens where it is needed (htmx GET into the page), saves with POST, and on success
the server redraws the goal it belongs to (or the whole chain for a new goal) by retargeting
the response. Without JavaScript the same URLs serve whole pages and redirect back.
An edit based on an older version is refused with the other person's change shown.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.contrib import messages
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget

from ..access import get_changeable_or_404, get_visible_or_404, visible_units
from ..chain_status import goal_states, goals_above_units, unit_chain
from ..forms_chain import (
    ActivityForm,
    CheckInEditForm,
    LevelGoalForm,
    AnalysisForm,
    CheckInForm,
    DevelopmentAreaForm,
    FollowUpForm,
    GoalForm,
    ValidityForm,
)
from ..models import Activity, Analysis, CheckIn, DevelopmentArea, Goal, Indicator, ValidityReview
from ..services import chain, chain_edit, rollover
from ..services.check_ins import check_in_value_changes
from ..services.history import readable_history
from ..services.records import EditConflict, record_delete, record_restore
from ..services.shared_indicators import roll_out
from .conflicts import mark_conflict
from .organisation import school_year_from, school_years_around

AREA_FORMS = 2  # empty development-area rows offered in the analysis form


def _with_check_in_forms(states):
    for goal_state in states:
        for state in goal_state.indicators:
            state.check_in_form = CheckInForm(indicator=state.indicator)
    return states


def _goal_response(request, goal: Goal):
    """After a save: the goal's block redrawn (htmx), or back to the page the goal is read on."""
    if not request.htmx:
        return redirect(goal.get_absolute_url())
    states = goal_states if goal.unit_id else goals_above_units
    (state,) = _with_check_in_forms(states(Goal.objects.filter(pk=goal.pk)))
    response = render(request, "ska/chain/goal.html", {"goal_state": state, "can_change": True})
    return reswap(retarget(response, f"#goal-{goal.pk}"), "outerHTML")


def _chain_response(request, unit, school_year):
    if not request.htmx:
        return redirect(f"{unit.get_absolute_url()}?lasar={school_year.start_year}#chain")
    chain = unit_chain(unit, school_year)
    _with_check_in_forms(chain.goals)
    response = render(
        request,
        "ska/chain/unit_chain.html",
        {"chain": chain, "can_change": True, "school_years": school_years_around(school_year), "unit": unit},
    )
    return reswap(retarget(response, "#chain"), "outerHTML")


def _form_response(request, context, status=200):
    record = context.get("record")
    if record is not None and record.pk:
        context["record_kind"] = KIND_OF.get(type(record))
    template = "ska/chain/form.html" if request.htmx else "ska/chain/form_page.html"
    return render(request, template, context, status=status)


def _save_edit(form, user):
    """Save an edit; on a conflict or a rule broken, the form says why and nothing is saved."""
    try:
        return chain_edit.form_update(form=form, user=user)
    except EditConflict as conflict:
        mark_conflict(form, conflict)
    except ValidationError as error:
        form.add_error(None, error)
    return None


def _edit_in_goal(request, *, form, record, goal: Goal, title: str):
    """The shared edit flow for records shown inside a goal's block: save, then redraw it."""
    if request.method == "POST" and form.is_valid() and _save_edit(form, request.user):
        return _goal_response(request, goal)
    return _form_response(request, {"form": form, "title": title, "unit": goal.unit, "record": record,
                                    "back_url": goal.get_absolute_url()})


# --- Goals ----------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def goal_create(request, unit_pk):
    unit = get_object_or_404(visible_units(request.user), pk=unit_pk)
    if not request.user.has_perm("ska.work_on_unit_chain", unit):
        raise Http404
    school_year = school_year_from(request)
    form = GoalForm(request.POST or None, unit=unit, school_year=school_year)
    if request.method == "POST" and form.is_valid():
        try:
            chain_edit.goal_create_from_form(form=form, unit=unit, school_year=school_year, user=request.user)
            return _chain_response(request, unit, school_year)
        except ValidationError as error:
            form.add_error(None, error)
    return _form_response(request, {"form": form, "title": _("New goal for %(unit)s, %(year)s") % {"unit": unit, "year": school_year}, "unit": unit, "action": request.get_full_path()})


@require_http_methods(["GET", "POST"])
def goal_edit(request, pk):
    goal = get_changeable_or_404(request.user, Goal.objects.select_related("unit", "administration", "committee"), pk=pk)
    if goal.unit_id is None:
        return _level_goal_edit(request, goal)
    form = GoalForm(request.POST or None, instance=goal, unit=goal.unit, school_year=goal.school_year)
    return _edit_in_goal(request, form=form, record=goal, goal=goal, title=_("Edit goal"))


def _level_goal_edit(request, goal):
    """Goal areas, committee goals and administration-wide goals, from the levels page."""
    from ..access import led_administrations
    from .chain import _levels_redirect

    administration = goal.administration or next(iter(led_administrations(request.user)), None)
    if administration is None:
        raise PermissionDenied
    form = LevelGoalForm(request.POST or None, instance=goal, level=goal.level, administration=administration,
                         school_year=goal.school_year)
    if request.method == "POST" and form.is_valid() and (saved := _save_edit(form, request.user)):
        return _levels_redirect(request, saved)
    return _form_response(request, {"form": form, "title": _("Edit goal"), "record": goal, "back_url": reverse("goal_levels")})


# --- Indicators -------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def indicator_create(request, goal_pk):
    from .indicator_form import indicator_form

    goal = get_changeable_or_404(request.user, Goal.objects.select_related("unit"), pk=goal_pk)
    return indicator_form(request, goal=goal, indicator=None, title=_("New indicator for “%(goal)s”") % {"goal": goal})


@require_http_methods(["GET", "POST"])
def indicator_edit(request, pk):
    from .indicator_form import indicator_form

    indicator = get_changeable_or_404(request.user, Indicator.objects.select_related("goal__unit"), pk=pk)
    return indicator_form(request, goal=indicator.goal, indicator=indicator, title=_("Edit indicator"))


@require_http_methods(["GET", "POST"])
def check_in_edit(request, pk):
    check_in = get_changeable_or_404(request.user, CheckIn.objects.select_related("indicator__goal__unit"), pk=pk)
    form = CheckInEditForm(request.POST or None, instance=check_in)
    title = _("Edit the check-in of %(date)s on “%(indicator)s”") % {"date": check_in.date, "indicator": check_in.indicator}
    return _edit_in_goal(request, form=form, record=check_in, goal=check_in.indicator.goal, title=title)


# --- Activities and their follow-ups ---------------------------------------------------
@require_http_methods(["GET", "POST"])
def activity_create(request, goal_pk):
    goal = get_changeable_or_404(request.user, Goal.objects.select_related("unit"), pk=goal_pk)
    form = ActivityForm(request.POST or None, goal=goal)
    if request.method == "POST" and form.is_valid():
        chain_edit.activity_create(goal=goal, form=form, user=request.user)
        return _goal_response(request, goal)
    return _form_response(request, {"form": form, "title": _("New activity for “%(goal)s”") % {"goal": goal}, "unit": goal.unit,
                                    "back_url": goal.get_absolute_url()})


@require_http_methods(["GET", "POST"])
def activity_edit(request, pk):
    activity = get_changeable_or_404(request.user, Activity.objects.select_related("goal__unit"), pk=pk)
    form = ActivityForm(request.POST or None, instance=activity, goal=activity.goal)
    return _edit_in_goal(request, form=form, record=activity, goal=activity.goal, title=_("Edit activity"))


@require_http_methods(["GET", "POST"])
def follow_up_create(request, activity_pk):
    activity = get_changeable_or_404(request.user, Activity.objects.select_related("goal__unit"), pk=activity_pk)
    form = FollowUpForm(request.POST or None, activity=activity)
    if request.method == "POST" and form.is_valid():
        chain_edit.follow_up_create(activity=activity, form=form, user=request.user)
        return _goal_response(request, activity.goal)
    return _form_response(request, {"form": form, "title": _("Follow up “%(activity)s”") % {"activity": activity},
                                    "unit": activity.goal.unit, "back_url": activity.goal.get_absolute_url()})


# --- Follow-up and analysis ---------------------------------------------------------------
def _analysis_forms(request, goal, analysis=None):
    data = request.POST if request.method == "POST" else None
    form = AnalysisForm(data, instance=analysis, goal=goal)
    reviews = {r.indicator_id: r for r in ValidityReview.objects.filter(analysis=analysis)} if analysis else {}
    indicators = list(goal.indicators.all())
    states = {s.indicator.pk: s for s in goal_states(Goal.objects.filter(pk=goal.pk))[0].indicators}
    validity_forms = [ValidityForm(data, instance=reviews.get(i.pk), indicator=i) for i in indicators]
    for validity in validity_forms:
        validity.state = states[validity.indicator.pk]  # the indicator's data, shown beside the questions
    area_forms = [DevelopmentAreaForm(data, prefix=f"area-{n}") for n in range(AREA_FORMS)]
    return form, validity_forms, area_forms


def _analysis_view(request, goal, analysis=None):
    form, validity_forms, area_forms = _analysis_forms(request, goal, analysis)
    if request.method == "POST" and all(f.is_valid() for f in [form, *validity_forms, *area_forms]):
        try:
            chain_edit.analysis_save(goal=goal, form=form, validity_forms=validity_forms, area_forms=area_forms, user=request.user)
            return _goal_response(request, goal)
        except EditConflict as conflict:
            mark_conflict(form, conflict)
    title = _("Follow-up and analysis of “%(goal)s”") % {"goal": goal}
    return _form_response(
        request,
        {"form": form, "validity_forms": validity_forms, "area_forms": area_forms, "title": title, "unit": goal.unit, "record": analysis,
         "back_url": goal.get_absolute_url()},
    )


@require_http_methods(["GET", "POST"])
def analysis_create(request, goal_pk):
    goal = get_changeable_or_404(request.user, Goal.objects.select_related("unit"), pk=goal_pk)
    return _analysis_view(request, goal)


@require_http_methods(["GET", "POST"])
def analysis_edit(request, pk):
    analysis = get_changeable_or_404(request.user, Analysis.objects.select_related("goal__unit"), pk=pk)
    return _analysis_view(request, analysis.goal, analysis)


# --- Next school year -----------------------------------------------------------------------
@require_POST
def goal_continue(request, pk):
    """Carry a continuing goal into the next school year (latest values become baselines)."""
    goal = get_changeable_or_404(request.user, Goal.objects.select_related("unit"), pk=pk)
    try:
        new = rollover.goal_continue(goal=goal, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _redirect_to_chain(request, goal)
    messages.success(
        request, _("“%(title)s” continues in %(year)s, with the latest values as its current state.")
        % {"title": new.title, "year": new.school_year},
    )
    return _redirect_to_chain(request, new)


@require_POST
def development_area_to_goal(request, pk):
    area = get_changeable_or_404(request.user, DevelopmentArea.objects.select_related("analysis__goal__unit"), pk=pk)
    goal = chain.development_area_to_goal(area=area, user=request.user)
    messages.success(request, _("“%(title)s” is now a draft goal for %(year)s.") % {"title": goal.title, "year": goal.school_year})
    return _redirect_to_chain(request, goal)


def _redirect_to_chain(request, goal):
    url = goal.get_absolute_url()
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


# --- Delete, restore and history -------------------------------------------------------------
KINDS = {"mal": Goal, "indikator": Indicator, "aktivitet": Activity, "avstamning": CheckIn, "analys": Analysis}
KIND_OF = {model: kind for kind, model in KINDS.items()}


@require_POST
def record_delete_view(request, kind, pk):
    model = KINDS.get(kind) or _not_found()
    record = get_changeable_or_404(request.user, model.objects.all(), pk=pk)
    if isinstance(record, Indicator) and record.is_unit_copy:
        raise PermissionDenied  # the administration decides which units measure it
    record_delete(record=record, user=request.user)
    if isinstance(record, Indicator) and record.administration_wide:
        roll_out(definition=Indicator.all_objects.get(pk=record.pk), user=request.user)
    goal = record if isinstance(record, Goal) else _goal_of(record)
    if isinstance(record, Goal):
        return _chain_response(request, goal.unit, goal.school_year)
    return _goal_response(request, goal)


@require_POST
def record_restore_view(request, kind, pk):
    model = KINDS.get(kind) or _not_found()
    record = get_changeable_or_404(request.user, model.all_objects.all(), pk=pk)
    record_restore(record=record, user=request.user)
    if isinstance(record, Indicator) and record.administration_wide:
        roll_out(definition=Indicator.objects.get(pk=record.pk), user=request.user)
    return redirect(request.POST.get("next") or "start")


def record_history(request, kind, pk):
    model = KINDS.get(kind) or _not_found()
    record = get_visible_or_404(request.user, model.all_objects.all(), "ska.view_chain", pk=pk)
    if isinstance(record, CheckIn) and not request.user.has_perm("ska.change_chain", record.indicator):
        # A check-in's history holds its raw value and group size, also from groups too small to
        # show: only those who keep the indicator (and enter its values) may read it.
        raise PermissionDenied
    can_restore = record.is_deleted and request.user.has_perm("ska.change_chain", record)
    value_changes = (
        check_in_value_changes(record) if isinstance(record, Indicator) and request.user.has_perm("ska.change_chain", record) else []
    )
    return render(request, "ska/chain/history.html", {"record": record, "entries": readable_history(record), "kind": kind,
                                                       "can_restore": can_restore, "value_changes": value_changes})


def _goal_of(record):
    from ..access import chain_goal

    return chain_goal(record)


def _not_found():
    raise Http404
