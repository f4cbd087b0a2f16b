"""A record's history (django-simple-history) as people read it: who (by name) did what and
when (in the site's time zone), and every changed field with the values as the interface shows
them: the related record's name rather than its id, a choice's label rather than its code.

The history rows, the rows of each tracked many-to-many field and the records that foreign keys
and many-to-many rows point at are each read in one query, however long the history is.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import get_m2m_reverse_field_name

from ..display import display_datetime, display_value
from ..models import Analysis
from ..models.analysis import Participant

# Bookkeeping that every save changes, and nobody reads as a change.
NOT_SHOWN = {"id", "version", "created_at", "updated_at"}
SOFT_DELETE = {"deleted_at", "deleted_by"}
# JSON fields holding a list of choice codes, shown as the codes' labels.
CHOICE_LISTS = {(Analysis, "participants"): Participant.choices}

ACTIONS = {
    "created": gettext_lazy("created"),
    "changed": gettext_lazy("changed"),
    "deleted": gettext_lazy("deleted"),
    "restored": gettext_lazy("restored"),
    "removed": gettext_lazy("removed for good"),
}


@dataclass
class FieldChange:
    label: str
    before: str
    after: str


@dataclass
class HistoryEntry:
    when: str
    who: str
    action: str  # a key of ACTIONS
    reason: str = ""
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def action_label(self) -> str:
        return str(ACTIONS[self.action])


def readable_history(record) -> list[HistoryEntry]:
    """The record's history, newest first."""
    model = type(record)
    rows = list(record.history.select_related("history_user").order_by("history_date", "history_id"))
    fields = [f for f in model.history.model.tracked_fields if f.editable and f.name not in NOT_SHOWN]
    many = {f: _m2m_ids(f, record, rows) for f in getattr(model.history.model, "_history_m2m_fields", [])}
    raw = [_raw_changes(older, newer, fields, many) for older, newer in zip([None, *rows], rows)]
    names = _names(raw)
    entries = [_entry(row, changes, names) for row, changes in zip(rows, raw)]
    # A save that changed nothing a person reads (only the version, say) is not worth a line.
    return [e for e in reversed(entries) if e.action != "changed" or e.changes or e.reason]


def _m2m_ids(m2m_field: models.ManyToManyField, record, rows) -> dict[int, frozenset]:
    """For each history row: the ids of the related records it had then. One query."""
    m2m_history = getattr(type(record).history.model, m2m_field.name).model
    related = m2m_history._meta.get_field(get_m2m_reverse_field_name(m2m_field)).attname
    ids = defaultdict(set)
    for history_id, related_id in m2m_history.objects.filter(history__id=record.pk).values_list("history_id", related):
        ids[history_id].add(related_id)
    return {row.history_id: frozenset(ids[row.history_id]) for row in rows}


def _raw_changes(older, newer, fields, many) -> list[tuple]:
    """(field, before, after) with stored values: ids for relations, codes for choices."""
    if older is None:
        return []
    changes = [
        (f, getattr(older, f.attname), getattr(newer, f.attname))
        for f in fields
        if getattr(older, f.attname) != getattr(newer, f.attname)
    ]
    for f, ids in many.items():
        before, after = ids[older.history_id], ids[newer.history_id]
        if before != after:
            changes.append((f, before, after))
    return changes


def _names(raw: list[list[tuple]]) -> dict[tuple, str]:
    """The name of every record a change points at, one query per related model."""
    wanted = defaultdict(set)
    for changes in raw:
        for f, before, after in changes:
            if f.is_relation:
                for value in (before, after):
                    ids = value if isinstance(value, frozenset) else {value}
                    wanted[f.related_model].update(i for i in ids if i is not None)
    names = {}
    for related_model, ids in wanted.items():
        for record in related_model._base_manager.filter(pk__in=ids):
            names[(related_model, record.pk)] = str(record)
    return names


def _shown(f, value, names) -> str:
    if value is None or value == "":
        return ""
    if f.many_to_many:
        return ", ".join(sorted((_name(f, pk, names) for pk in value), key=str.casefold))
    if f.is_relation:
        return _name(f, value, names)
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    list_choices = CHOICE_LISTS.get((f.model, f.name))
    if list_choices is not None and isinstance(value, list):
        labels = dict(list_choices)
        return ", ".join(str(labels.get(code, code)) for code in value)
    return display_value(value)


def _name(f, pk, names) -> str:
    return names.get((f.related_model, pk)) or _("a removed record (%(id)s)") % {"id": pk}


def _action(row, changes) -> str:
    if row.history_type == "+":
        return "created"
    if row.history_type == "-":
        return "removed"
    for f, _before, after in changes:
        if f.name == "deleted_at":
            return "deleted" if after is not None else "restored"
    return "changed"


def _entry(row, changes, names) -> HistoryEntry:
    action = _action(row, changes)
    shown = [c for c in changes if action == "changed" or c[0].name not in SOFT_DELETE]
    return HistoryEntry(
        when=display_datetime(row.history_date),
        who=str(row.history_user) if row.history_user else _("the system"),
        action=action,
        reason=_(row.history_change_reason) if row.history_change_reason else "",
        changes=[
            FieldChange(str(f.verbose_name), _shown(f, before, names), _shown(f, after, names))
            for f, before, after in shown
        ],
    )
