"""Goals at every level of the chain (DOMAIN.md, "The goal chain"; Ystad's guideline ch. 4).

Goal areas (kommun) → committee goals (nämnd) → administration-wide goals (förvaltning) →
unit goals (enhet); a unit's local goals come from its own identified needs and hang from
nothing above. Each goal is kept for one school year; a goal that continues is carried into
the next year as a new record (``continued_from``), so the old year's record stays as it was.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from ..fields import SchoolYearField, TermField
from .base import LiveManager, LiveQuerySet, RecordModel
from .organisation import Administration, Committee, Municipality, SchoolForm, Unit


class CurriculumArea(models.Model):
    """An area of the curriculum's chapter 2, or one of the conditions areas (data)."""

    class Kind(models.TextChoices):
        CURRICULUM = "curriculum", _("Curriculum, chapter 2")
        CONDITIONS = "conditions", _("Conditions")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    school_forms = models.ManyToManyField(
        SchoolForm, blank=True, related_name="curriculum_areas", verbose_name=_("school forms")
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)
    history = HistoricalRecords(m2m_fields=[school_forms])

    class Meta:
        verbose_name = _("curriculum area")
        verbose_name_plural = _("curriculum areas")
        ordering = ["kind", "sort_order", "name"]

    def __str__(self):
        return self.name


class GoalQuerySet(LiveQuerySet):
    def in_force(self, school_year):
        """Goals that count in ``school_year``'s follow-up, matrix and reports: active ones, and
        closed ones that ran to the end of the school year. Drafts never count."""
        return self.filter(school_year=school_year).filter(
            Q(status=Goal.Status.ACTIVE) | Q(status=Goal.Status.CLOSED, closed_on__gte=school_year.end)
        )


class GoalManager(LiveManager.from_queryset(GoalQuerySet)):
    pass


class Goal(RecordModel):
    class Level(models.TextChoices):
        AREA = "area", _("Goal area")
        COMMITTEE = "committee", _("Committee goal")
        ADMINISTRATION = "administration", _("Administration-wide goal")
        UNIT = "unit", _("Unit goal")
        LOCAL = "local", _("Local goal")

    class Origin(models.TextChoices):
        POLITICAL = "political", _("Political priority")
        SHORTFALL = "shortfall", _("Identified shortfall")
        DEVELOPMENT = "development", _("Development area")
        NATIONAL = "national", _("National steering or reform")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        CLOSED = "closed", pgettext_lazy("goal status", "Closed")

    class Outcome(models.TextChoices):
        """How a closed goal ended."""

        ATTAINED = "attained", _("Attained")
        PARTLY = "partly", _("Partly attained")
        NOT_ATTAINED = "not_attained", _("Not attained")
        REPLACED = "replaced", _("Replaced by another goal")
        NOT_RELEVANT = "not_relevant", _("No longer relevant")

    # Which level each level hangs from (None: from nothing).
    PARENT_LEVEL = {
        Level.AREA: None,
        Level.COMMITTEE: Level.AREA,
        Level.ADMINISTRATION: Level.COMMITTEE,
        Level.UNIT: Level.ADMINISTRATION,
        Level.LOCAL: None,
    }
    # Which part of the organisation owns a goal of each level.
    OWNER_FIELD = {
        Level.AREA: "municipality",
        Level.COMMITTEE: "committee",
        Level.ADMINISTRATION: "administration",
        Level.UNIT: "unit",
        Level.LOCAL: "unit",
    }

    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("goal above")
    )
    municipality = models.ForeignKey(
        Municipality, models.PROTECT, null=True, blank=True, related_name="goals", verbose_name=_("municipality")
    )
    committee = models.ForeignKey(
        Committee, models.PROTECT, null=True, blank=True, related_name="goals", verbose_name=_("committee")
    )
    administration = models.ForeignKey(
        Administration, models.PROTECT, null=True, blank=True, related_name="goals", verbose_name=_("administration")
    )
    unit = models.ForeignKey(Unit, models.PROTECT, null=True, blank=True, related_name="goals", verbose_name=_("unit"))
    school_year = SchoolYearField(_("school year"), db_index=True)
    title = models.CharField(_("goal"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    expected_effects = models.TextField(_("expected effects"), blank=True)
    origin = models.CharField(_("origin"), max_length=20, choices=Origin.choices, blank=True)
    curriculum_areas = models.ManyToManyField(
        CurriculumArea, blank=True, related_name="goals", verbose_name=_("curriculum areas")
    )
    start_term = TermField(_("from term"))
    end_term = TermField(_("to term"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    # When a goal is closed: on which day, how it ended and why. A goal closed on or after the
    # last day of its school year ran the whole year and still counts in that year (see
    # ``GoalQuerySet.in_force``); one closed earlier no longer does.
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    closing_reason = models.TextField(_("reason for closing"), blank=True)
    school_forms = models.ManyToManyField(
        SchoolForm,
        blank=True,
        related_name="goals",
        verbose_name=_("applies to school forms"),
        help_text=_("The units of these school forms work under the goal. None chosen: every unit."),
    )
    continued_from = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="continuations",
        verbose_name=_("continues"),
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)
    history = HistoricalRecords(m2m_fields=[curriculum_areas, school_forms])

    objects = GoalManager()

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["sort_order", "title", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_term__gte=models.F("start_term")),
                name="goal_period_in_order",
                violation_error_message=_("The period must end in or after the term it starts."),
            ),
            models.CheckConstraint(
                condition=(Q(level="area", municipality__isnull=False) & Q(committee__isnull=True, administration__isnull=True, unit__isnull=True))
                | (Q(level="committee", committee__isnull=False) & Q(municipality__isnull=True, administration__isnull=True, unit__isnull=True))
                | (Q(level="administration", administration__isnull=False) & Q(municipality__isnull=True, committee__isnull=True, unit__isnull=True))
                | (Q(level__in=["unit", "local"], unit__isnull=False) & Q(municipality__isnull=True, committee__isnull=True, administration__isnull=True)),
                name="goal_owner_matches_level",
                violation_error_message=_(
                    "A goal belongs to exactly one part of the organisation, as its level says: "
                    "the municipality, the committee, the administration or a unit."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(level="unit") | Q(parent__isnull=False),
                name="unit_goal_has_parent",
                violation_error_message=_("A unit goal must hang from an administration-wide goal."),
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "school_year"]),
            models.Index(fields=["administration", "school_year"]),
            models.Index(fields=["parent", "school_year"]),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self) -> str:
        """Where the goal is read: a unit's goals on the unit's page, the goals above on the
        administration's pages."""
        from django.urls import reverse

        if self.unit_id is not None:
            return f"{reverse('unit_detail', args=[self.unit_id])}?lasar={self.school_year.start_year}#goal-{self.pk}"
        if self.level == self.Level.ADMINISTRATION:
            return reverse("administration_goal", args=[self.pk])
        return reverse("goal_detail", args=[self.pk])

    @property
    def owner(self):
        return getattr(self, self.OWNER_FIELD[self.Level(self.level)])

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    def in_force_in_its_year(self) -> bool:
        """Does the goal count in its school year (``GoalQuerySet.in_force``)?"""
        if self.status == self.Status.ACTIVE:
            return True
        return self.status == self.Status.CLOSED and self.closed_on is not None and self.closed_on >= self.school_year.end

    @property
    def period_label(self) -> str:
        if self.start_term == self.end_term:
            return str(self.start_term)
        return f"{self.start_term} – {self.end_term}"
