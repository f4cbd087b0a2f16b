"""Copying a wheel to the next school year: a preview to adjust, then one save."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ska.access import get_wheel_changeable_or_404
from ska.schoolyear import SchoolYear

from ..forms import CopyEventForm, CopyForm
from ..models import Wheel
from ..services.copying import copy_plan, copy_wheel

CopyEventFormSet = forms.formset_factory(CopyEventForm, extra=0)


@require_http_methods(["GET", "POST"])
def wheel_copy(request, pk):
    wheel = get_wheel_changeable_or_404(request.user, Wheel.objects.select_related("unit", "administration", "committee"), pk=pk)
    next_year = SchoolYear(wheel.school_year.start_year + 1)
    existing = wheel.copies.filter(school_year=next_year).first()
    if existing is not None:
        messages.info(request, _("This wheel has already been copied to %(year)s.") % {"year": next_year})
        return redirect(existing)
    plan = copy_plan(wheel)
    initial = [{"include": True, "start_date": item.start_date} for item in plan]
    form = CopyForm(request.POST or None, initial={"name": wheel.name})
    formset = CopyEventFormSet(request.POST or None, initial=initial, prefix="event")
    if request.method == "POST" and form.is_valid() and formset.is_valid() and len(formset.forms) == len(plan):
        for item, event_form in zip(plan, formset.forms):
            item.include = event_form.cleaned_data.get("include", False)
            item.start_date = event_form.cleaned_data["start_date"]
        copy = copy_wheel(wheel, name=form.cleaned_data["name"], items=plan, user=request.user)
        messages.success(
            request,
            _("The wheel has been copied to %(year)s; %(wheel)s stays as it was.") % {"year": next_year, "wheel": wheel},
        )
        return redirect(copy)
    rows = list(zip(plan, formset.forms))
    context = {"wheel": wheel, "next_year": next_year, "form": form, "formset": formset, "rows": rows, "title": _("Copy to next school year")}
    return render(request, "annualwheel/wheel_copy.html", context)
