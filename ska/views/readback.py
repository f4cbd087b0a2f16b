"""Reading the goal chain back: a unit's analyses of a term side by side, and which curriculum
areas a unit's or an administration's goals cover."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..access import get_visible_or_404, led_administrations, require_perm, visible_goals, visible_units
from ..chain_status import administration_goals, term_analyses
from ..curriculum import all_areas, applies_to, goal_coverage, goals_with_areas, unit_areas, unit_counts
from ..models import Analysis, Goal, SchoolForm, Unit
from ..schoolyear import SchoolYear, Term
from .organisation import school_year_from, school_years_around


# --- Choosing a term --------------------------------------------------------------------
def term_param(term: Term) -> str:
    """A term as the address writes it: ?termin=HT2025."""
    return f"{term.season.name}{term.year}"


def term_from(request, default: Term) -> Term:
    """The term asked for (?termin=HT2025), or ``default``."""
    try:
        term = Term.parse(request.GET.get("termin", "")[:10])
        term.school_year  # noqa: B018 - a term at either end of the range may have no school year
    except ValueError:
        return default
    return term


def term_options(terms) -> list[tuple[SchoolYear, list[tuple[str, Term]]]]:
    """The terms for a picker, newest first, grouped by school year."""
    years: dict[SchoolYear, list[tuple[str, Term]]] = {}
    for term in sorted(set(terms), reverse=True):
        years.setdefault(term.school_year, []).append((term_param(term), term))
    return list(years.items())


def terms_around(term: Term) -> list[Term]:
    """The terms of the school years a picker offers around ``term`` (see school_years_around)."""
    return [t for year in school_years_around(term.school_year) for t in year.terms]


def analysed_terms(goals) -> list[Term]:
    """The terms in which any of ``goals`` (a queryset) has an analysis, oldest first (one query)."""
    return list(
        Analysis.objects.filter(goal__in=goals).order_by("term").values_list("term", flat=True).distinct()
    )


# --- A unit's pages ----------------------------------------------------------------------------
def unit_with_chain_or_404(request, unit_pk) -> Unit:
    """The unit, if the person may see its chain (``ska.view_chain`` on the unit's goals)."""
    units = visible_units(request.user).select_related("administration")
    unit = get_visible_or_404(request.user, units, "ska.view_unit", pk=unit_pk)
    if not request.user.has_perm("ska.view_chain", Goal(level=Goal.Level.LOCAL, unit=unit)):
        raise Http404
    return unit


@require_GET
def unit_analyses(request, unit_pk):
    """Every analysis of the unit's goals in a term, in full, side by side per goal; and the
    goals running that term that have not been analysed for it."""
    unit = unit_with_chain_or_404(request, unit_pk)
    goals = visible_goals(request.user).filter(unit=unit)
    terms = analysed_terms(goals)
    term = term_from(request, terms[-1] if terms else Term.current())
    shown = (
        goals.filter(Q(pk__in=Analysis.objects.filter(term=term).values("goal_id")) | Q(start_term__lte=term, end_term__gte=term))
        .order_by("level", "sort_order", "title", "pk")
    )
    rows = term_analyses(shown, term)
    return render(
        request,
        "ska/chain/unit_analyses.html",
        {
            "unit": unit,
            "term": term,
            "term_options": term_options([*terms, *terms_around(term)]),
            "rows": rows,
            "analysed_count": sum(1 for row in rows if row.analysis),
        },
    )


@require_GET
def unit_curriculum(request, unit_pk):
    """Which curriculum areas and conditions the unit's goals of a school year cover."""
    unit = unit_with_chain_or_404(request, unit_pk)
    school_year = school_year_from(request)
    goals = goals_with_areas(
        visible_goals(request.user).filter(unit=unit, school_year=school_year).order_by("level", "sort_order", "title", "pk")
    )
    areas = unit_areas(unit, goals, all_areas())
    return render(
        request,
        "ska/chain/unit_curriculum.html",
        {
            "unit": unit,
            "school_year": school_year,
            "school_years": school_years_around(school_year),
            "goals": goals,
            "tables": goal_coverage(goals, areas),
        },
    )


# --- The administration's coverage ---------------------------------------------------------
@require_GET
@require_perm("ska.view_matrix")
def curriculum_coverage(request):
    """For förvaltningsledning: which curriculum areas and conditions the administration-wide
    goals of a school year cover, and how many of the units have goals in each."""
    from .chain import led_administration_from

    administrations = list(led_administrations(request.user))
    administration = led_administration_from(request, administrations)
    school_year = school_year_from(request)
    form_code = request.GET.get("skolform", "")[:40]
    school_forms = list(SchoolForm.objects.all())
    chosen_form = next((form for form in school_forms if form.code == form_code), None)
    units = Unit.objects.filter(administration=administration).open()
    if chosen_form is not None:
        units = units.filter(school_forms=chosen_form)
    admin_goals = goals_with_areas(administration_goals(administration, school_year))
    areas = all_areas()
    if chosen_form is not None:
        tagged = {area.pk for goal in admin_goals for area in goal.curriculum_areas.all()}
        areas = [area for area in areas if applies_to(area, {chosen_form.pk}) or area.pk in tagged]
    unit_total, count_tables = unit_counts(units, school_year, areas)
    return render(
        request,
        "ska/chain/curriculum_coverage.html",
        {
            "administration": administration,
            "administrations": administrations,
            "school_year": school_year,
            "school_years": school_years_around(school_year),
            "school_forms": school_forms,
            "form_code": chosen_form.code if chosen_form else "",
            "chosen_form": chosen_form,
            "goals": admin_goals,
            "tables": goal_coverage(admin_goals, areas),
            "unit_total": unit_total,
            "count_tables": count_tables,
        },
    )
