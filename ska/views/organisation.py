"""Units and independent providers, as each role may see them."""

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from ..access import get_visible_or_404, require_perm, visible_providers, visible_units
from ..chain_status import unit_chain
from ..forms import UnitFilterForm
from ..forms_chain import CheckInForm
from ..models import Role, RoleAssignment, SchoolForm
from ..schoolyear import SchoolYear


def _is_fragment_request(request) -> bool:
    """htmx asks for the fragment, except when restoring history (then it needs the page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


@require_GET
@require_perm("ska.list_units")
@vary_on_headers("HX-Request")
def unit_list(request):
    units = visible_units(request.user).select_related("administration", "provider").prefetch_related("school_forms")
    filters = UnitFilterForm(request.GET)
    # An invalid filter (say, a NUL byte in the search) is shown beside its field and ignored.
    wanted = filters.cleaned_data if filters.is_valid() else {}
    query, form_code, show_closed = wanted.get("q", ""), wanted.get("skolform", ""), wanted.get("stangda", False)
    if query:
        units = units.filter(Q(name__icontains=query) | Q(unit_code__icontains=query))
    if form_code:
        units = units.filter(school_forms__code=form_code)
    if not show_closed:
        units = units.open()
    page = Paginator(units.order_by("name", "pk"), settings.SKA_PAGE_SIZE).get_page(request.GET.get("sida"))
    context = {
        "page": page,
        "filters": filters,
        "query": query,
        "form_code": form_code,
        "show_closed": show_closed,
        "school_forms": SchoolForm.objects.all(),
        "fragment": _is_fragment_request(request),
    }
    template = "ska/unit_list.html#results" if _is_fragment_request(request) else "ska/unit_list.html"
    return render(request, template, context)


@require_GET
def unit_detail(request, pk):
    units = visible_units(request.user).select_related("administration", "provider__municipality")
    unit = get_visible_or_404(request.user, units, "ska.view_unit", pk=pk)
    people = (
        RoleAssignment.objects.filter(unit=unit, role__in=[Role.RECTOR, Role.CONTRIBUTOR])
        .select_related("user")
        .order_by("role", "user__last_name")
    )
    context = {}
    # The people who keep a unit's chain are the ones who see it here (rektor, contributors,
    # förvaltningsledning); independent providers' units have none.
    if request.user.has_perm("ska.work_on_unit_chain", unit):
        school_year = school_year_from(request)
        chain = unit_chain(unit, school_year)
        for goal_state in chain.goals:
            for state in goal_state.indicators:
                state.check_in_form = CheckInForm(indicator=state.indicator)
        context.update(chain=chain, can_change=True, school_years=school_years_around(school_year))
    return render(
        request,
        "ska/unit_detail.html",
        {
            **context,
            "unit": unit,
            "school_forms": unit.school_forms.all(),
            "rectors": [a for a in people if a.role == Role.RECTOR],
            "contributors": [a for a in people if a.role == Role.CONTRIBUTOR],
            "can_see_provider": unit.provider and request.user.has_perm("ska.view_provider", unit.provider),
        },
    )


@require_GET
@require_perm("ska.list_providers")
def provider_list(request):
    providers = visible_providers(request.user).prefetch_related(
        Prefetch("units", queryset=visible_units(request.user).order_by("name"))
    )
    page = Paginator(providers.order_by("name", "pk"), settings.SKA_PAGE_SIZE).get_page(request.GET.get("sida"))
    return render(request, "ska/provider_list.html", {"page": page})


@require_GET
def provider_detail(request, pk):
    provider = get_visible_or_404(request.user, visible_providers(request.user), "ska.view_provider", pk=pk)
    return render(
        request,
        "ska/provider_detail.html",
        {
            "provider": provider,
            "units": provider.units.prefetch_related("school_forms").order_by("name"),
            "contacts": RoleAssignment.objects.filter(provider=provider, role=Role.PROVIDER_CONTACT).select_related(
                "user"
            ),
        },
    )


def school_year_from(request) -> SchoolYear:
    """The school year asked for (?lasar=2025), or the current one."""
    try:
        return SchoolYear(int(request.GET.get("lasar", "")))
    except (TypeError, ValueError):
        return SchoolYear.current()


def school_years_around(school_year: SchoolYear) -> list[SchoolYear]:
    current = SchoolYear.current()
    years = {current - n for n in range(0, 5)} | {current.next(), school_year}
    return sorted(years, reverse=True)
