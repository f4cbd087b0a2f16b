"""The start page: what this person has to do next, one section per role they hold."""

from django.db.models import Count
from django.shortcuts import render
from django.views.decorators.http import require_GET

from annualwheel.services.deadlines import overdue_follow_ups
from annualwheel.services.reading import upcoming_for
from dialogs.services.actions import open_actions_for
from dialogs.services.start import dialogue_summary

from ..access import led_administrations, scope_of, visible_providers, visible_units
from ..chain_status import unit_todo
from ..models import Role, RoleAssignment, SchoolForm, Unit
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
        "upcoming": upcoming_for(user, days=30),
        "my_actions": open_actions_for(user),  # agreed at quality dialogues
        "my_dialogues": dialogue_summary(user),
    }
    if scope.unit_staff_units:
        my_units = list(
            visible_units(user)
            .filter(pk__in=scope.unit_staff_units)
            .prefetch_related("school_forms")
            .order_by("name")
        )
        context["my_units"] = my_units
        municipal = [u for u in my_units if u.administration_id]
        todo = unit_todo(municipal, context["school_year"])
        overdue = overdue_follow_ups(municipal, context["school_year"])
        context["overdue"] = [(unit, overdue[unit.pk]) for unit in municipal if unit.pk in overdue]
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
        # Units behind on the latest follow-up deadline, counted over the whole administration.
        led_units = list(
            Unit.objects.open()
            .filter(administration__in=led_administrations(user))
            .prefetch_related("school_forms")
        )
        context["overdue_units"] = len(overdue_follow_ups(led_units, context["school_year"]))
    if scope.providers:
        context["my_providers"] = visible_providers(user).filter(pk__in=scope.providers).prefetch_related("units")
    return render(request, "ska/start.html", context)
