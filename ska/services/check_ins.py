"""Recording check-ins (*avstämningar*) on indicators."""

from django.db import transaction
from django.utils.translation import gettext

from ..models import CheckIn, Indicator


@transaction.atomic
def check_in_record(*, indicator: Indicator, values: dict, user=None, origin: str = CheckIn.Origin.MANUAL) -> CheckIn:
    check_in = CheckIn(indicator=indicator, origin=origin, **values)
    check_in.full_clean()
    check_in._history_user = user
    check_in.save()
    return check_in


def check_in_value_changes(indicator: Indicator) -> list[dict]:
    """Every change of a check-in's value on the indicator, newest first: also the values
    Kolada revised and the years it withdrew, so the indicator's history shows them. Raw
    values: for those who keep the indicator only (they may see values of small groups)."""
    rows = (
        CheckIn.history.filter(indicator_id=indicator.pk)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    changes, previous = [], {}
    for row in rows:
        before = previous.get(row.id)
        previous[row.id] = row
        if before is None:
            continue
        was_live, is_live = before.deleted_at is None, row.deleted_at is None
        if before.value == row.value and was_live == is_live:
            continue
        changes.append({
            "date": row.date,
            "when": row.history_date,
            "who": row.history_user,
            "before": before.value if was_live else None,
            "after": row.value if is_live else None,
            "reason": gettext(row.history_change_reason) if row.history_change_reason else "",
            "origin": row.origin,
        })
    changes.sort(key=lambda change: change["when"], reverse=True)
    return changes
