"""The committee's quality dialogue (Ystad 6.1): the three to five topics the committee chooses
for a school year, one dialogue per topic at one of its ordinary meetings, suggested unit visits
for the members, and the text the secretary puts in the meeting notice (*kallelse*).

Who may do what here (the committee page is not a round's page, so its rules are local):
the committee's secretaries, the leadership of an administration under the committee and
system administrators keep the topics and the meetings; the committee's members read them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone, translation
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ska import access
from ska.access import visible_dialogues
from ska.models import Administration, Committee, Role, RoleAssignment, Unit, User
from ska.schoolyear import SchoolYear

from ..models import Dialogue, DialogueKind, Participant, Round
from ..models.committee import MAX_TOPICS, MIN_TOPICS, CommitteeDialogueTopic, CommitteeTopic, VisitSuggestion
from .rounds import participants_add, round_create

TOPIC_COUNT_MESSAGE = gettext_lazy("The committee chooses three to five topics.")


class TopicLimitError(Exception):
    """More than ``MAX_TOPICS`` topics for one committee and school year."""


# --- Who (the rules live in ska.access) ----------------------------------------------
visible_committees = access.visible_committees
can_keep_committee_dialogue = access.can_keep_committee_dialogue


def can_create_committee_round(user, administration: Administration) -> bool:
    """The year's committee round is the administration's: its leadership creates it."""
    scope = access.scope_of(user)
    return scope.is_sysadmin or administration.pk in scope.led_administrations


# --- Topics ------------------------------------------------------------------------
def topics_of(committee: Committee, school_year: SchoolYear):
    return CommitteeTopic.objects.filter(committee=committee, school_year=school_year).order_by("position", "pk")


def topic_count_warning(count: int) -> str:
    """The gentle reminder next to the topic field: below three is allowed while choosing."""
    if count < MIN_TOPICS:
        return str(TOPIC_COUNT_MESSAGE) + " " + _("%(n)s chosen so far.") % {"n": count}
    return ""


def topic_add(*, committee: Committee, school_year: SchoolYear, values: dict, user: User | None) -> CommitteeTopic:
    """Add a topic last; refuses a sixth (``TopicLimitError``). The committee row is locked so
    that two people adding at once cannot pass five together."""
    with transaction.atomic():
        Committee.objects.select_for_update().get(pk=committee.pk)
        existing = topics_of(committee, school_year)
        if existing.count() >= MAX_TOPICS:
            raise TopicLimitError(str(TOPIC_COUNT_MESSAGE))
        last = existing.aggregate(m=Max("position"))["m"]
        topic = CommitteeTopic(
            committee=committee, school_year=school_year, position=0 if last is None else last + 1, **values
        )
        if user is not None:
            topic._history_user = user
        topic.full_clean()
        topic.save()
        return topic


def topic_update(*, topic: CommitteeTopic, values: dict, user: User | None) -> CommitteeTopic:
    with transaction.atomic():
        for name, value in values.items():
            setattr(topic, name, value)
        if user is not None:
            topic._history_user = user
        topic.full_clean()
        topic.save()
        return topic


def topic_move(*, topic: CommitteeTopic, up: bool, user: User | None) -> None:
    """Swap the topic with the one before (``up``) or after it."""
    with transaction.atomic():
        Committee.objects.select_for_update().get(pk=topic.committee_id)
        topics = list(topics_of(topic.committee, topic.school_year))
        index = next(i for i, t in enumerate(topics) if t.pk == topic.pk)
        other = index - 1 if up else index + 1
        if not 0 <= other < len(topics):
            return
        topics[index], topics[other] = topics[other], topics[index]
        for position, item in enumerate(topics):
            if item.position != position:
                item.position = position
                if user is not None:
                    item._history_user = user
                item.save(update_fields=["position"])


def topic_remove(*, topic: CommitteeTopic, user: User | None) -> None:
    """Remove a topic; a dialogue about it stays, without a topic."""
    with transaction.atomic():
        if user is not None:
            topic._history_user = user
        topic.delete()


# --- Dialogues and meetings ------------------------------------------------------------
def committee_meetings(committee: Committee, school_year: SchoolYear):
    """The committee meetings of the committee's wheels that school year (not skipped ones)."""
    from annualwheel.models import EventKind, Occurrence

    return (
        Occurrence.objects.filter(
            event__wheel__committee=committee,
            event__wheel__school_year=school_year,
            event__wheel__deleted_at__isnull=True,
            event__deleted_at__isnull=True,
            event__kind=EventKind.COMMITTEE_MEETING,
        )
        .exclude(status=Occurrence.Status.SKIPPED)
        .select_related("event")
        .order_by("date", "pk")
    )


def committee_dialogues(user, committee: Committee, school_year: SchoolYear):
    """The committee's dialogues that school year the person may see, with what a list shows."""
    return (
        visible_dialogues(user)
        .filter(committee=committee, round__kind=DialogueKind.COMMITTEE, round__school_year=school_year)
        .select_related("round", "committee", "meeting__event", "committee_topic__topic")
        .prefetch_related("visit_suggestions__unit")
        .order_by("meeting__date", "pk")
    )


def dialogue_topic(dialogue: Dialogue) -> CommitteeTopic | None:
    """The committee topic the dialogue is about (no query with select_related("committee_topic__topic"))."""
    try:
        return dialogue.committee_topic.topic
    except CommitteeDialogueTopic.DoesNotExist:
        return None


def dialogue_plan(*, dialogue: Dialogue, meeting, topic: CommitteeTopic | None, user: User | None) -> Dialogue:
    """Tie a committee dialogue to a meeting and choose its topic."""
    with transaction.atomic():
        current = Dialogue.objects.select_for_update().get(pk=dialogue.pk)
        if current.meeting_id != (meeting.pk if meeting else None):
            current.meeting = meeting
            current.version += 1
            if user is not None:
                current._history_user = user
            current.save()
        link = CommitteeDialogueTopic.objects.filter(dialogue=current).first()
        if topic is None:
            if link is not None:
                link.delete()
        elif link is None:
            CommitteeDialogueTopic.objects.create(dialogue=current, topic=topic)
        elif link.topic_id != topic.pk:
            link.topic = topic
            link.save()
        return current


def visit_add(*, dialogue: Dialogue, unit: Unit, reason: str, user: User | None) -> VisitSuggestion:
    with transaction.atomic():
        visit, created = VisitSuggestion.objects.get_or_create(dialogue=dialogue, unit=unit, defaults={"reason": reason})
        if not created and reason and visit.reason != reason:
            visit.reason = reason
            if user is not None:
                visit._history_user = user
            visit.save()
        return visit


def visit_remove(*, visit: VisitSuggestion, user: User | None) -> None:
    if user is not None:
        visit._history_user = user
    visit.delete()


def _leaders(administration: Administration) -> list[User]:
    rows = RoleAssignment.objects.filter(
        role=Role.LEADERSHIP, administration=administration, user__is_active=True
    ).select_related("user")
    return list({row.user_id: row.user for row in rows}.values())


def _members(committee: Committee) -> list[User]:
    rows = RoleAssignment.objects.filter(
        role__in=[Role.SECRETARY, Role.MEMBER], committee=committee, user__is_active=True
    ).select_related("user")
    return list({row.user_id: row.user for row in rows}.values())


def committee_round(committee: Committee, administration: Administration, school_year: SchoolYear) -> Round | None:
    """The year's round of topic dialogues: a committee round not started by a dialogue-round
    event of the wheel (those are the wheel's own, e.g. Svenljunga's autumn and spring dialogues)."""
    return (
        Round.objects.filter(
            administration=administration,
            kind=DialogueKind.COMMITTEE,
            school_year=school_year,
            wheel_event__isnull=True,
        )
        .filter(Q(dialogues__committee=committee) | Q(dialogues__isnull=True))
        .order_by("pk")
        .first()
    )


def committee_round_create(
    *, committee: Committee, administration: Administration, school_year: SchoolYear, user: User | None = None
) -> tuple[Round, list[Dialogue]]:
    """The year's committee round (created once, open, so the committee sees it) with one
    dialogue per chosen topic; topics that already have a dialogue are left as they are.
    The administration's leadership take part as hosts, the committee's secretaries and
    members as the counterpart."""
    with transaction.atomic():
        Committee.objects.select_for_update().get(pk=committee.pk)
        round_ = committee_round(committee, administration, school_year)
        if round_ is None:
            # Content, not interface: stored, and read by the committee in Swedish.
            title = f"Huvudmannens kvalitetsdialog {school_year}"
            round_ = round_create(
                administration=administration,
                kind=DialogueKind.COMMITTEE,
                title=title,
                starts_on=school_year.start,
                ends_on=school_year.end,
                user=user,
            )
            Round.objects.filter(pk=round_.pk).update(status=Round.Status.OPEN)
            round_.status = Round.Status.OPEN
        covered = set(
            CommitteeDialogueTopic.objects.filter(dialogue__round=round_, dialogue__deleted_at__isnull=True).values_list(
                "topic_id", flat=True
            )
        )
        hosts = _leaders(administration)
        counterpart = _members(committee)
        created = []
        for topic in topics_of(committee, school_year):
            if topic.pk in covered:
                continue
            dialogue = Dialogue(round=round_, committee=committee)
            if user is not None:
                dialogue._history_user = user
            dialogue.full_clean()
            dialogue.save()
            CommitteeDialogueTopic.objects.create(dialogue=dialogue, topic=topic)
            participants_add(dialogue=dialogue, users=hosts, side=Participant.Side.HOST)
            participants_add(dialogue=dialogue, users=counterpart, side=Participant.Side.COUNTERPART)
            created.append(dialogue)
        return round_, created


# --- The meeting notice ------------------------------------------------------------------
@dataclass
class Notice:
    filename: str
    text: str


def kallelse_text(dialogue: Dialogue) -> Notice:
    """The paragraph for the committee's meeting notice, in Swedish, as plain text."""
    topic = dialogue_topic(dialogue)
    meeting = dialogue.meeting
    participants = list(dialogue.participants.select_related("user"))
    visits = list(dialogue.visit_suggestions.select_related("unit"))
    with translation.override(settings.LANGUAGE_CODE):
        heading = _("Quality dialogue: %(topic)s") % {"topic": topic.title if topic else dialogue.round.title}
        lines = [heading, "=" * len(heading), ""]
        if meeting is not None:
            event = meeting.event
            when = date_format(meeting.date, "l j F Y")
            if event.start_time:
                when += " " + time_format(event.start_time, "H:i")
                if event.end_time:
                    when += "–" + time_format(event.end_time, "H:i")
            lines.append(_("Meeting: %(meeting)s") % {"meeting": event.title})
            lines.append(_("When: %(when)s") % {"when": when})
            if event.place:
                lines.append(_("Place: %(place)s") % {"place": event.place})
        else:
            lines.append(_("Meeting: not yet decided"))
        lines.append(_("Time for the dialogue: about one hour"))
        lines.append("")
        if topic is not None:
            lines.append(_("Topic: %(topic)s") % {"topic": topic.title})
            if topic.description:
                lines += [topic.description.strip()]
            lines.append("")
        if dialogue.round.purpose:
            lines += [_("Purpose: %(purpose)s") % {"purpose": dialogue.round.purpose.strip()}, ""]
        hosts = [p for p in participants if p.side == Participant.Side.HOST]
        if hosts:
            lines.append(_("From the administration:"))
            lines += [f"- {p}" + (f", {p.role}" if p.role else "") for p in hosts]
            lines.append("")
        if dialogue.round.agenda_topics:
            lines.append(_("Agenda:"))
            lines += [f"- {item}" for item in dialogue.round.agenda_topics]
            lines.append("")
        lines.append(_("Material: the administration sends its material (underlag) before the meeting."))
        if dialogue.round.information_letter:
            lines.append(dialogue.round.information_letter.strip())
        lines.append("")
        if visits:
            lines.append(_("Suggested unit visits for the members:"))
            lines += [f"- {v.unit}" + (f": {v.reason}" if v.reason else "") for v in visits]
            lines.append("")
    day = meeting.date.isoformat() if meeting else timezone.localdate().isoformat()
    return Notice(filename=f"kallelse-kvalitetsdialog-{day}.txt", text="\n".join(lines).rstrip() + "\n")
