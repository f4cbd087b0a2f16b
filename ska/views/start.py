"""The start page: what this person has to do next, one section per role they hold."""

from django.db.models import Count
from django.shortcuts import render
from django.views.decorators.http import require_GET

from annualwheel.services.deadlines import overdue_follow_ups
from annualwheel.services.reading import upcoming_for
from dialogs.services.actions import open_actions_for
from dialogs.services.start import dialogue_summary
from reports.services.listing import latest_committee_documents
from reports.services.unit_reports import awaiting_approval, completeness, reports_of_units

from ..access import led_administrations, scope_of, visible_providers, visible_unit_reports, visible_units
from ..chain_status import unit_todo
from ..models import Role, RoleAssignment, SchoolForm
from ..schoolyear import SchoolYear, Season, Term


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
        context["my_reports"] = _my_reports(municipal, context["school_year"])
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
            visible_units(user).open()
            .filter(administration__in=led_administrations(user))
            .prefetch_related("school_forms")
        )
        context["overdue_units"] = len(overdue_follow_ups(led_units, context["school_year"]))
        context["reports_awaiting"] = awaiting_approval(visible_unit_reports(user))
    if scope.committees:
        context["committee_documents"] = latest_committee_documents(user)
    if scope.providers:
        context["my_providers"] = visible_providers(user).filter(pk__in=scope.providers).prefetch_related("units")
    return render(request, "ska/start.html", context)


def _my_reports(units, school_year: SchoolYear) -> list[dict]:
    """Each unit's quality report of this school year (or a button to start it), and last
    year's while it is not yet approved; in the autumn, when last year's report is written, a
    button to start it if it has not been: one query."""
    previous = school_year.previous()
    reports = reports_of_units(units, [previous, school_year])
    autumn = Term.current().season == Season.HT
    rows = []
    for unit in units:
        last_year = reports.get((unit.pk, previous.start_year))
        if (last_year is not None and not last_year.is_locked) or (last_year is None and autumn):
            rows.append({
                "unit": unit, "school_year": previous, "report": last_year,
                "done": last_year and completeness(last_year),
            })
        report = reports.get((unit.pk, school_year.start_year))
        rows.append({"unit": unit, "school_year": school_year, "report": report, "done": report and completeness(report)})
    return rows
