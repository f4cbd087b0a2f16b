"""The goal chain in the browser: the unit's chain and editing it in place with htmx."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from django.core.exceptions import PermissionDenied

from ..access import get_changeable_or_404, get_visible_or_404, led_administrations, require_perm
from ..chain_status import IndicatorState, administration_goals, chain_matrix, goal_states
from ..charts import spread_chart
from ..equity import shared_indicators, spread
from ..forms_chain import CheckInForm
from ..models import CheckIn, Goal, Indicator, SchoolForm, Unit
from .organisation import school_year_from, school_years_around
from ..services.check_ins import check_in_record


@require_POST
def check_in_create(request, indicator_pk):
    """Record a check-in: value, Enter. Answers htmx with the indicator's block, redrawn."""
    indicator = get_changeable_or_404(request.user, Indicator.objects.select_related("goal__unit"), pk=indicator_pk)
    form = CheckInForm(request.POST, indicator=indicator)
    if form.is_valid():
        check_in_record(indicator=indicator, values=form.cleaned_data, user=request.user)
        form = CheckInForm(indicator=indicator)
        saved = True
    else:
        saved = False
    if not request.htmx:
        return redirect(indicator.goal.unit.get_absolute_url() + f"#indicator-{indicator.pk}")
    state = IndicatorState(indicator, list(CheckIn.objects.filter(indicator=indicator).order_by("date", "pk")))
    state.check_in_form = form
    return render(request, "ska/chain/indicator.html", {"state": state, "can_change": True, "saved": saved})


@require_GET
@require_perm("ska.view_matrix")
def matrix(request):
    """For förvaltningsledning: every unit × every administration-wide goal of the school year,
    and whether the unit's chain is whole under it."""
    administrations = list(led_administrations(request.user))
    if not administrations:
        raise Http404
    chosen = request.GET.get("forvaltning")
    administration = next((a for a in administrations if str(a.pk) == chosen), administrations[0])
    school_year = school_year_from(request)
    form_code = request.GET.get("skolform", "")[:40]
    units = Unit.objects.filter(administration=administration).open().order_by("name", "pk")
    if form_code:
        units = units.filter(school_forms__code=form_code)
    page = Paginator(units, settings.SKA_MATRIX_PAGE_SIZE).get_page(request.GET.get("sida"))
    goals = list(administration_goals(administration, school_year))
    rows = chain_matrix(goals, list(page.object_list), school_year)
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
        },
    )


def _administration_goal(request, pk) -> Goal:
    goal = get_visible_or_404(
        request.user, Goal.objects.select_related("administration"), "ska.view_chain", pk=pk, level=Goal.Level.ADMINISTRATION
    )
    if not request.user.has_perm("ska.view_matrix"):
        raise PermissionDenied
    return goal


@require_GET
def administration_goal(request, pk):
    """An administration-wide goal with every unit's goals under it and their latest state."""
    goal = _administration_goal(request, pk)
    unit_goals = Goal.objects.filter(parent=goal, unit__isnull=False).select_related("unit").order_by("unit__name", "pk")
    page = Paginator(unit_goals, settings.SKA_PAGE_SIZE).get_page(request.GET.get("sida"))
    states = goal_states(Goal.objects.filter(pk__in=[g.pk for g in page.object_list]).select_related("unit").order_by("unit__name", "pk"))
    return render(
        request,
        "ska/chain/administration_goal.html",
        {"goal": goal, "states": states, "page": page, "shared": shared_indicators(goal)[:10]},
    )


@require_GET
def equity(request, pk):
    """How a shared indicator's latest values spread across the units (likvärdighet)."""
    goal = _administration_goal(request, pk)
    shared = shared_indicators(goal)
    titles = [title for title, _units in shared]
    chosen = request.GET.get("indikator", "")
    title = chosen if chosen in titles else (titles[0] if titles else "")
    result = spread(goal, title) if title else None
    unit_of_measure = (
        Indicator.objects.filter(goal__parent=goal, title=title).exclude(unit_of_measure="").values_list("unit_of_measure", flat=True).first()
        if title
        else ""
    ) or ""
    return render(
        request,
        "ska/chain/equity.html",
        {"goal": goal, "shared": shared, "title": title, "spread": result, "unit_of_measure": unit_of_measure,
         "chart": spread_chart(result, unit_of_measure)},
    )
