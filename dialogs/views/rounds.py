"""Rounds: the list of rounds and one's own dialogues, creating and editing a round, choosing
whom it meets, opening it for booking, and one dialogue's page."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ska.access import (
    get_visible_or_404,
    hosted_rounds,
    require_perm,
    scope_of,
    visible_dialogues,
)
from ska.models import Administration, Unit
from ska.services.records import EditConflict, record_update
from ska.views.conflicts import mark_conflict
from ska.views.organisation import school_year_from, school_years_around

from ..forms import CounterpartsForm, NewRoundForm, RoundForm, SlotsForm
from ..models import Dialogue, DialogueKind, Round
from ..services import booking
from ..services.committee import visible_committees
from ..services import rounds as round_services


def _owners(user) -> list[tuple[str, str, object]]:
    """Who may hold a new round, for the form: (key, label, owner)."""
    scope = scope_of(user)
    administrations = Administration.objects.order_by("name")
    units = Unit.objects.municipal().open().order_by("name")
    if not scope.is_sysadmin:
        administrations = administrations.filter(pk__in=scope.led_administrations)
        units = units.filter(pk__in=scope.rector_units)
    return [(f"administration-{a.pk}", str(a), a) for a in administrations] + [
        (f"unit-{u.pk}", str(u), u) for u in units
    ]


def _kinds_for(user) -> list[str]:
    scope = scope_of(user)
    if scope.is_sysadmin or scope.led_administrations:
        return list(DialogueKind.values)
    return [DialogueKind.UNIT]


def _round_queryset():
    return Round.objects.select_related("administration", "unit", "wheel_event", "created_by")


@require_GET
@require_perm("ska.use_dialogues")
def round_list(request):
    user = request.user
    school_year = school_year_from(request)
    hosted = (
        hosted_rounds(user)
        .filter(school_year=school_year)
        .select_related("administration", "unit")
        .annotate(
            n_dialogues=Count("dialogues", filter=Q(dialogues__deleted_at__isnull=True), distinct=True),
            n_booked=Count(
                "dialogues",
                filter=Q(dialogues__deleted_at__isnull=True, dialogues__slot__isnull=False),
                distinct=True,
            ),
            n_held=Count(
                "dialogues",
                filter=Q(dialogues__deleted_at__isnull=True, dialogues__held_at__isnull=False),
                distinct=True,
            ),
        )
        .order_by("-starts_on", "title", "pk")
    )
    page = Paginator(hosted, settings.SKA_PAGE_SIZE).get_page(request.GET.get("sida"))
    hosted_ids = hosted_rounds(user).values("pk")
    mine = (
        visible_dialogues(user)
        .exclude(round_id__in=hosted_ids)
        .filter(round__school_year=school_year)
        .select_related("round", "slot", "unit", "provider", "committee")
        .order_by("round__starts_on", "pk")
    )
    context = {
        "school_year": school_year,
        "school_years": school_years_around(school_year),
        "page": page,
        "my_dialogues": list(mine[: settings.SKA_PAGE_SIZE]),
        "can_create": user.has_perm("ska.create_rounds"),
        "can_manage": user.has_perm("ska.manage_dialogue_settings"),
        "hosts_any": hosted_rounds(user).exists(),
        "sees_committee": visible_committees(user).exists(),
    }
    return render(request, "dialogs/round_list.html", context)


@require_http_methods(["GET", "POST"])
@require_perm("ska.create_rounds")
def round_create(request):
    user = request.user
    owners = _owners(user)
    form = NewRoundForm(request.POST or None, owners=owners, kinds=_kinds_for(user))
    if request.method == "POST" and form.is_valid():
        owner = form.owners[form.cleaned_data["owner"]]
        administration = owner if isinstance(owner, Administration) else owner.administration
        with transaction.atomic():
            round_ = round_services.round_create(
                administration=administration,
                unit=owner if isinstance(owner, Unit) else None,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                starts_on=form.cleaned_data["starts_on"],
                ends_on=form.cleaned_data["ends_on"],
                user=user,
            )
            round_services.counterparts_add(round_=round_, user=user, **round_services.default_counterparts(round_))
        messages.success(request, _("The round is created as a draft. Check whom it meets, publish times and open it."))
        return redirect(round_)
    return render(request, "dialogs/round_new.html", {"form": form})


def _round_for_host(request, pk) -> Round:
    round_ = get_visible_or_404(request.user, _round_queryset(), "ska.view_round", pk=pk)
    if not request.user.has_perm("ska.host_round", round_):
        raise PermissionDenied
    return round_


def _page(items, number, *, count: int | None = None):
    """One page of ``items``; ``count``, when already known, spares the paginator a COUNT query.
    A round of a large administration meets hundreds of units: its page lists them, their times
    and those not yet booked a page at a time."""
    paginator = Paginator(items, settings.SKA_PAGE_SIZE)
    if count is not None:
        paginator.count = count
    return paginator.get_page(number)


@require_GET
def round_detail(request, pk):
    user = request.user
    round_ = get_visible_or_404(user, _round_queryset(), "ska.view_round", pk=pk)
    hosting = user.has_perm("ska.host_round", round_)
    context = {"round": round_, "hosting": hosting}
    if hosting:
        counts = round_.dialogues.aggregate(
            total=Count("pk"),
            not_booked=Count("pk", filter=Q(slot__isnull=True, held_at__isnull=True)),
            booked=Count("pk", filter=Q(slot__isnull=False, held_at__isnull=True)),
            held=Count("pk", filter=Q(held_at__isnull=False)),
        )
        dialogues = round_.dialogues.select_related("unit", "provider", "committee", "slot").order_by(
            "slot__starts_at", "pk"
        )
        now = timezone.now()
        offered = booking.offered_slots(
            round_, slots=booking.bookable_slots(round_, now=now), now=now, by_host=True
        )
        context.update(
            {
                "counts": counts,
                "dialogues_page": _page(dialogues, request.GET.get("sida_dialoger"), count=counts["total"]),
                "not_booked_page": _page(
                    booking.not_booked(round_), request.GET.get("sida_ej_bokade"), count=counts["not_booked"]
                ),
                "slots_page": _page(booking.round_slots(round_), request.GET.get("sida_tider")),
                "offered": offered,
                "offered_ids": {s.pk for s in offered},
                "slots_form": SlotsForm(round_=round_, initial={"day": max(round_.starts_on, timezone.localdate())}),
                "statuses": Round.Status,
            }
        )
    else:
        context["my_dialogues"] = list(
            visible_dialogues(user).filter(round=round_).select_related("slot", "unit", "provider", "committee")
        )
    return render(request, "dialogs/round_detail.html", context)


@require_http_methods(["GET", "POST"])
def round_edit(request, pk):
    round_ = _round_for_host(request, pk)
    form = RoundForm(request.POST or None, instance=round_)
    if request.method == "POST" and form.is_valid():
        values = form.changed_values()
        if "term" in values:
            values["school_year"] = values["term"].school_year
        try:
            record_update(record=round_, version=form.cleaned_data["version"] or 0, values=values, user=request.user)
        except EditConflict as conflict:
            mark_conflict(form, conflict)
        else:
            messages.success(request, _("The round is saved."))
            return redirect(round_)
    return render(request, "dialogs/round_form.html", {"form": form, "round": round_})


@require_POST
def round_status(request, pk):
    """Open the round for booking, close it, or take it back to draft."""
    round_ = _round_for_host(request, pk)
    status = request.POST.get("status", "")
    if status not in Round.Status.values:
        messages.error(request, _("Choose a status."))
        return redirect(round_)
    if status == Round.Status.OPEN and not round_.dialogues.exists():
        messages.error(request, _("Add whom the round meets before opening it."))
        return redirect(round_)
    record_update(record=round_, version=round_.version, values={"status": status}, user=request.user)
    messages.success(
        request,
        {
            Round.Status.OPEN: _("The round is open: the counterparts can now see it and book times."),
            Round.Status.CLOSED: _("The round is closed."),
            Round.Status.DRAFT: _("The round is a draft again: only the administration sees it."),
        }[status],
    )
    return redirect(round_)


@require_http_methods(["GET", "POST"])
def round_counterparts(request, pk):
    """Add units, providers or a group by role to the round: a page of its own, as the choices
    (every unit and member of staff of the administration) are long."""
    round_ = _round_for_host(request, pk)
    form = CounterpartsForm(request.POST or None, round_=round_)
    if request.method == "POST":
        if form.is_valid():
            created = round_services.counterparts_add(
                round_=round_,
                units=form.cleaned_data.get("units") or [],
                providers=form.cleaned_data.get("providers") or [],
                role_group=form.cleaned_data.get("role_group", ""),
                group_members=form.cleaned_data.get("group_members") or [],
                user=request.user,
            )
            messages.success(request, _("%(n)s dialogues added.") % {"n": len(created)})
            return redirect(round_.get_absolute_url() + "#motparter")
        # Show the form again with its messages beside the fields.
        return render(request, "dialogs/round_counterparts.html", {"round": round_, "form": form}, status=422)
    return render(request, "dialogs/round_counterparts.html", {"round": round_, "form": form})


@require_POST
def dialogue_remove(request, pk):
    """Take a dialogue out of its round (kept in the record): only before it is booked or held."""
    dialogue = get_visible_or_404(request.user, Dialogue.objects.select_related("round"), "ska.view_dialogue", pk=pk)
    if not request.user.has_perm("ska.host_dialogue", dialogue):
        raise PermissionDenied
    try:
        round_services.dialogue_remove(dialogue=dialogue, user=request.user)
    except booking.BookingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(name)s is no longer in the round.") % {"name": dialogue.counterpart_name})
    return redirect(dialogue.round.get_absolute_url() + "#motparter")


@require_GET
def dialogue_detail(request, pk):
    user = request.user
    queryset = Dialogue.objects.select_related(
        "round__administration", "round__unit", "slot", "unit", "provider", "committee", "meeting"
    )
    dialogue = get_visible_or_404(user, queryset, "ska.view_dialogue", pk=pk)
    hosting = user.has_perm("ska.host_dialogue", dialogue)
    preparing = user.has_perm("ska.prepare_dialogue", dialogue)
    round_ = dialogue.round
    slot = dialogue.slot
    context = {
        "dialogue": dialogue,
        "round": round_,
        "hosting": hosting,
        "preparing": preparing,
        "hosts": list(slot.hosts.all()) if slot else [],
        "participants": dialogue.participants.select_related("user").order_by("side", "name"),
        "can_change_booking": booking.can_change_booking(dialogue),
        "can_read_notes": user.has_perm("ska.read_dialogue_notes", dialogue),
        "round_open": round_.status == Round.Status.OPEN,
        "cutoff_hours": round_.booking_cutoff_hours,
    }
    if dialogue.held_at is None and round_.status != Round.Status.CLOSED:
        if hosting:
            context["offered"] = booking.offered_slots(round_, for_dialogue=dialogue, by_host=True)
        elif preparing and round_.status == Round.Status.OPEN and context["can_change_booking"]:
            context["offered"] = booking.offered_slots(round_, for_dialogue=dialogue)
    return render(request, "dialogs/dialogue_detail.html", context)
