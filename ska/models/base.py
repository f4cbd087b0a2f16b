"""What every record of the goal chain shares: it is the legal record (Skollagen 4 kap. 6 §),
so nothing is lost.

- **History**: each concrete model adds ``history = HistoricalRecords()``; who changed what,
  when, before and after.
- **Soft delete**: ``deleted_at`` hides a record from ``objects``; ``all_objects`` still has it,
  and it can be restored.
- **Optimistic locking**: ``version`` goes up by one with every save through the services, and
  a save based on an older version is refused (``ska.services.records``).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LiveQuerySet(models.QuerySet):
    def live(self):
        return self.filter(deleted_at__isnull=True)

    def deleted(self):
        return self.filter(deleted_at__isnull=False)


class LiveManager(models.Manager.from_queryset(LiveQuerySet)):
    """The default manager: records that have not been deleted."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class RecordModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, db_index=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("deleted by"),
    )

    objects = LiveManager()
    all_objects = LiveQuerySet.as_manager()

    class Meta:
        abstract = True
        # Related lookups (goal.indicators) must not see deleted rows either.
        base_manager_name = "all_objects"
        default_manager_name = "objects"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None
