"""Creating rounds and their dialogues: by hand, or from a dialogue-round event in the
annual wheel (``round_from_event``, called when such an event is saved)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from ska.models import Administration, Committee, IndependentProvider, Role, RoleAssignment, Unit, User
from ska.schoolyear import Term

from ..models import Dialogue, DialogueKind, Participant, Round
from .templates import FIELDS, template_values


def _history_user(obj, user):
    if user is not None:
        obj._history_user = user
    return obj


def round_create(
    *,
    administration: Administration,
    kind: str,
    title: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    user: User | None = None,
    unit: Unit | None = None,
    term: Term | None = None,
    values: dict | None = None,
    wheel_event=None,
) -> Round:
    """A new draft round, its texts taken from the municipality's template for the kind
    unless ``values`` gives them."""
    texts = template_values(municipality=administration.municipality, kind=kind)
    texts.update({k: v for k, v in (values or {}).items() if k in FIELDS or k == "booking_cutoff_hours"})
    term = term or Term.of(starts_on)
    with transaction.atomic():
        round_ = Round(
            municipality_id=administration.municipality_id,
            administration=administration,
            unit=unit,
            kind=kind,
            title=title,
            term=term,
            school_year=term.school_year,
            starts_on=starts_on,
            ends_on=ends_on,
            wheel_event=wheel_event,
            created_by=user,
            **texts,
        )
        _history_user(round_, user)
        round_.full_clean()
        round_.save()
        return round_


def counterpart_contacts(dialogue: Dialogue) -> list[User]:
    """Who books and prepares for the counterpart: the unit's rektor(er), the provider's
    contact people, the committee's secretaries. (A group's members are its participants.)"""
    assignments = RoleAssignment.objects.filter(user__is_active=True).select_related("user")
    if dialogue.unit_id:
        rows = assignments.filter(role=Role.RECTOR, unit_id=dialogue.unit_id)
    elif dialogue.provider_id:
        rows = assignments.filter(role=Role.PROVIDER_CONTACT, provider_id=dialogue.provider_id)
    elif dialogue.committee_id:
        rows = assignments.filter(role=Role.SECRETARY, committee_id=dialogue.committee_id)
    else:
        return []
    return list({row.user_id: row.user for row in rows}.values())


def participants_add(*, dialogue: Dialogue, users: Iterable[User], side: str) -> None:
    """Invite ``users`` to the dialogue on ``side``; those already invited stay as they are."""
    existing = set(dialogue.participants.filter(user__isnull=False).values_list("user_id", flat=True))
    Participant.objects.bulk_create(
        [
            Participant(dialogue=dialogue, user=u, name=str(u), role=u.title, side=side)
            for u in users
            if u.pk not in existing
        ]
    )


def counterparts_add(
    *,
    round_: Round,
    units: Iterable[Unit] = (),
    providers: Iterable[IndependentProvider] = (),
    committee: Committee | None = None,
    role_group: str = "",
    group_members: Iterable[User] = (),
    user: User | None = None,
) -> list[Dialogue]:
    """One dialogue per new counterpart (those already in the round are left as they are),
    with the counterpart's contacts invited."""
    created = []
    with transaction.atomic():
        live = round_.dialogues.all()
        have_units = set(live.filter(unit__isnull=False).values_list("unit_id", flat=True))
        have_providers = set(live.filter(provider__isnull=False).values_list("provider_id", flat=True))
        specs = [{"unit": u} for u in units if u.pk not in have_units]
        specs += [{"provider": p} for p in providers if p.pk not in have_providers]
        if committee is not None and not live.filter(committee=committee).exists():
            specs.append({"committee": committee})
        if role_group:
            specs.append({"role_group": role_group})
        for spec in specs:
            dialogue = _history_user(Dialogue(round=round_, **spec), user)
            dialogue.full_clean()
            dialogue.save()
            members = list(group_members) if spec.get("role_group") else counterpart_contacts(dialogue)
            participants_add(dialogue=dialogue, users=members, side=Participant.Side.COUNTERPART)
            created.append(dialogue)
    return created


def default_counterparts(round_: Round) -> dict:
    """Whom a round of its kind meets when nobody chose: every open unit of the administration
    (förvaltning), every provider with open units (fristående), the committee (huvudman), the
    unit itself (enhet)."""
    if round_.kind == DialogueKind.ADMINISTRATION:
        return {"units": Unit.objects.open().filter(administration=round_.administration)}
    if round_.kind == DialogueKind.PROVIDER:
        providers = IndependentProvider.objects.filter(municipality_id=round_.municipality_id, closed_on__isnull=True)
        with_open_units = Unit.objects.open().filter(provider__in=providers).values("provider_id")
        return {"providers": providers.filter(pk__in=with_open_units)}
    if round_.kind == DialogueKind.COMMITTEE:
        return {"committee": round_.administration.committee}
    return {"units": [round_.unit] if round_.unit_id else []}


def round_from_event(event) -> Round | None:
    """The round a dialogue-round event of an administration's wheel starts: created once, as a
    draft with the template's texts and the kind's usual counterparts, its window the event's
    dates. Later edits of the event move the window of a round still in draft; an open round is
    the administration's to change. (The committee's dialogues are not rounds of their own: each
    is tied to a committee meeting from the committee page, ``dialogs.services.committee``.)"""
    from annualwheel.models import EventKind

    if event.kind != EventKind.DIALOGUE_ROUND or event.deleted_at is not None:
        return None
    wheel = event.wheel
    if not wheel.administration_id:
        return None
    administration, kind = wheel.administration, DialogueKind.ADMINISTRATION
    text = f"{event.title} {event.description}".casefold()
    if "fristående" in text or "fristaende" in text:
        kind = DialogueKind.PROVIDER
    ends_on = event.end_date or event.start_date
    existing = Round.all_objects.filter(wheel_event=event).first()
    if existing is not None:
        if existing.status == Round.Status.DRAFT and existing.deleted_at is None:
            term = Term.of(event.start_date)
            Round.objects.filter(pk=existing.pk).update(
                starts_on=event.start_date, ends_on=ends_on, term=term, school_year=term.school_year
            )
        return existing
    with transaction.atomic():
        round_ = round_create(
            administration=administration,
            kind=kind,
            title=event.title,
            starts_on=event.start_date,
            ends_on=ends_on,
            wheel_event=event,
        )
        counterparts_add(round_=round_, **default_counterparts(round_))
    return round_


def dialogue_remove(*, dialogue: Dialogue, user: User | None = None) -> None:
    """Take a dialogue out of its round (soft delete): only while it has no time and is not held."""
    from django.utils.translation import gettext as _

    from .booking import BookingError

    with transaction.atomic():
        dialogue = Dialogue.objects.select_for_update().get(pk=dialogue.pk)
        if dialogue.slot_id is not None or dialogue.held_at is not None:
            raise BookingError(_("A booked or held dialogue cannot be removed. Cancel the booking first."))
        dialogue.deleted_at = timezone.now()
        dialogue.deleted_by = user
        _history_user(dialogue, user)
        dialogue.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
