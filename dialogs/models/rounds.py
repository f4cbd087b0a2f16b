"""Rounds, their bookable time slots and the dialogues in them.

A *round* (e.g. "Kvalitetssamtal med fristående VT 2027") holds one *dialogue* per counterpart:
a unit, an independent provider, the committee, or a group of people by role. The
administration publishes *slots*, each with one or more hosts; a counterpart books a slot for
its dialogue. ``Dialogue.slot`` is unique, so the database itself refuses a second booking of
the same slot, also when two people click at the same moment.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ska.fields import SchoolYearField, TermField
from ska.models import Administration, Committee, IndependentProvider, Municipality, Unit
from ska.models.base import RecordModel

from .kinds import DialogueKind


class Round(RecordModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")  # only the administration sees it
        OPEN = "open", _("Open for booking")
        CLOSED = "closed", _("Closed")

    municipality = models.ForeignKey(Municipality, models.PROTECT, related_name="+", verbose_name=_("municipality"))
    administration = models.ForeignKey(
        Administration, models.PROTECT, related_name="dialogue_rounds", verbose_name=_("administration")
    )
    unit = models.ForeignKey(
        Unit,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="dialogue_rounds",
        verbose_name=_("unit"),
        help_text=_("For dialogues within a unit: the unit that holds them."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DialogueKind.choices)
    title = models.CharField(_("title"), max_length=200)
    term = TermField(_("term"))
    school_year = SchoolYearField(_("school year"), db_index=True)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    purpose = models.TextField(_("purpose"), blank=True)
    participant_roles = models.TextField(_("participants"), blank=True)
    agenda_topics = models.JSONField(_("agenda"), default=list, blank=True)
    information_letter = models.TextField(_("information letter"), blank=True)
    question_guide = models.JSONField(_("question guide"), default=list, blank=True)
    booking_cutoff_hours = models.PositiveSmallIntegerField(
        _("booking closes, hours before"),
        default=48,
        help_text=_("Until this many hours before a dialogue, its booking can be changed or cancelled."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    wheel_event = models.OneToOneField(
        "annualwheel.Event",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="dialogue_round",
        verbose_name=_("annual wheel event"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dialogue round")
        verbose_name_plural = _("dialogue rounds")
        ordering = ["-starts_on", "title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="round_ends_after_start",
                violation_error_message=_("The last day cannot be before the first day."),
            ),
        ]
        indexes = [models.Index(fields=["administration", "school_year"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("dialogs:round_detail", args=[self.pk])


class Slot(RecordModel):
    """A time the administration offers. Booked when a dialogue points at it."""

    round = models.ForeignKey(Round, models.PROTECT, related_name="slots", verbose_name=_("round"))
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    video_link = models.URLField(_("video link"), blank=True)
    hosts = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="hosted_slots", verbose_name=_("hosts"))
    history = HistoricalRecords(m2m_fields=[hosts])

    class Meta:
        verbose_name = _("time slot")
        verbose_name_plural = _("time slots")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="slot_ends_after_start",
                violation_error_message=_("A time slot must end after it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.round}: {self.starts_at:%Y-%m-%d %H:%M}"


class Dialogue(RecordModel):
    """One dialogue of a round, with one counterpart."""

    class NotesState(models.TextChoices):
        DRAFT = "draft", _("Draft")  # only the hosts see the notes
        SHARED = "shared", _("Shared for comments")
        LOCKED = "locked", _("Locked")

    round = models.ForeignKey(Round, models.PROTECT, related_name="dialogues", verbose_name=_("round"))
    unit = models.ForeignKey(
        Unit, models.PROTECT, null=True, blank=True, related_name="dialogues", verbose_name=_("unit")
    )
    provider = models.ForeignKey(
        IndependentProvider,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="dialogues",
        verbose_name=_("independent provider"),
    )
    committee = models.ForeignKey(
        Committee, models.PROTECT, null=True, blank=True, related_name="dialogues", verbose_name=_("committee")
    )
    role_group = models.CharField(
        _("group by role"),
        max_length=150,
        blank=True,
        help_text=_("For example Biträdande rektorer: the invited people are the participants."),
    )
    slot = models.OneToOneField(
        Slot, models.PROTECT, null=True, blank=True, related_name="dialogue", verbose_name=_("time slot")
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("booked by")
    )
    booked_at = models.DateTimeField(_("booked at"), null=True, blank=True)
    meeting = models.ForeignKey(
        "annualwheel.Occurrence",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="dialogues",
        verbose_name=_("committee meeting"),
    )
    held_at = models.DateTimeField(_("held"), null=True, blank=True)
    notes_state = models.CharField(
        _("notes"), max_length=10, choices=NotesState.choices, default=NotesState.DRAFT
    )
    notes_shared_at = models.DateTimeField(_("notes shared"), null=True, blank=True)
    notes_locked_at = models.DateTimeField(_("notes locked"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("quality dialogue")
        verbose_name_plural = _("quality dialogues")
        ordering = ["round", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__isnull=False, provider__isnull=True, committee__isnull=True, role_group="")
                | Q(unit__isnull=True, provider__isnull=False, committee__isnull=True, role_group="")
                | Q(unit__isnull=True, provider__isnull=True, committee__isnull=False, role_group="")
                | (Q(unit__isnull=True, provider__isnull=True, committee__isnull=True) & ~Q(role_group="")),
                name="dialogue_has_one_counterpart",
                violation_error_message=_("A dialogue is with one unit, one provider, the committee or one group."),
            ),
            models.UniqueConstraint(
                fields=["round", "unit"], condition=Q(deleted_at__isnull=True, unit__isnull=False),
                name="dialogue_unique_unit",
            ),
            models.UniqueConstraint(
                fields=["round", "provider"], condition=Q(deleted_at__isnull=True, provider__isnull=False),
                name="dialogue_unique_provider",
            ),
        ]

    def __str__(self):
        return f"{self.round}: {self.counterpart_name}"

    def get_absolute_url(self):
        return reverse("dialogs:dialogue_detail", args=[self.pk])

    @property
    def counterpart(self):
        return self.unit or self.provider or self.committee

    @property
    def counterpart_name(self) -> str:
        return str(self.counterpart) if self.counterpart else self.role_group

    @property
    def counterpart_key(self) -> tuple[str, object]:
        """Who the dialogue is with, comparable across rounds (to carry actions forward)."""
        if self.unit_id:
            return ("unit", self.unit_id)
        if self.provider_id:
            return ("provider", self.provider_id)
        if self.committee_id:
            return ("committee", self.committee_id)
        return ("group", self.role_group.casefold())

    @property
    def is_booked(self) -> bool:
        return self.slot_id is not None


class Participant(models.Model):
    """Someone invited to a dialogue, on the hosts' side or the counterpart's, and whether
    they attended. People without an account (pupil representatives) are named only."""

    class Side(models.TextChoices):
        HOST = "host", _("Host")
        COUNTERPART = "counterpart", _("Counterpart")

    dialogue = models.ForeignKey(Dialogue, models.CASCADE, related_name="participants", verbose_name=_("dialogue"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="dialogue_participations",
        verbose_name=_("person"),
    )
    name = models.CharField(_("name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=100, blank=True)
    side = models.CharField(_("side"), max_length=12, choices=Side.choices)
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["side", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dialogue", "user"], condition=Q(user__isnull=False), name="participant_unique_user"
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(name=""),
                name="participant_has_user_or_name",
                violation_error_message=_("Choose a person or write a name."),
            ),
        ]

    def __str__(self):
        return str(self.user) if self.user_id else self.name
