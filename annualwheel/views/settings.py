"""The administration's settings for the wheels: school breaks per school year and how many
days before each kind of event reminders go out."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ska.access import require_perm, scope_of
from ska.models import Municipality
from ska.views.organisation import school_year_from, school_years_around

from ..forms import KindSettingFormSet, SchoolBreakForm
from ..models import EventKindSetting, SchoolBreak
from ..services.closed_days import public_holidays
from ..services.school_breaks import school_break_add, school_break_remove


def _municipalities(user):
    scope = scope_of(user)
    municipalities = Municipality.objects.order_by("name")
    return municipalities if scope.is_sysadmin else municipalities.filter(pk__in=scope.led_municipalities)


@require_http_methods(["GET", "POST"])
@require_perm("ska.manage_school_breaks")
def wheel_settings(request):
    municipality = _municipalities(request.user).first()
    if municipality is None:
        return render(request, "annualwheel/settings.html", {"municipality": None})
    school_year = school_year_from(request)
    action = request.POST.get("action")
    break_form = SchoolBreakForm(request.POST if action == "break" else None, initial={"school_year": school_year.start_year})
    kind_formset = KindSettingFormSet(
        request.POST if action == "kinds" else None, queryset=EventKindSetting.objects.in_kind_order(), prefix="kind"
    )
    if action == "break" and break_form.is_valid():
        school_break = break_form.save(commit=False)
        school_break.municipality = municipality
        school_break_add(school_break=school_break, user=request.user)
        messages.success(request, _("%(name)s has been added. Recurring events skip or move around it from now on.") % {"name": school_break.name})
        return redirect(f"{request.path}?lasar={school_break.school_year.start_year}")
    if action == "kinds" and kind_formset.is_valid():
        with transaction.atomic():  # all rows or none
            for form in kind_formset.forms:
                if form.has_changed():
                    form.instance._history_user = request.user
                    form.save()
        messages.success(request, _("The reminder settings have been saved."))
        return redirect(request.path)
    context = {
        "municipality": municipality,
        "school_year": school_year,
        "school_years": school_years_around(school_year),
        "breaks": SchoolBreak.objects.filter(municipality=municipality, school_year=school_year),
        "holidays": sorted(public_holidays(school_year.first_day, school_year.end).items()),
        "break_form": break_form,
        "kind_formset": kind_formset,
        "title": _("Settings for the annual wheels"),
    }
    return render(request, "annualwheel/settings.html", context)


@require_POST
@require_perm("ska.manage_school_breaks")
def school_break_delete(request, pk):
    school_break = get_object_or_404(SchoolBreak, pk=pk, municipality__in=_municipalities(request.user))
    year = school_break.school_year
    school_break_remove(school_break=school_break, user=request.user)
    messages.success(request, _("The break has been removed."))
    return redirect(f"{reverse('annualwheel:settings')}?lasar={year.start_year}")

