"""Rows of a workbook that must not change the check-in they name, even though they are
well-formed: an older export would undo what was saved after it (Skollagen 4 kap. 6 §: nothing
entered may be silently overwritten), and a check-in kept by Kolada changes only when fetched.

Each message says which check-in, who changed it and when, so the person can decide what to do.
"""

from __future__ import annotations

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from ..display import display_datetime, display_value
from ..models import CheckIn


def _check_in(check_in: CheckIn) -> str:
    """Which check-in: its ID as in the file, and what a person recognises it by."""
    return _("%(id)s (%(indicator)s, %(date)s)") % {
        "id": check_in.pk, "indicator": check_in.indicator.title, "date": display_value(check_in.date),
    }


def _who(user) -> str:
    """The person, named at the start of a sentence."""
    return capfirst(str(user) if user else _("someone else"))


def latest_changes(check_ins: list[CheckIn]) -> dict[int, object]:
    """Each check-in's latest history row (who saved it last, and when), in one query."""
    rows = (
        CheckIn.history.filter(id__in=[c.pk for c in check_ins])
        .select_related("history_user")
        .order_by("id", "-history_date", "-history_id")
    )
    latest = {}
    for row in rows:
        latest.setdefault(row.id, row)
    return latest


def changed_since_export(check_in: CheckIn, user, when) -> str:
    return _(
        "%(who)s changed check-in %(check_in)s on %(when)s, after this file was exported: the row would undo that change. "
        "Remove the row, or export again and make your change in the new file."
    ) % {"who": _who(user), "check_in": _check_in(check_in), "when": display_datetime(when) if when else "–"}


def refusal(record: dict, latest: dict[int, object]) -> str | None:
    """Why the row may not change the existing check-in it names, or None if it may."""
    check_in = record["existing"]
    if check_in.is_deleted:
        return _(
            "%(who)s deleted check-in %(check_in)s on %(when)s. Remove the row, or restore the check-in first."
        ) % {"who": _who(check_in.deleted_by), "check_in": _check_in(check_in), "when": display_datetime(check_in.deleted_at)}
    if not record["changes"]:
        return None
    if check_in.kept_by_source:
        return _(
            "Check-in %(check_in)s is fetched from Kolada and changes only when it is fetched again. "
            "Leave the row as it was exported, or remove it."
        ) % {"check_in": _check_in(check_in)}
    if record.get("version") is None:
        return _(
            "The row changes check-in %(check_in)s, but the file does not say which version of it was exported, so it cannot "
            "be told whether someone has changed it since. Export again and make your change in the new file."
        ) % {"check_in": _check_in(check_in)}
    if record["version"] > check_in.version:
        return _("Check-in %(check_in)s has never had this version. Leave the version as it was exported.") % {
            "check_in": _check_in(check_in)
        }
    if record["version"] < check_in.version:
        row = latest.get(check_in.pk)
        return changed_since_export(check_in, row and row.history_user, row and row.history_date)
    return None
