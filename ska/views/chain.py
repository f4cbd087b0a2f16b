"""The goal chain in the browser: the unit's chain and editing it in place with htmx."""

from annualwheel.models import FollowUpPart
from annualwheel.services.deadlines import analysed_term, next_analysis_deadlines, overdue_follow_ups, part_windows
from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from django.contrib import messages

from ..forms_chain import ChainSettingsForm, LevelGoalForm
from ..services.chain import goal_create

from ..access import get_changeable_or_404, get_visible_or_404, led_administrations, require_perm, visible_goals, visible_units
from ..chain_status import IndicatorState, administration_goals, chain_matrix, goal_states, goals_above_units
from ..charts import spread_chart
from ..equity import by_school_form, definition_spread, shared_choices, spread, trend
from ..forms_chain import CheckInForm
from ..models import Analysis, Attainment, CheckIn, Goal, Indicator, SchoolForm
from ..schoolyear import Term
from .organisation import school_year_from, school_years_around
from ..services.check_ins import check_in_record


@require_POST
def check_in_create(request, indicator_pk):
    """Record a check-in: value, Enter. Answers htmx with the indicator's block, redrawn."""
    indicator = get_changeable_or_404(
        request.user, Indicator.objects.select_related("goal__unit", "kolada").prefetch_related("kolada__values"), pk=indicator_pk
    )
    form = CheckInForm(request.POST, indicator=indicator)
    if form.is_valid():
        check_in_record(indicator=indicator, values=form.cleaned_data, user=request.user)
        form = CheckInForm(indicator=indicator)
        saved = True
    else:
        saved = False
    if not request.htmx:
        return redirect(indicator.goal.get_absolute_url().split("#")[0] + f"#indicator-{indicator.pk}")
    return indicator_block(request, indicator, form=form, saved=saved)


def indicator_block(request, indicator, *, form=None, saved=False):
    """The indicator's block, as htmx redraws it after a check-in or a Kolada fetch."""
    state = IndicatorState(indicator, list(CheckIn.objects.filter(indicator=indicator).order_by("date", "pk")))
    can_change = request.user.has_perm("ska.change_chain", indicator)
    if can_change:
        state.check_in_form = form or CheckInForm(indicator=indicator)
    return render(request, "ska/chain/indicator.html", {"state": state, "can_change": can_change, "saved": saved})


@require_GET
@require_perm("ska.view_matrix")
def matrix(request):
    """For förvaltningsledning: every unit × every administration-wide goal of the school year,
    and whether the unit's chain is whole under it."""
    administrations = list(led_administrations(request.user))
    administration = led_administration_from(request, administrations)
    school_year = school_year_from(request)
    form_code = request.GET.get("skolform", "")[:40]
    units = (
        visible_units(request.user).filter(administration=administration).open()
        .select_related("administration__municipality").prefetch_related("school_forms").order_by("name", "pk")
    )
    if form_code:
        units = units.filter(school_forms__code=form_code)
    page = Paginator(units, settings.SKA_MATRIX_PAGE_SIZE).get_page(request.GET.get("sida"))
    goals = list(administration_goals(administration, school_year).prefetch_related("school_forms"))
    units = list(page.object_list)
    rows = chain_matrix(goals, units, school_year, **_analysis_deadlines(units, school_year))
    _mark_overdue(rows, goals, school_year)
    return render(
        request,
        "ska/chain/matrix.html",
        {
            "administration": administration,
            "administrations": administrations,
            "school_year": school_year,
            "school_years": school_years_around(school_year),
            "goals": goals,
            "rows": rows,
            "page": page,
            "form_code": form_code,
            "school_forms": SchoolForm.objects.all(),
            "can_keep_settings": request.user.has_perm("ska.keep_chain_settings", administration),
        },
    )


def _analysis_deadlines(units, school_year) -> dict:
    """Each unit's due term for follow-up and analysis by the wheel's passed deadlines, and the
    day of its next such deadline (the matrix says 'not yet due' until then)."""
    windows = part_windows(units, school_year)
    due = {
        unit_id: analysed_term(parts[FollowUpPart.ANALYSES].date)
        for unit_id, parts in windows.items()
        if FollowUpPart.ANALYSES in parts
    }
    upcoming = {unit_id: occurrence.date for unit_id, occurrence in next_analysis_deadlines(units, school_year).items()}
    return {"due": due, "next_due": upcoming}


def _mark_overdue(rows, goals, school_year) -> None:
    """Cells whose unit goals were not followed up by a passed follow-up deadline."""
    overdue = overdue_follow_ups([row.unit for row in rows], school_year)
    for row in rows:
        late = overdue.get(row.unit.pk)
        if late is None:
            continue
        for goal, cell in zip(goals, row.cells):
            cell.overdue_since = late.since(goal.pk)


def _administration_goal(request, pk) -> Goal:
    goal = get_visible_or_404(
        request.user, Goal.objects.select_related("administration"), "ska.view_chain", pk=pk, level=Goal.Level.ADMINISTRATION
    )
    if not request.user.has_perm("ska.view_matrix"):
        raise PermissionDenied
    return goal


@require_GET
def administration_goal(request, pk):
    """An administration-wide goal with every unit's goals under it: their latest state and,
    side by side, their analyses of a chosen term; filtered by school form, a page at a time."""
    from .readback import analysed_terms, term_from, term_options

    goal = _administration_goal(request, pk)
    all_unit_goals = visible_goals(request.user).filter(parent=goal, unit__isnull=False)
    terms = analysed_terms(all_unit_goals)
    period = _goal_terms(goal)
    current = Term.current()
    term = term_from(request, terms[-1] if terms else (current if current in period else goal.start_term))
    form_code = request.GET.get("skolform", "")[:40]
    school_forms = list(SchoolForm.objects.all())
    chosen_form = next((form for form in school_forms if form.code == form_code), None)  # unknown: all of them
    unit_goals = all_unit_goals
    if chosen_form is not None:
        unit_goals = unit_goals.filter(unit__school_forms=chosen_form)
    page = Paginator(unit_goals.select_related("unit").order_by("unit__name", "pk"), settings.SKA_PAGE_SIZE).get_page(
        request.GET.get("sida")
    )
    states = goal_states(Goal.objects.filter(pk__in=[g.pk for g in page.object_list]).select_related("unit").order_by("unit__name", "pk"))
    for state in states:
        state.term_analysis = state.analysis_in(term)
    return render(
        request,
        "ska/chain/administration_goal.html",
        {
            **_own_follow_up(request, goal),
            "goal": goal,
            "states": states,
            "page": page,
            "shared": shared_choices(goal)[:10],
            "term": term,
            "term_options": term_options([*terms, *period, term]),
            "school_forms": school_forms,
            "form_code": chosen_form.code if chosen_form else "",
            "attainment": attainment_summary(unit_goals, term, page.paginator.count),
        },
    )


def _own_follow_up(request, goal: Goal) -> dict:
    """The goal's own chain (indicators, insatser, analyses) as a card, editable by those who
    may change the goal."""
    from .chain_edit import _with_check_in_forms

    (state,) = goals_above_units(Goal.objects.filter(pk=goal.pk))
    can_change = request.user.has_perm("ska.change_chain", goal)
    if can_change:
        _with_check_in_forms([state])
    return {"own_state": state, "can_change": can_change}


@require_GET
def goal_detail(request, pk):
    """A goal area or committee goal: its own follow-up and the goals under it."""
    goal = get_visible_or_404(
        request.user, Goal.objects.select_related("parent", "committee", "municipality"), "ska.view_chain", pk=pk,
        level__in=[Goal.Level.AREA, Goal.Level.COMMITTEE],
    )
    children = list(visible_goals(request.user).filter(parent=goal).order_by("sort_order", "title", "pk"))
    return render(request, "ska/chain/goal_detail.html", {**_own_follow_up(request, goal), "goal": goal, "children": children})


def _goal_terms(goal: Goal) -> list[Term]:
    """The terms of a goal's period (at most twelve)."""
    terms, term = [], goal.start_term
    while term <= goal.end_term and len(terms) < 12:
        terms.append(term)
        term = term.next()
    return terms


def attainment_summary(unit_goals, term: Term, total: int) -> list[tuple[str, int]]:
    """How the unit goals' analyses of ``term`` judged attainment, as (label, count) from
    attained down, then not judged and not analysed (one query)."""
    counts = dict(
        Analysis.objects.filter(goal__in=unit_goals, term=term).order_by().values_list("attainment").annotate(n=Count("pk"))
    )
    rows = [(label, counts.get(value, 0)) for value, label in reversed(Attainment.choices)]
    rows.append((_("Not judged yet"), counts.get(None, 0)))
    rows.append((_("Not analysed"), total - sum(counts.values())))
    return rows


@require_GET
def equity(request, pk):
    """How a shared indicator's latest values spread across the units (likvärdighet)."""
    goal = _administration_goal(request, pk)
    choices = shared_choices(goal)
    chosen = next((c for c in choices if c.key == request.GET.get("indikator", "")[:300]), choices[0] if choices else None)
    context = {"goal": goal, "shared": choices, "chosen": chosen, "title": chosen.title if chosen else "", "spread": None,
               "unit_of_measure": ""}
    if chosen is not None and chosen.definition is not None:
        definition = chosen.definition
        context.update(
            spread=definition_spread(definition),
            unit_of_measure=definition.unit_of_measure,
            trend=trend(definition),
            by_form=by_school_form(definition),
        )
    elif chosen is not None:
        context["spread"] = spread(goal, chosen.title)
        context["unit_of_measure"] = (
            Indicator.objects.filter(goal__parent=goal, title=chosen.title).exclude(unit_of_measure="")
            .values_list("unit_of_measure", flat=True).first()
        ) or ""
    context["chart"] = spread_chart(context["spread"], context["unit_of_measure"])
    return render(request, "ska/chain/equity.html", context)


# --- Goals above the units: goal areas, committee goals, administration-wide goals -------
LEVELS_ABOVE_UNITS = [Goal.Level.AREA, Goal.Level.COMMITTEE, Goal.Level.ADMINISTRATION]


def led_administration_from(request, administrations=None):
    """The administration the page is about: the one asked for (?forvaltning=), if the person
    leads it, else the first they lead; 404 for a person who leads none."""
    administrations = list(led_administrations(request.user)) if administrations is None else administrations
    if not administrations:
        raise Http404
    chosen = request.GET.get("forvaltning") or request.POST.get("forvaltning")
    return next((a for a in administrations if str(a.pk) == chosen), administrations[0])



def _owner_for(level, administration):
    return {
        Goal.Level.AREA: administration.municipality,
        Goal.Level.COMMITTEE: administration.committee,
        Goal.Level.ADMINISTRATION: administration,
    }[Goal.Level(level)]


@require_GET
@require_perm("ska.view_matrix")
def goal_levels(request):
    """The chain from the top: the municipality's goal areas, the committee's goals and the
    administration-wide goals of a school year, each under the one it concretises."""
    administration = led_administration_from(request)
    school_year = school_year_from(request)
    goals = list(
        Goal.objects.filter(school_year=school_year)
        .filter(
            Q(level=Goal.Level.AREA, municipality=administration.municipality)
            | Q(level=Goal.Level.COMMITTEE, committee=administration.committee)
            | Q(level=Goal.Level.ADMINISTRATION, administration=administration)
        )
        .order_by("sort_order", "title", "pk")
    )
    children: dict[int | None, list[Goal]] = {}
    for goal in goals:
        children.setdefault(goal.parent_id, []).append(goal)
    for goal in goals:
        goal.child_goals = children.get(goal.pk, [])
    ids = {g.pk for g in goals}
    orphans = {
        level: [g for g in goals if g.level == level and (g.parent_id is None or g.parent_id not in ids)]
        for level in (Goal.Level.COMMITTEE, Goal.Level.ADMINISTRATION)
    }
    return render(
        request,
        "ska/chain/goal_levels.html",
        {
            "administration": administration,
            "school_year": school_year,
            "school_years": school_years_around(school_year),
            "areas": [g for g in goals if g.level == Goal.Level.AREA],
            "can_roll_over": request.user.has_perm("ska.keep_chain_settings", administration),
            "orphans": orphans,
            "levels": LEVELS_ABOVE_UNITS,
        },
    )


@require_http_methods(["GET", "POST"])
@require_perm("ska.view_matrix")
def level_goal_create(request, level):
    if level not in LEVELS_ABOVE_UNITS:
        raise Http404
    administration = led_administration_from(request)
    school_year = school_year_from(request)
    owner = _owner_for(level, administration)
    probe = Goal(level=level, **{Goal.OWNER_FIELD[Goal.Level(level)]: owner})
    if not request.user.has_perm("ska.change_chain", probe):
        raise PermissionDenied
    form = LevelGoalForm(request.POST or None, level=level, administration=administration, school_year=school_year)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("version", "parent")}
        try:
            goal = goal_create(level=level, owner=owner, school_year=school_year, parent=form.cleaned_data.get("parent"),
                               values=data, user=request.user)
            return _levels_redirect(request, goal)
        except ValidationError as error:
            form.add_error(None, error)
    title = _("New %(level)s, %(year)s") % {"level": Goal.Level(level).label.lower(), "year": school_year}
    template = "ska/chain/form.html" if request.htmx else "ska/chain/form_page.html"
    return render(request, template, {"form": form, "title": title, "back_url": reverse("goal_levels")})


@require_http_methods(["GET", "POST"])
@require_perm("ska.view_matrix")
def chain_settings(request):
    """The administration's settings for the goal chain: how many goals a unit may carry."""
    administration = led_administration_from(request)
    if not request.user.has_perm("ska.keep_chain_settings", administration):
        raise PermissionDenied
    form = ChainSettingsForm(request.POST or None, instance=administration)
    if request.method == "POST" and form.is_valid():
        administration = form.save(commit=False)
        administration._history_user = request.user
        administration.save()
        messages.success(request, _("The settings of the goal chain have been saved."))
        return redirect(f"{reverse('chain_settings')}?forvaltning={administration.pk}")
    return render(request, "ska/chain/settings.html", {"form": form, "administration": administration})


def _levels_redirect(request, goal):
    url = f"{reverse('goal_levels')}?lasar={goal.school_year.start_year}#goal-{goal.pk}"
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
