"""The goal chain as an Excel workbook: a sheet per level, from row generators.

The check-ins sheet has the same columns as the import template, and each check-in's version
after them, so an exported workbook can be filled in and imported again; imported unchanged, it
changes nothing, and a row for a check-in changed since the export is refused.

Small-number suppression (ska.suppression): a check-in from a group smaller than the
municipality's threshold has ".." in its value and comment cells, and a last sheet of notes
says why. Importing ".." back keeps what is stored (see check_in_import).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from ..models import Activity, ActivityFollowUp, Analysis, CheckIn, Indicator
from ..suppression import GOAL_MUNICIPALITY_PATHS, SUPPRESSED, ShownCheckIn, footnote, is_suppressed, threshold_for_goal
from .writer import Sheet, write_workbook


def check_in_headers() -> list[str]:
    return [
        _("Check-in ID"), _("Indicator ID"), _("Unit"), _("Goal"), _("Indicator"),
        _("Date"), _("Value"), _("Group size"), _("Comment"),
    ]


def check_in_version_header() -> str:
    """The last column of an export: which version of each check-in it shows, so that importing
    the file later cannot undo a change made since (see check_in_import)."""
    return _("Version (do not change)")


CHECK_IN_WIDTHS = [12, 12, 28, 40, 48, 12, 10, 12, 40]


def _goal_rows(goals):
    for goal in goals.select_related("unit", "parent").order_by("unit__name", "title", "pk"):
        yield [
            goal.pk, goal.unit.name if goal.unit else "", goal.get_level_display(), goal.title,
            goal.parent.title if goal.parent else "", str(goal.school_year), str(goal.start_term), str(goal.end_term),
            goal.get_origin_display(), goal.get_status_display(), goal.description, goal.expected_effects,
        ]


def _indicator_rows(goals, suppressed_under: set[int] | None = None):
    related = ["goal__unit", *(f"goal__{path}" for path in GOAL_MUNICIPALITY_PATHS)]
    for i in Indicator.objects.filter(goal__in=goals).select_related(*related).order_by("goal__unit__name", "goal__title", "title", "pk"):
        # A current state measured on a group below the threshold is shown as "..", like a check-in.
        threshold = threshold_for_goal(i.goal)
        hidden = is_suppressed(i.baseline_group_size, threshold)
        if hidden and suppressed_under is not None:
            suppressed_under.add(threshold)
        yield [
            i.pk, i.goal.unit.name if i.goal.unit else "", i.goal.title, i.title, i.measures, i.get_source_kind_display(),
            i.source, i.unit_of_measure, i.get_direction_display(), SUPPRESSED if hidden else i.baseline_value,
            i.baseline_date, i.baseline_comment, i.target_value, i.target_date,
        ]


def check_in_rows(check_ins, suppressed_under: set[int] | None = None):
    """One row per check-in, its version last; a suppressed one with ".." for its value and
    comment. The thresholds that suppressed something are added to ``suppressed_under``."""
    related = ["indicator__goal__unit", *(f"indicator__goal__{path}" for path in GOAL_MUNICIPALITY_PATHS)]
    for c in check_ins.select_related(*related).order_by("indicator__goal__unit__name", "indicator__title", "date", "pk"):
        goal = c.indicator.goal
        threshold = threshold_for_goal(goal)
        shown = ShownCheckIn(c, threshold)
        if shown.suppressed and suppressed_under is not None:
            suppressed_under.add(threshold)
        yield [
            c.pk, c.indicator_id, goal.unit.name if goal.unit else "", goal.title, c.indicator.title,
            c.date, shown.cell(), c.group_size, SUPPRESSED if shown.suppressed else c.comment, c.version,
        ]


def notes_sheet(thresholds: set[int]) -> Sheet:
    """The footnote of the ".." cells, as a sheet of its own: a note row under the data would be
    read as a check-in when the workbook is imported."""
    return Sheet(_("Notes"), [_("Note")], ([f"{SUPPRESSED}: {footnote(t)}"] for t in sorted(thresholds)), [120])


def _activity_rows(goals):
    activities = Activity.objects.filter(goal__in=goals).select_related("goal__unit").prefetch_related("indicators")
    for a in activities.order_by("goal__unit__name", "goal__title", "title", "pk"):
        yield [
            a.pk, a.goal.unit.name if a.goal.unit else "", a.goal.title, a.title, a.purpose, a.aim, a.owner,
            a.start, a.end, a.get_status_display(), "; ".join(i.title for i in a.indicators.all()),
        ]


def _follow_up_rows(goals):
    follow_ups = ActivityFollowUp.objects.filter(activity__goal__in=goals).select_related("activity__goal__unit")
    for f in follow_ups.order_by("activity__goal__unit__name", "activity__title", "date", "pk"):
        yield [
            f.pk, f.activity.goal.unit.name if f.activity.goal.unit else "", f.activity.title, f.date,
            f.get_on_track_display(), f.process_data, f.comment,
        ]


def _analysis_rows(goals):
    for a in Analysis.objects.filter(goal__in=goals).select_related("goal__unit").order_by("goal__unit__name", "goal__title", "term"):
        yield [
            a.pk, a.goal.unit.name if a.goal.unit else "", a.goal.title, str(a.term), a.results, a.causes,
            ", ".join(a.get_participants_display()), a.activity_effect, a.get_attainment_display() or "",
        ]


def chain_workbook(goals) -> bytes:
    """``goals``: the goals to export (a unit's or an administration's, for a school year)."""
    goals = goals.filter(deleted_at__isnull=True)
    check_ins = CheckIn.objects.filter(indicator__goal__in=goals)
    suppressed_under: set[int] = set()

    def sheets():
        # A generator: the notes sheet is decided after the check-ins sheet has been written.
        yield from _chain_sheets(goals, check_in_rows(check_ins, suppressed_under), suppressed_under)
        if suppressed_under:
            yield notes_sheet(suppressed_under)

    return write_workbook(sheets())


def _chain_sheets(goals, check_ins_rows, suppressed_under: set[int] | None = None) -> list[Sheet]:
    return [
        Sheet(_("Goals"), [_("Goal ID"), _("Unit"), _("Level"), _("Goal"), _("Goal above"), _("School year"),
                           _("From term"), _("To term"), _("Origin"), _("Status"), _("Description"),
                           _("Expected effects")], _goal_rows(goals),
              [10, 28, 22, 48, 40, 10, 10, 10, 24, 10, 60, 60]),
        Sheet(_("Indicators"), [_("Indicator ID"), _("Unit"), _("Goal"), _("Indicator"), _("How it measures"),
                                _("Data source"), _("Source"), _("Unit of measure"), _("Desired direction"),
                                _("Current state"), _("Current state measured on"), _("Comment on the current state"),
                                _("Desired state"), _("Desired state by")], _indicator_rows(goals, suppressed_under),
              [10, 28, 40, 48, 40, 18, 28, 12, 18, 12, 14, 40, 12, 14]),
        Sheet(_("Check-ins"), [*check_in_headers(), check_in_version_header()], check_ins_rows, [*CHECK_IN_WIDTHS, 22]),
        Sheet(_("Activities"), [_("Activity ID"), _("Unit"), _("Goal"), _("Activity"), _("Purpose"),
                                _("Aim of the activity"), _("Responsible"), _("Start"), _("End"), _("Status"),
                                _("Indicators it should move")], _activity_rows(goals),
              [10, 28, 40, 40, 40, 40, 20, 12, 12, 12, 48]),
        Sheet(_("Follow-ups"), [_("Follow-up ID"), _("Unit"), _("Activity"), _("Date"), _("Judgement"),
                                _("Process data"), _("Next step")], _follow_up_rows(goals),
              [10, 28, 40, 12, 20, 60, 40]),
        Sheet(_("Analyses"), [_("Analysis ID"), _("Unit"), _("Goal"), _("Term"), _("Results"),
                              _("Analysis of causes"), _("Took part"), _("Effect of the activities"),
                              _("Goal attainment")], _analysis_rows(goals),
              [10, 28, 40, 10, 60, 60, 40, 60, 20]),
    ]


def check_in_template(indicators) -> bytes:
    """The import template: one empty row per indicator, to fill in with date and value."""

    def rows():
        for i in indicators.select_related("goal__unit").order_by("goal__unit__name", "goal__title", "title", "pk"):
            yield ["", i.pk, i.goal.unit.name if i.goal.unit else "", i.goal.title, i.title, None, None, None, ""]

    # No version column: a template has only new check-ins, which no later change can conflict with.
    return write_workbook([Sheet(_("Check-ins"), check_in_headers(), rows(), CHECK_IN_WIDTHS)])
