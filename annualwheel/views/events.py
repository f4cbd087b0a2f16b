"""Events of a wheel: create, change, remove and restore them, and change single occurrences
(the exceptions to a rule: moved or cancelled times)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ska.access import get_visible_or_404, get_wheel_changeable_or_404
from ska.services.records import EditConflict
from ska.views.conflicts import mark_conflict

from ..forms import EventForm, OccurrenceForm
from ..models import Event, Occurrence, Wheel
from ..services import events as services
from ..services.recurrence import change_occurrence, reset_occurrence


@require_http_methods(["GET", "POST"])
def event_create(request, wheel_pk):
    wheel = get_wheel_changeable_or_404(request.user, Wheel.objects.select_related("unit"), pk=wheel_pk)
    form = EventForm(request.POST or None, wheel=wheel, initial={"start_date": request.GET.get("datum") or None})
    if request.method == "POST" and form.is_valid():
        event = services.event_create(wheel=wheel, values=form.values(), relations=form.relations(), user=request.user)
        messages.success(request, _("“%(title)s” has been added to the wheel.") % {"title": event.title})
        return redirect("annualwheel:event_detail", pk=event.pk)
    return render(request, "annualwheel/event_form.html", {"form": form, "wheel": wheel, "title": _("New event")})


@require_http_methods(["GET", "POST"])
def event_edit(request, pk):
    event = get_wheel_changeable_or_404(request.user, Event.objects.select_related("wheel__unit"), pk=pk)
    form = EventForm(request.POST or None, instance=event, wheel=event.wheel)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_update(
                event=event,
                version=form.cleaned_data["version"] or 0,
                values=form.changed_values(),
                relations=form.relations(),
                user=request.user,
            )
        except EditConflict as conflict:
            mark_conflict(form, conflict)
        else:
            messages.success(request, _("The event has been saved."))
            return redirect("annualwheel:event_detail", pk=event.pk)
    context = {"form": form, "wheel": event.wheel, "event": event, "title": _("Change the event")}
    return render(request, "annualwheel/event_form.html", context)


@require_GET
def event_detail(request, pk):
    queryset = Event.all_objects.select_related("wheel__unit", "wheel__administration", "wheel__committee").prefetch_related(
        "responsible", "concerns_units", "concerns_school_forms"
    )
    event = get_visible_or_404(request.user, queryset, "ska.view_wheel", pk=pk)
    occurrences = list(event.occurrences.order_by("original_date"))
    history = event.history.select_related("history_user").order_by("-history_date")[:20]
    context = {
        "event": event,
        "wheel": event.wheel,
        "occurrences": occurrences,
        "exceptions": [o for o in occurrences if o.is_exception],
        "history": history,
        "can_change": request.user.has_perm("ska.change_wheel", event) and not event.is_deleted,
        "can_restore": request.user.has_perm("ska.change_wheel", event) and event.is_deleted,
        "occurrence_form": OccurrenceForm(),
    }
    return render(request, "annualwheel/event_detail.html", context)


@require_POST
def event_delete(request, pk):
    event = get_wheel_changeable_or_404(request.user, Event.objects.all(), pk=pk)
    services.event_delete(event=event, user=request.user)
    messages.success(request, _("“%(title)s” has been removed from the wheel. It can be restored.") % {"title": event.title})
    return redirect("annualwheel:wheel_detail", pk=event.wheel_id)


@require_POST
def event_restore(request, pk):
    event = get_wheel_changeable_or_404(request.user, Event.all_objects.all(), pk=pk)
    services.event_restore(event=event, user=request.user)
    messages.success(request, _("“%(title)s” is back on the wheel.") % {"title": event.title})
    return redirect("annualwheel:event_detail", pk=event.pk)


@require_http_methods(["GET", "POST"])
def occurrence_change(request, pk):
    occurrence = get_wheel_changeable_or_404(
        request.user, Occurrence.objects.select_related("event__wheel"), pk=pk, event__deleted_at__isnull=True
    )
    form = OccurrenceForm(request.POST or None, initial={"date": occurrence.date, "action": "move"})
    if request.method == "POST" and form.is_valid():
        action = form.cleaned_data["action"]
        if action == "reset":
            reset_occurrence(occurrence, request.user)
        else:
            change_occurrence(occurrence, date=form.cleaned_data["date"], skipped=action == "skip", user=request.user)
        messages.success(request, _("The occurrence on %(date)s has been changed.") % {"date": date_format(occurrence.original_date, "j F Y")})
        return redirect(f"{occurrence.event.get_absolute_url()}#occurrence-{occurrence.pk}")
    context = {"form": form, "occurrence": occurrence, "event": occurrence.event, "title": _("Change one occurrence")}
    return render(request, "annualwheel/occurrence_form.html", context)
