"""Saving, deleting and restoring records of the goal chain without losing anything.

Every change goes through ``record_update``: it locks the row, refuses a save that was based
on an older version (somebody else saved in between) and raises ``EditConflict`` with what the
other person changed, so the form can show it. History rows are written by simple-history.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from ..models.base import RecordModel


@dataclass
class EditConflict(Exception):
    """Somebody saved the record after the form was opened."""

    current: RecordModel
    changed_by: object | None = None
    changed_at: object | None = None
    changes: list[tuple[str, object, object]] = field(default_factory=list)  # (field label, yours, theirs)

    def __str__(self):
        return f"{type(self.current).__name__} {self.current.pk} was changed by someone else"


def _latest_change(record: RecordModel):
    latest = record.history.order_by("-history_date").first()
    return (latest.history_user, latest.history_date) if latest else (None, None)


def record_update(*, record: RecordModel, version: int, values: dict, user=None) -> RecordModel:
    """Save ``values`` onto ``record`` if nobody has saved it since ``version``.

    ``record`` carries the values as the person saw them; ``values`` holds what they changed.
    On a conflict nothing is written and ``EditConflict`` tells who changed what.
    """
    model = type(record)
    with transaction.atomic():
        current = model.all_objects.select_for_update().get(pk=record.pk)
        if current.version != version:
            changed_by, changed_at = _latest_change(current)
            changes = [
                (model._meta.get_field(name).verbose_name, value, getattr(current, name))
                for name, value in values.items()
                if getattr(current, name) != value
            ]
            raise EditConflict(current=current, changed_by=changed_by, changed_at=changed_at, changes=changes)
        for name, value in values.items():
            setattr(current, name, value)
        current.version = version + 1
        if user is not None:
            current._history_user = user
        current.full_clean(exclude=_excluded_from_clean(current))
        current.save()
        return current


def _excluded_from_clean(record):
    # Unique checks on soft-deleted siblings are the database's to make.
    return [f.name for f in record._meta.fields if f.name in ("deleted_by",)]


def record_delete(*, record: RecordModel, user) -> RecordModel:
    """Hide a record (soft delete); it stays in the database and in its history."""
    with transaction.atomic():
        current = type(record).all_objects.select_for_update().get(pk=record.pk)
        if current.deleted_at is None:
            current.deleted_at = timezone.now()
            current.deleted_by = user
            current.version += 1
            current._history_user = user
            current.save()
        return current


def record_restore(*, record: RecordModel, user) -> RecordModel:
    """Bring a soft-deleted record back."""
    with transaction.atomic():
        current = type(record).all_objects.select_for_update().get(pk=record.pk)
        if current.deleted_at is not None:
            current.deleted_at = None
            current.deleted_by = None
            current.version += 1
            current._history_user = user
            current.save()
        return current
