"""Reads of the archive that pages share."""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef

from ska.access import scope_of, visible_documents

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
