"""The start page: what this person has to do next, one section per role they hold."""

from django.db.models import Count
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..access import scope_of, visible_providers, visible_units
from ..chain_status import unit_todo
from ..models import Role, RoleAssignment, SchoolForm
from ..schoolyear import SchoolYear, Term


@require_GET
def start(request):
    user = request.user
    scope = scope_of(user)
    context = {
        "school_year": SchoolYear.current(),
        "term": Term.current(),
        "scope": scope,
        "roles": sorted(scope.roles),
        "has_any_role": bool(scope.roles) or scope.is_sysadmin,
    }
    if scope.unit_staff_units:
        my_units = list(
            visible_units(user)
            .filter(pk__in=scope.unit_staff_units)
            .prefetch_related("school_forms")
            .order_by("name")
        )
        context["my_units"] = my_units
        todo = unit_todo([u for u in my_units if u.administration_id], context["school_year"])
        context["todo"] = [(unit, todo[unit.pk]) for unit in my_units if unit.pk in todo]
        context["my_unit_roles"] = {
            assignment.unit_id: assignment
            for assignment in RoleAssignment.objects.filter(user=user, unit__isnull=False)
        }
    if Role.LEADERSHIP in scope.roles or scope.is_sysadmin:
        units = visible_units(user).open().municipal()
        context["unit_count"] = units.count()
        context["units_by_form"] = (
            SchoolForm.objects.filter(units__in=units)
            .annotate(n=Count("units", distinct=True))
            .order_by("sort_order")
        )
        context["provider_count"] = visible_providers(user).count()
    if scope.providers:
        context["my_providers"] = visible_providers(user).filter(pk__in=scope.providers).prefetch_related("units")
    return render(request, "ska/start.html", context)
