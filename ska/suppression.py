"""Small-number suppression, as in Skolverket's official statistics: a value measured on a
group smaller than the municipality's threshold (default 10) is never shown; ".." stands in
its place, with a footnote. Pages, reports and exports all ask here.

A check-in without a group size is shown: the rule hides values about few people, and a
value without a stated group is not a statistic about a group (a rektor's own judgement,
an average of marks given by staff).
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

SUPPRESSED = ".."
DEFAULT_THRESHOLD = 10
FOOTNOTE = _(
    "“..” means that the value is not shown because it comes from a group smaller than "
    "%(threshold)s, so that no individual can be identified."
)


def threshold_of(municipality) -> int:
    """The municipality's threshold (the default if there is no municipality)."""
    return getattr(municipality, "suppression_threshold", None) or DEFAULT_THRESHOLD


def is_suppressed(group_size: int | None, threshold: int) -> bool:
    return group_size is not None and group_size < threshold


def shown_value(value: Decimal | None, group_size: int | None, threshold: int) -> Decimal | None:
    """The value if it may be shown, else None (callers print SUPPRESSED for it)."""
    return None if is_suppressed(group_size, threshold) else value


def footnote(threshold: int) -> str:
    return str(FOOTNOTE) % {"threshold": threshold}
