"""Annual wheels (*årshjul*) and their events (DOMAIN.md, "The annual wheel").

A wheel belongs to one owner — an administration, a committee or a unit — and one school
year; next year's wheel is a copy, so the old year stays as it was. An event is planned once
(with a rule if it recurs) and becomes dated *occurrences*: those are what the wheel draws,
what calendars receive and what reminders are about. A recurring event's occurrences that fall
on a public holiday or a school break are skipped or moved by its rule; each such exception is
kept visible and can be changed by hand, and a changed occurrence survives later edits of the rule.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ska.fields import SchoolYearField
from ska.models import Administration, Committee, Municipality, Role, SchoolForm, Unit
from ska.models.base import RecordModel


class EventKind(models.TextChoices):
    """What an event is; the kind carries meaning elsewhere in the product (deadlines make
    records overdue, dialogue rounds start dialogues), and its colour on the wheel."""

    COMMITTEE_MEETING = "committee_meeting", _("Committee meeting")
    LEADER_FORUM = "leader_forum", _("Leader forum")
    STRATEGY_DAY = "strategy_day", _("Goal and strategy day")
    ANALYSIS_DAY = "analysis_day", _("Analysis day")
    FOLLOW_UP_DEADLINE = "follow_up_deadline", _("Follow-up deadline")
    REPORT_DEADLINE = "report_deadline", _("Report deadline")
    DIALOGUE_ROUND = "dialogue_round", _("Dialogue round")
    SURVEY = "survey", _("Survey or measurement")
    FINANCIAL = "financial", _("Financial milestone")
    OTHER = "other", _("Other")


# Colours with at least 4.5:1 contrast against white, so marks and their labels stay legible.
KIND_COLOURS = {
    EventKind.COMMITTEE_MEETING: "#1f4e79",
    EventKind.LEADER_FORUM: "#2e6b30",
    EventKind.STRATEGY_DAY: "#6a1b9a",
    EventKind.ANALYSIS_DAY: "#ad1457",
    EventKind.FOLLOW_UP_DEADLINE: "#b71c1c",
    EventKind.REPORT_DEADLINE: "#a64200",
    EventKind.DIALOGUE_ROUND: "#00695c",
    EventKind.SURVEY: "#5d4037",
    EventKind.FINANCIAL: "#37474f",
    EventKind.OTHER: "#555555",
}

# Kinds whose reminders go out by default, and how many days before.
DEFAULT_REMINDER_DAYS = {
    EventKind.FOLLOW_UP_DEADLINE: 7,
    EventKind.REPORT_DEADLINE: 14,
    EventKind.DIALOGUE_ROUND: 14,
    EventKind.SURVEY: 7,
    EventKind.STRATEGY_DAY: 3,
    EventKind.ANALYSIS_DAY: 7,
}

DEADLINE_KINDS = (EventKind.FOLLOW_UP_DEADLINE, EventKind.REPORT_DEADLINE)


class FollowUpPart(models.TextChoices):
    """What a follow-up deadline asks the units to have done by its date."""

    CHECK_INS = "check_ins", _("Check-ins on indicators entered by hand")
    ACTIVITY_FOLLOW_UPS = "activity_follow_ups", _("Follow-ups of ongoing activities")
    ANALYSES = "analyses", _("Follow-up and analysis of the goals for the term")


class EventKindSettingQuerySet(models.QuerySet):
    def in_kind_order(self):
        """In the order the types are listed everywhere (the wheel's rings, the filters)."""
        return self.order_by(models.Case(*(models.When(kind=kind, then=i) for i, kind in enumerate(EventKind.values))))


class EventKindSetting(models.Model):
    """Per kind: how many days before an occurrence its reminder goes out (0: no reminder)."""

    kind = models.CharField(_("kind"), max_length=30, choices=EventKind.choices, unique=True)
    reminder_days = models.PositiveSmallIntegerField(
        _("reminder, days before"),
        default=0,
        help_text=_("0 sends no reminder."),
    )
    history = HistoricalRecords()

    objects = EventKindSettingQuerySet.as_manager()

    class Meta:
        verbose_name = _("event kind setting")
        verbose_name_plural = _("event kind settings")
        ordering = ["kind"]

    def __str__(self):
        return self.get_kind_display()

    @property
    def colour(self) -> str:
        return KIND_COLOURS[EventKind(self.kind)]


class Wheel(RecordModel):
    """One owner's annual wheel for one school year."""

    name = models.CharField(_("name"), max_length=150)
    school_year = SchoolYearField(_("school year"))
    description = models.TextField(_("description"), blank=True)
    administration = models.ForeignKey(
        Administration, models.PROTECT, null=True, blank=True, related_name="wheels", verbose_name=_("administration")
    )
    committee = models.ForeignKey(
        Committee, models.PROTECT, null=True, blank=True, related_name="wheels", verbose_name=_("committee")
    )
    unit = models.ForeignKey(Unit, models.PROTECT, null=True, blank=True, related_name="wheels", verbose_name=_("unit"))
    copied_from = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="copies", verbose_name=_("copied from")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("annual wheel")
        verbose_name_plural = _("annual wheels")
        ordering = ["school_year", "name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(administration__isnull=False, committee__isnull=True, unit__isnull=True)
                | Q(administration__isnull=True, committee__isnull=False, unit__isnull=True)
                | Q(administration__isnull=True, committee__isnull=True, unit__isnull=False),
                name="wheel_has_one_owner",
                violation_error_message=_("A wheel belongs to an administration, a committee or a unit."),
            ),
        ]
        indexes = [models.Index(fields=["school_year", "administration"]), models.Index(fields=["school_year", "unit"])]

    def __str__(self):
        return f"{self.name} {self.school_year}"

    def get_absolute_url(self):
        return reverse("annualwheel:wheel_detail", args=[self.pk])

    @property
    def owner(self):
        return self.administration or self.committee or self.unit

    @property
    def municipality_id(self) -> int:
        owner = self.owner
        if self.unit_id:
            return owner.administration.municipality_id if owner.administration_id else owner.provider.municipality_id
        return owner.municipality_id


class Repeat(models.TextChoices):
    NONE = "none", _("Does not repeat")
    WEEKLY = "weekly", _("Every week or every few weeks")
    MONTHLY = "monthly", _("Monthly on a weekday (e.g. the first Tuesday)")
    DATES = "dates", _("On a list of dates")


class ClosedDayRule(models.TextChoices):
    """What happens to an occurrence that falls on a public holiday or a school break."""

    SKIP = "skip", _("Skip it")
    NEXT = "next", _("Move it to the next open weekday")
    PREVIOUS = "previous", _("Move it to the previous open weekday")
    KEEP = "keep", _("Keep it")


class Event(RecordModel):
    wheel = models.ForeignKey(Wheel, models.PROTECT, related_name="events", verbose_name=_("wheel"))
    uid = models.UUIDField(_("calendar identity"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("type"), max_length=30, choices=EventKind.choices, default=EventKind.OTHER)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    start_date = models.DateField(_("date"))
    end_date = models.DateField(
        _("last day"), null=True, blank=True, help_text=_("For an event over several days.")
    )
    start_time = models.TimeField(_("starts at"), null=True, blank=True)
    end_time = models.TimeField(_("ends at"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    concerns_roles = models.JSONField(_("concerns roles"), default=list, blank=True)
    # For a follow-up deadline: which parts of the chain it asks for (FollowUpPart values).
    follow_up_parts = models.JSONField(_("what is followed up"), default=list, blank=True)
    concerns_school_forms = models.ManyToManyField(
        SchoolForm, blank=True, related_name="+", verbose_name=_("concerns school forms")
    )
    concerns_units = models.ManyToManyField(Unit, blank=True, related_name="+", verbose_name=_("concerns units"))
    responsible = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="responsible_for_events", verbose_name=_("responsible")
    )
    responsible_note = models.CharField(
        _("responsible (group)"), max_length=200, blank=True, help_text=_("For example LgU or the presidium.")
    )
    repeat = models.CharField(_("repeats"), max_length=10, choices=Repeat.choices, default=Repeat.NONE)
    interval = models.PositiveSmallIntegerField(_("every … weeks"), default=1)
    nth = models.SmallIntegerField(_("which weekday of the month"), null=True, blank=True)
    repeat_until = models.DateField(_("repeats until"), null=True, blank=True)
    dates = models.JSONField(_("dates"), default=list, blank=True)
    on_closed_day = models.CharField(
        _("on holidays and school breaks"), max_length=10, choices=ClosedDayRule.choices, default=ClosedDayRule.SKIP
    )
    copied_from = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="copies", verbose_name=_("copied from")
    )
    history = HistoricalRecords(m2m_fields=[concerns_school_forms, concerns_units, responsible])

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["start_date", "start_time", "title", "pk"]

    def __str__(self):
        return self.title

    @property
    def colour(self) -> str:
        return KIND_COLOURS[EventKind(self.kind)]

    def get_absolute_url(self):
        return reverse("annualwheel:event_detail", args=[self.pk])

    @property
    def is_deadline(self) -> bool:
        return self.kind in DEADLINE_KINDS

    @property
    def follow_up_part_labels(self) -> list[str]:
        return [str(FollowUpPart(part).label) for part in self.follow_up_parts if part in FollowUpPart.values]

    @property
    def concerns_role_labels(self) -> list[str]:
        return [Role(role).label for role in self.concerns_roles if role in Role.values]


class Occurrence(models.Model):
    """One dated happening of an event: what the wheel shows and calendars receive."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("As planned")
        MOVED = "moved", _("Moved")
        SKIPPED = "skipped", _("Skipped")

    event = models.ForeignKey(Event, models.CASCADE, related_name="occurrences", verbose_name=_("event"))
    original_date = models.DateField(_("date by the rule"))
    date = models.DateField(_("date"), db_index=True)
    end_date = models.DateField(_("last day"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    overridden = models.BooleanField(
        _("changed by hand"), default=False, help_text=_("Kept as it is when the event's rule changes.")
    )
    sequence = models.PositiveIntegerField(_("revision"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("occurrence")
        verbose_name_plural = _("occurrences")
        ordering = ["date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "original_date"], name="occurrence_unique_per_rule_date"),
        ]

    def __str__(self):
        return f"{self.event} {self.date}"

    @property
    def is_skipped(self) -> bool:
        return self.status == self.Status.SKIPPED

    @property
    def is_exception(self) -> bool:
        return self.status != self.Status.SCHEDULED or self.overridden

    @property
    def last_day(self):
        return self.end_date or self.date


class SchoolBreak(models.Model):
    """A school break (*lov*) in a municipality's school year: recurring events skip or move
    around it, like around public holidays."""

    municipality = models.ForeignKey(
        Municipality, models.PROTECT, related_name="school_breaks", verbose_name=_("municipality")
    )
    school_year = SchoolYearField(_("school year"))
    name = models.CharField(_("name"), max_length=100, help_text=_("For example höstlov or sportlov."))
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("school break")
        verbose_name_plural = _("school breaks")
        ordering = ["start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")),
                name="school_break_ends_after_start",
                violation_error_message=_("The last day cannot be before the first day."),
            ),
        ]

    def __str__(self):
        return f"{self.name} {self.school_year}"
