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


def without_hidden_baseline(indicator, threshold: int):
    """The indicator as pages and charts may show it: a baseline measured on a group below the
    threshold is left out (a copy with no baseline value; the record itself is untouched)."""
    if not is_suppressed(getattr(indicator, "baseline_group_size", None), threshold):
        return indicator
    import copy

    shown = copy.copy(indicator)
    shown.baseline_value = None
    return shown


def footnote(threshold: int) -> str:
    return str(FOOTNOTE) % {"threshold": threshold}


# --- Where a value's threshold comes from ---------------------------------------------
# The select_related paths that make ``threshold_for_goal`` free of queries.
GOAL_MUNICIPALITY_PATHS = (
    "unit__administration__municipality",
    "unit__provider__municipality",
    "administration__municipality",
)


def municipality_of_goal(goal):
    """The municipality whose threshold applies to a goal's indicators (None if it has none).
    Follows the goal's owner; with ``GOAL_MUNICIPALITY_PATHS`` selected this costs no query."""
    if goal.unit_id is not None:
        unit = goal.unit
        if unit.administration_id is not None:
            return unit.administration.municipality
        return unit.provider.municipality if unit.provider_id is not None else None
    if goal.administration_id is not None:
        return goal.administration.municipality
    if goal.committee_id is not None:
        return goal.committee.municipality
    return goal.municipality if goal.municipality_id is not None else None


def threshold_for_goal(goal) -> int:
    return threshold_of(municipality_of_goal(goal))


# --- A check-in as pages and exports may show it --------------------------------------
class ShownCheckIn:
    """A check-in seen through suppression: ``value`` and ``comment`` are None/"" when it
    comes from a group below the threshold (the comment may repeat the number). ``check_in``
    is the record itself, for links (editing it is where its own number may be seen)."""

    __slots__ = ("check_in", "suppressed")

    def __init__(self, check_in, threshold: int):
        self.check_in = check_in
        self.suppressed = is_suppressed(check_in.group_size, threshold)

    @property
    def pk(self):
        return self.check_in.pk

    @property
    def date(self):
        return self.check_in.date

    @property
    def group_size(self):
        return self.check_in.group_size

    @property
    def value(self):
        return None if self.suppressed else self.check_in.value

    @property
    def comment(self) -> str:
        return "" if self.suppressed else self.check_in.comment

    def cell(self):
        """The value for a table or spreadsheet cell: the number, or ".."."""
        return SUPPRESSED if self.suppressed else self.check_in.value
