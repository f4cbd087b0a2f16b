"""Reads of the archive that pages share."""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef

from ska.access import hosted_rounds, scope_of, visible_documents

from ..models import ReportDocument


def latest_committee_documents(user, limit: int = 6) -> list[ReportDocument]:
    """The newest finished version of each of the committee's reports the person may see
    (the secretary all of them, members the published ones), newest first: one query."""
    committees = scope_of(user).committees
    finished = visible_documents(user).filter(committee_id__in=committees, status=ReportDocument.Status.DONE)
    newer = finished.filter(key=OuterRef("key"), version__gt=OuterRef("version"))
    return list(
        finished.exclude(Exists(newer))
        .select_related("administration", "unit")
        .order_by(F("published_at").desc(nulls_last=True), "-finished_at", "-pk")[:limit]
    )


def analysis_report_rounds(user, school_year=None):
    """The dialogue rounds whose analysis report the person may build (agrees with
    ``ska.build_analysis_report``): rounds that have been opened, which they host, or, for the
    committee's secretary, the committee's own dialogue rounds. One query, whatever the number."""
    from dialogs.models import DialogueKind, Round

    rounds = hosted_rounds(user)
    secretary_of = scope_of(user).secretary_committees
    if secretary_of:
        rounds |= Round.objects.filter(kind=DialogueKind.COMMITTEE, administration__committee_id__in=secretary_of)
    if school_year is not None:
        rounds = rounds.filter(school_year=school_year)
    return rounds.exclude(status=Round.Status.DRAFT).select_related("administration__committee", "unit")
