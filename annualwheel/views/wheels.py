"""The wheels: an overview with filters, one wheel, creating and renaming wheels."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ska.access import get_visible_or_404, get_wheel_changeable_or_404, require_perm, scope_of, visible_units, visible_wheels
from ska.models import Administration, Committee, Unit
from ska.schoolyear import SchoolYear
from ska.services.records import EditConflict, record_update
from ska.views.conflicts import mark_conflict
from ska.views.organisation import school_year_from, school_years_around

from ..drawing import draw
from ..forms import WheelForm
from ..models import EventKind, Wheel
from ..services import events as event_services
from ..services.reading import occurrences_of, unit_occurrences, wheel_occurrences, wheels_for_unit


def _occurrence_url(occurrence) -> str:
    return reverse("annualwheel:event_detail", args=[occurrence.event_id]) + f"#occurrence-{occurrence.pk}"


def wheel_view_context(school_year: SchoolYear, occurrences) -> dict:
    """What the shared wheel partial (picture, table, months) needs."""
    today = timezone.localdate()
    months = {}
    for occurrence in occurrences:
        months.setdefault(occurrence.date.replace(day=1), []).append(occurrence)
    return {
        "drawing": draw(school_year, occurrences, today=today, url_for=_occurrence_url),
        "occurrences": occurrences,
        "months": sorted(months.items()),
        "today": today,
    }


def _kinds_from(request) -> list[str]:
    return [kind for kind in request.GET.getlist("typ") if kind in EventKind.values]


def _owners(user):
    """Querysets of the administrations, committees and units whose wheels the person may create."""
    scope = scope_of(user)
    administrations = Administration.objects.order_by("name")
    committees = Committee.objects.order_by("name")
    if not scope.is_sysadmin:
        administrations = administrations.filter(pk__in=scope.led_administrations)
        committee_filter = Q(municipality_id__in=scope.led_municipalities)
        committee_filter |= Q(pk__in=scope.secretary_committees)
        committees = committees.filter(committee_filter)
    units = Unit.objects.municipal().open().order_by("name")
    if not scope.is_sysadmin:
        units = units.filter(Q(pk__in=scope.unit_staff_units) | Q(administration_id__in=scope.led_administrations))
    return {"administration": administrations, "committee": committees, "unit": units}


def creatable_owners(user) -> list[tuple[str, object]]:
    """Whose wheels the person may create, for the form: (form key, owner)."""
    return [(f"{kind}-{owner.pk}", owner) for kind, owners in _owners(user).items() for owner in owners]


def can_create_wheels(user) -> bool:
    return any(owners.exists() for owners in _owners(user).values())


@require_GET
@require_perm("ska.use_wheels")
def overview(request):
    user = request.user
    school_year = school_year_from(request)
    scope = scope_of(user)
    wheels = list(
        visible_wheels(user)
        .filter(school_year=school_year)
        .filter(Q(unit__isnull=True) | Q(unit_id__in=scope.unit_staff_units))
        .select_related("administration", "committee", "unit")
        .order_by("unit", "name")
    )
    kinds = _kinds_from(request)
    chosen_ids = {int(pk) for pk in request.GET.getlist("hjul") if pk.isdigit()}
    unit = None
    unit_id = request.GET.get("enhet", "")
    unit_choices = list(
        visible_units(user).municipal().filter(wheels__school_year=school_year, wheels__deleted_at__isnull=True)
        .distinct()
        .order_by("name")
        .values_list("pk", "name")
    )
    if unit_id.isdigit():
        unit = get_visible_or_404(user, visible_units(user).prefetch_related("school_forms"), "ska.view_unit", pk=int(unit_id))
    if unit is not None and unit.administration_id:
        # Who may see the unit may see its wheels and its administration's (ska.access).
        own, above = wheels_for_unit(unit, school_year)
        occurrences = unit_occurrences(unit, own, above, school_year.first_day, school_year.end, kinds=kinds)
    else:
        shown = [w for w in wheels if not chosen_ids or w.pk in chosen_ids]
        occurrences = occurrences_of(shown, school_year.first_day, school_year.end, kinds=kinds)
    context = {
        "school_year": school_year,
        "school_years": school_years_around(school_year),
        "wheels": wheels,
        "chosen_ids": chosen_ids,
        "chosen_kinds": kinds,
        "all_kinds": EventKind.choices,
        "unit": unit,
        "unit_choices": unit_choices,
        "can_create": can_create_wheels(user),
        "wheel_title": _("Annual wheel %(year)s") % {"year": school_year},
        **wheel_view_context(school_year, occurrences),
    }
    return render(request, "annualwheel/overview.html", context)


@require_GET
def wheel_detail(request, pk):
    user = request.user
    queryset = Wheel.objects.select_related("administration", "committee", "unit__administration", "copied_from")
    wheel = get_visible_or_404(user, queryset, "ska.view_wheel", pk=pk)
    kinds = _kinds_from(request)
    year = wheel.school_year
    occurrences = wheel_occurrences(wheel, year.first_day, year.end, kinds=kinds)
    # A unit's wheel also shows its administration's events that concern the unit: from which wheels.
    above = sorted({o.event.wheel for o in occurrences if o.event.wheel_id != wheel.pk}, key=lambda w: w.name)
    events = wheel.events.order_by("start_date", "title").annotate(times=Count("occurrences"))
    next_copy = wheel.copies.filter(school_year=SchoolYear(year.start_year + 1)).first()
    context = {
        "wheel": wheel,
        "wheels_above": above,
        "events": events,
        "deleted_events": wheel.events.model.all_objects.deleted().filter(wheel=wheel).order_by("title"),
        "can_change": user.has_perm("ska.change_wheel", wheel),
        "chosen_kinds": kinds,
        "all_kinds": EventKind.choices,
        "next_copy": next_copy,
        "school_year": year,
        "wheel_title": str(wheel),
        **wheel_view_context(year, occurrences),
    }
    return render(request, "annualwheel/wheel_detail.html", context)


@require_http_methods(["GET", "POST"])
@require_perm("ska.use_wheels")
def wheel_create(request):
    owners = creatable_owners(request.user)
    if not owners:
        raise PermissionDenied
    form = WheelForm(request.POST or None, owners=owners, initial={"owner": request.GET.get("agare", "")})
    if request.method == "POST" and form.is_valid():
        values = {**{k: form.cleaned_data[k] for k in ("name", "school_year", "description")}, **form.owner_values()}
        wheel = event_services.wheel_create(values=values, user=request.user)
        messages.success(request, _("The wheel “%(name)s” has been created.") % {"name": wheel.name})
        return redirect("annualwheel:wheel_detail", pk=wheel.pk)
    return render(request, "annualwheel/wheel_form.html", {"form": form, "title": _("New annual wheel")})


@require_http_methods(["GET", "POST"])
def wheel_edit(request, pk):
    wheel = get_wheel_changeable_or_404(request.user, Wheel.objects.all(), pk=pk)
    form = WheelForm(request.POST or None, instance=wheel)
    if request.method == "POST" and form.is_valid():
        try:
            record_update(record=wheel, version=form.cleaned_data["version"] or 0, values=form.changed_values(), user=request.user)
        except EditConflict as conflict:
            mark_conflict(form, conflict)
        else:
            messages.success(request, _("The wheel has been saved."))
            return redirect("annualwheel:wheel_detail", pk=wheel.pk)
    return render(request, "annualwheel/wheel_form.html", {"form": form, "wheel": wheel, "title": _("Change the wheel")})
