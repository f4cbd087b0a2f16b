"""Booking: the hosts publish and withdraw times, remind, assign and move; the counterpart
books, rebooks and cancels. Every change goes through ``dialogs.services.booking``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from ska.access import get_visible_or_404

from ..forms import ChooseSlotForm, SlotsForm
from ..models import Dialogue, Round, Slot
from ..services import booking
from .rounds import _round_for_host


def _dialogue(request, pk) -> Dialogue:
    queryset = Dialogue.objects.select_related("round__administration", "slot", "unit", "provider", "committee")
    return get_visible_or_404(request.user, queryset, "ska.view_dialogue", pk=pk)


@require_POST
def slots_create(request, pk):
    round_ = _round_for_host(request, pk)
    form = SlotsForm(request.POST, round_=round_)
    if form.is_valid():
        data = form.cleaned_data
        slots = booking.slots_publish(
            round_=round_,
            day=data["day"],
            start=data["start"],
            length_minutes=data["length_minutes"],
            count=data["count"],
            gap_minutes=data["gap_minutes"],
            place=data["place"],
            video_link=data["video_link"],
            hosts=data["hosts"],
            user=request.user,
        )
        messages.success(
            request, ngettext("%(n)s time published.", "%(n)s times published.", len(slots)) % {"n": len(slots)}
        )
        return redirect(round_.get_absolute_url() + "#tider")
    # Show the form again with its messages beside the fields.
    return render(request, "dialogs/slots_form.html", {"round": round_, "form": form}, status=422)


@require_POST
def slot_delete(request, pk):
    slot = get_object_or_404(Slot, pk=pk)  # its round's hosts only, below
    round_ = _round_for_host(request, slot.round_id)
    try:
        booking.slot_delete(slot=slot, user=request.user)
    except booking.BookingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The time is withdrawn."))
    return redirect(round_.get_absolute_url() + "#tider")


@require_POST
def round_remind(request, pk):
    round_ = _round_for_host(request, pk)
    if round_.status != Round.Status.OPEN:
        messages.error(request, _("Open the round before reminding anyone to book."))
        return redirect(round_)
    n = booking.remind_unbooked(round_=round_, user=request.user)
    messages.success(
        request,
        ngettext("A reminder is sent for %(n)s dialogue.", "Reminders are sent for %(n)s dialogues.", n) % {"n": n},
    )
    return redirect(round_.get_absolute_url() + "#ej-bokade")


def _chosen_slot(request, dialogue: Dialogue, *, by_host: bool) -> Slot | None:
    offered = booking.offered_slots(dialogue.round, for_dialogue=dialogue, by_host=by_host)
    form = ChooseSlotForm(request.POST, slots=offered)
    if form.is_valid():
        return form.chosen()
    # A time that was offered when the page was drawn but has gone since: say why.
    chosen = request.POST.get("slot", "")
    if chosen and Slot.objects.filter(pk=chosen if chosen.isdigit() else 0, round=dialogue.round).exists():
        messages.error(request, _("Someone else has just booked that time, or it can no longer be booked. Choose another time."))
    else:
        messages.error(request, _("Choose a time."))
    return None


@require_POST
def dialogue_book(request, pk):
    """The counterpart books or rebooks a time."""
    dialogue = _dialogue(request, pk)
    if not request.user.has_perm("ska.prepare_dialogue", dialogue):
        raise PermissionDenied
    slot = _chosen_slot(request, dialogue, by_host=False)
    if slot is not None:
        rebooking = dialogue.slot_id is not None
        try:
            booking.dialogue_book(dialogue=dialogue, slot=slot, user=request.user)
        except booking.BookingError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("The new time is booked. Everyone invited gets an e-mail with the calendar invitation.")
                if rebooking
                else _("The time is booked. You get a confirmation by e-mail with a calendar invitation."),
            )
    return redirect(dialogue.get_absolute_url() + "#bokning")


@require_POST
def dialogue_assign(request, pk):
    """The hosts give the dialogue a time or move it: everyone invited is told."""
    dialogue = _dialogue(request, pk)
    if not request.user.has_perm("ska.host_dialogue", dialogue):
        raise PermissionDenied
    slot = _chosen_slot(request, dialogue, by_host=True)
    if slot is not None:
        try:
            booking.dialogue_assign(dialogue=dialogue, slot=slot, user=request.user)
        except booking.BookingError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The time is set. Everyone invited gets an e-mail with the calendar invitation."))
    back = request.POST.get("next", "")
    return redirect(dialogue.round.get_absolute_url() + "#ej-bokade" if back == "round" else dialogue.get_absolute_url() + "#bokning")


@require_POST
def dialogue_cancel(request, pk):
    dialogue = _dialogue(request, pk)
    hosting = request.user.has_perm("ska.host_dialogue", dialogue)
    if not hosting and not request.user.has_perm("ska.prepare_dialogue", dialogue):
        raise PermissionDenied
    try:
        booking.dialogue_cancel(dialogue=dialogue, user=request.user, by_host=hosting)
    except booking.BookingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The booking is cancelled. Everyone invited gets an e-mail."))
    return redirect(dialogue.get_absolute_url() + "#bokning")
