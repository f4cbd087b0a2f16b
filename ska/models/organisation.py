"""The organisation: municipality, committee, administration, school forms, units and
independent providers (DOMAIN.md, "The organisation").

Nothing here is ever deleted by the app: units and providers are closed (``closed_on``),
and every change is kept in a history table (django-simple-history).
"""

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Municipality(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.CharField(
        _("municipality code"), max_length=4, blank=True, help_text=_("The four-digit code from SCB, e.g. 1286.")
    )
    vision = models.TextField(_("vision"), blank=True)
    suppression_threshold = models.PositiveSmallIntegerField(
        _("smallest group shown"),
        default=10,
        validators=[MinValueValidator(2)],
        help_text=_(
            "A value from a smaller group is shown as “..” in pages, reports and exports, "
            "as in Skolverket's official statistics."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Committee(models.Model):
    """The committee (*nämnd*) that acts as huvudman for the municipality's education."""

    municipality = models.ForeignKey(
        Municipality, models.PROTECT, related_name="committees", verbose_name=_("municipality")
    )
    name = models.CharField(_("name"), max_length=150)
    short_name = models.CharField(_("short name"), max_length=20, blank=True, help_text=_("For example BUN."))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("committee")
        verbose_name_plural = _("committees")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["municipality", "name"], name="committee_unique_name")]

    def __str__(self):
        return self.name


class Administration(models.Model):
    """The administration (*förvaltning*) that runs the committee's units."""

    municipality = models.ForeignKey(
        Municipality, models.PROTECT, related_name="administrations", verbose_name=_("municipality")
    )
    committee = models.ForeignKey(
        Committee, models.PROTECT, related_name="administrations", verbose_name=_("committee")
    )
    name = models.CharField(_("name"), max_length=150)
    goal_limit = models.PositiveSmallIntegerField(
        _("most goals per unit"),
        default=5,
        validators=[MinValueValidator(1)],
        help_text=_("A unit with more goals in a school year is warned of goal crowding (målträngsel)."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("administration")
        verbose_name_plural = _("administrations")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["municipality", "name"], name="administration_unique_name")]

    def __str__(self):
        return self.name


class SchoolForm(models.Model):
    """A school form (*skolform / verksamhetsform*): data, so a municipality can add its own."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("school form")
        verbose_name_plural = _("school forms")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class IndependentProvider(models.Model):
    """An independent provider (*fristående huvudman*) with units in the municipality."""

    municipality = models.ForeignKey(
        Municipality, models.PROTECT, related_name="providers", verbose_name=_("municipality")
    )
    name = models.CharField(_("name"), max_length=150)
    organisation_number = models.CharField(_("organisation number"), max_length=11, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("independent provider")
        verbose_name_plural = _("independent providers")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["municipality", "name"], name="provider_unique_name")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("provider_detail", args=[self.pk])


class UnitQuerySet(models.QuerySet):
    def open(self):
        today = timezone.localdate()
        return self.filter(Q(closed_on__isnull=True) | Q(closed_on__gt=today))

    def municipal(self):
        return self.filter(provider__isnull=True)

    def independent(self):
        return self.filter(provider__isnull=False)


class Unit(models.Model):
    """A preschool or school unit (*förskoleenhet / skolenhet*).

    A unit belongs either to the municipality's administration (and so to its goal chain)
    or to an independent provider; the database enforces that it is exactly one of them.
    """

    name = models.CharField(_("name"), max_length=150)
    administration = models.ForeignKey(
        Administration,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
        verbose_name=_("administration"),
    )
    provider = models.ForeignKey(
        IndependentProvider,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
        verbose_name=_("independent provider"),
    )
    school_forms = models.ManyToManyField(SchoolForm, related_name="units", verbose_name=_("school forms"))
    unit_code = models.CharField(
        _("school unit code"), max_length=8, blank=True, help_text=_("Skolverket's eight-digit school unit code.")
    )
    kolada_ou_id = models.CharField(
        _("Kolada's unit id"),
        max_length=20,
        blank=True,
        help_text=_("The unit's id among Kolada's organisational units, e.g. V15E128600101."),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    history = HistoricalRecords(m2m_fields=[school_forms])

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(administration__isnull=False) & Q(provider__isnull=True))
                | (Q(administration__isnull=True) & Q(provider__isnull=False)),
                name="unit_belongs_to_administration_or_provider",
                violation_error_message=_("A unit belongs either to the administration or to an independent provider."),
            ),
        ]
        indexes = [models.Index(fields=["name"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("unit_detail", args=[self.pk])

    @property
    def is_independent(self) -> bool:
        return self.provider_id is not None

    @property
    def is_open(self) -> bool:
        return self.closed_on is None or self.closed_on > timezone.localdate()
