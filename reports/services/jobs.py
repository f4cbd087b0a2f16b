"""Building report PDFs as background jobs, and the archive of what was built.

A build is a ``ReportDocument`` row. ``document_request`` adds a queued row (the report's next
version) and queues the Celery task once the request's transaction has committed, so the worker
never looks for a row it cannot see yet. The database refuses a second queued or running build
of the same report; a second click gets the build already on its way.

``document_run`` (the task) first *claims* the row with one conditional UPDATE: a queued row, or a
running one whose heartbeat has gone stale (its worker died). Whoever loses the claim does nothing,
so a task delivered twice builds once. While it builds, the worker writes its progress (at most
twice a second) and a background thread keeps its heartbeat fresh, even through a long WeasyPrint
render. Every later write checks the claim (status running, same attempt and start), so a worker
the sweeper gave up on cannot overwrite the build that replaced it.

``heartbeat_at`` means two things: while a build runs, its worker's last sign of life; while it
is queued, when its task was last sent. ``documents_sweep`` (Celery beat, every minute, and
whenever a worker starts) queues again the builds whose worker died, and sends again the task of
a queued build nobody took once ``SKA_REPORT_REQUEUE_SECONDS`` have passed since it was last
sent (not every minute: a backlog would gather duplicate messages). A build whose worker died
``SKA_REPORT_MAX_ATTEMPTS`` times (a PDF too large for the worker's memory, say) is not tried
again on its own: it fails, and a person may retry it.

When the broker (Redis) cannot be reached, the request that asked for the build still succeeds:
the build stays queued with ``send_failed_at`` set, its page says that the report service cannot
be reached and that the build starts when it is back, and the sweeper sends it again at its next
run (every minute), without waiting for ``SKA_REPORT_REQUEUE_SECONDS``.

A finished PDF is never changed: it is stored under a name of its own (the storage picks a free
name rather than overwriting), with its SHA-256 checksum and the data snapshot it was built from.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import threading
import time
from contextlib import contextmanager
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F, Max, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ska.schoolyear import SchoolYear

from ..models import ReportDocument, ReportKind, UnitReport
from .data import SnapshotError
from .progress import Progress
from .report_templates import TemplateError
from .unit_reports import ReportError

logger = logging.getLogger(__name__)

Status = ReportDocument.Status
ADMINISTRATION_KINDS = (ReportKind.OVERALL, ReportKind.FORSKOLA, ReportKind.GRUNDSKOLA, ReportKind.PLAN)
# A queued build nobody has taken this long after its task was sent is sent again (its message
# may be lost); settings.SKA_REPORT_REQUEUE_SECONDS overrides it.
REQUEUE_SECONDS = 600
# A build whose worker died this many times fails instead (settings.SKA_REPORT_MAX_ATTEMPTS).
MAX_ATTEMPTS = 3
# The progress bar polls every second; writing progress more often only loads the database.
PROGRESS_INTERVAL_SECONDS = 0.5


class ReportRequestError(ValueError):
    """A report that cannot be built as asked (the kind and what it is about do not match)."""


class LostClaim(Exception):
    """Another worker has taken over this build (the sweeper took this one for dead)."""


# Failures whose message is written for the person (shown as it is); any other failure is a bug
# or an outage, whose details go to the log and not onto the page.
READABLE_ERRORS = (ReportRequestError, SnapshotError, ValidationError, ReportError, TemplateError)


def requeue_seconds() -> int:
    return getattr(settings, "SKA_REPORT_REQUEUE_SECONDS", REQUEUE_SECONDS)


def max_attempts() -> int:
    return max(1, getattr(settings, "SKA_REPORT_MAX_ATTEMPTS", MAX_ATTEMPTS))


# --- Requesting a build -----------------------------------------------------------
def report_key(kind, school_year, administration=None, unit_report=None, round_=None) -> str:
    """The name of a report, the same for all its versions: its kind, school year and subject.
    The related objects may be given as instances or primary keys."""
    year = _school_year(school_year).start_year
    if kind == ReportKind.UNIT:
        return f"unit-{year}-report{_pk(unit_report)}"
    if kind == ReportKind.ANALYSIS:
        return f"analysis-{year}-round{_pk(round_)}"
    return f"{kind}-{year}-administration{_pk(administration)}"


def document_request(
    *, kind: str, school_year, user, administration=None, unit_report=None, round_=None
) -> ReportDocument:
    """Queue a build of the report; its task is sent when the transaction commits. If the same
    report is already queued or being built, that build is returned instead of a second one."""
    subject = _subject(kind, school_year, administration, unit_report, round_)
    key = report_key(kind, subject["school_year"], subject["administration"], unit_report, round_)
    with transaction.atomic():
        for _attempt in range(3):
            active = ReportDocument.objects.filter(key=key, status__in=ReportDocument.ACTIVE).first()
            if active is not None:
                return active
            latest = ReportDocument.objects.filter(key=key).aggregate(latest=Max("version"))["latest"] or 0
            try:
                with transaction.atomic():
                    document = ReportDocument.objects.create(
                        kind=kind, key=key, version=latest + 1, requested_by=user, status=Status.QUEUED,
                        heartbeat_at=timezone.now(),  # queued: when its task was sent
                        **subject,
                    )
            except IntegrityError:
                # A build of the same report was requested at the same moment: take theirs.
                continue
            _enqueue(document.pk)
            return document
    raise ReportRequestError(_("The report could not be queued. Try again in a moment."))


def document_retry(document: ReportDocument, user) -> ReportDocument:
    """Build a failed document again. The latest version is queued again as it is (its attempts
    counted afresh); a failed older version leads to a new version, so that versions stay in the
    order they were built."""
    if document.status != Status.FAILED:
        raise ReportRequestError(_("Only a build that failed can be retried."))
    latest = ReportDocument.objects.filter(key=document.key).aggregate(latest=Max("version"))["latest"]
    if latest != document.version:
        return document_request(
            kind=document.kind, school_year=document.school_year, user=user, **subject_of(document)
        )
    with transaction.atomic():
        try:
            with transaction.atomic():
                now = timezone.now()
                queued = ReportDocument.objects.filter(pk=document.pk, status=Status.FAILED).update(
                    status=Status.QUEUED, error="", progress_done=0, progress_total=1, progress_label="",
                    attempts=0, heartbeat_at=now, started_at=None, finished_at=None, requested_by=user,
                    requested_at=now, send_failed_at=None,
                )
        except IntegrityError:
            # Someone has meanwhile asked for the report again: that build is the one to follow.
            return ReportDocument.objects.get(key=document.key, status__in=ReportDocument.ACTIVE)
        if queued:
            _enqueue(document.pk)
    document.refresh_from_db()
    return document


def subject_of(document: ReportDocument) -> dict:
    """What the document is about, as ``document_request`` takes it: only what its kind needs."""
    if document.kind == ReportKind.UNIT:
        return {"unit_report": document.unit_report}
    if document.kind == ReportKind.ANALYSIS:
        return {"round_": document.round}
    return {"administration": document.administration}


def _enqueue(document_id: int, *, resend: bool = False) -> None:
    """Send the build's task once the transaction commits (``document_send``)."""
    transaction.on_commit(functools.partial(document_send, document_id, resend=resend))


def document_send(document_id: int, *, resend: bool = False) -> bool:
    """Send the build's task now: True if it was sent. If the broker cannot be reached, the build
    stays queued and is marked (``send_failed_at``) for its page and the sweeper; ``resend``: it
    may be marked from an earlier try, to be cleared once sent."""
    from ..tasks import build_document

    if build_document.send_or_log((document_id,)):
        if resend:
            ReportDocument.objects.filter(pk=document_id, send_failed_at__isnull=False).update(send_failed_at=None)
        return True
    ReportDocument.objects.filter(pk=document_id, status=Status.QUEUED).update(send_failed_at=timezone.now())
    return False


def _subject(kind, school_year, administration, unit_report, round_) -> dict:
    """What the build is about, checked against its kind: the fields of the new row."""
    if kind not in ReportKind.values:
        raise ReportRequestError(_("Unknown kind of report: %(kind)s") % {"kind": kind})
    given = {"administration": administration, "unit_report": unit_report, "round": round_}
    needed = {ReportKind.UNIT: "unit_report", ReportKind.ANALYSIS: "round"}.get(kind, "administration")
    if given[needed] is None:
        raise ReportRequestError({
            "unit_report": _("A unit report is built from the unit's quality report: choose it."),
            "round": _("An analysis report is built for a dialogue round: choose the round."),
            "administration": _("Choose the administration the report is about."),
        }[needed])
    if any(value is not None for name, value in given.items() if name != needed):
        raise ReportRequestError(_("This kind of report is not built for that."))
    unit = None
    if kind == ReportKind.UNIT:
        unit = unit_report.unit
        administration, year = unit.administration, unit_report.school_year
        if administration is None:
            raise ReportRequestError(_("Only a municipal unit's quality report can be built."))
        about = unit.name
    elif kind == ReportKind.ANALYSIS:
        # Not the round's unit, even for a round within a unit: the document is not the unit's
        # (its staff would see the notes of dialogues they need not be party to).
        administration, year = round_.administration, round_.school_year
        if round_.status == round_.Status.DRAFT:
            raise ReportRequestError(_("The round is still a draft: open it before building its analysis report."))
        about = round_.title
    else:
        year = _school_year(school_year) if school_year else None
        if year is None:
            raise ReportRequestError(_("Choose the school year of the report."))
        about = administration.committee.name if kind == ReportKind.PLAN else administration.name
    if school_year and _school_year(school_year) != year:
        raise ReportRequestError(_("The report belongs to the school year %(year)s.") % {"year": year})
    with translation.override(settings.LANGUAGE_CODE):  # documents are written in Swedish
        title = f"{ReportKind(kind).label} – {about} {year}"
    return {
        "school_year": year,
        "title": title[:300],
        "municipality_id": administration.municipality_id,
        "committee_id": administration.committee_id,
        "administration": administration,
        "unit": unit,
        "unit_report": unit_report,
        "round": round_,
    }


# --- Running a build ---------------------------------------------------------------
def document_run(document_id: int) -> bool:
    """Build the document, if it is this worker's to build: True if it did. Safe to run twice
    (a done build, or one another live worker is building, is left alone)."""
    claim = _claim(document_id)
    if claim is None:
        return False
    document = ReportDocument.objects.select_related(
        "administration__municipality", "administration__committee", "unit_report__unit", "round"
    ).get(pk=document_id)
    job = _Job(document, *claim)
    try:
        with job.heartbeat():
            snapshot, pdf, pages = _build(job)
            return job.finish(snapshot, pdf, pages)
    except LostClaim:
        logger.warning("Report build %s was taken over by another worker", document_id)
        return False
    except Exception as error:  # noqa: BLE001 — the job's boundary: the person sees that it failed, and may retry
        # The traceback goes to the log; the person gets a message meant for them (error_message).
        logger.exception("Report build %s failed", document_id)
        job.fail(error)
        return True


def _claim(document_id: int) -> tuple[int, object] | None:
    """Take the build with one conditional UPDATE: the claim (attempt number and start), or None if
    it is not ours. A build whose worker died too often is failed instead of taken."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.SKA_REPORT_STALE_SECONDS)
    # The heartbeat of a queued build is when it was sent: staleness is only a running build's.
    claimable = Q(status=Status.QUEUED) | (
        Q(status=Status.RUNNING) & (Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True))
    )
    limit = max_attempts()
    with transaction.atomic():
        claimed = ReportDocument.objects.filter(claimable, pk=document_id, attempts__lt=limit).update(
            status=Status.RUNNING, attempts=F("attempts") + 1, heartbeat_at=now, started_at=now,
            progress_done=0, progress_total=1, progress_label="", error="",
        )
        if not claimed:
            _give_up(ReportDocument.objects.filter(claimable, pk=document_id, attempts__gte=limit), now)
            return None
        return ReportDocument.objects.values_list("attempts", "started_at").get(pk=document_id)


def _give_up(builds, now) -> list[int]:
    """Fail the given builds, each of which has stopped too often without finishing; their ids."""
    given_up = []
    for pk, attempts in builds.values_list("pk", "attempts"):
        with translation.override(settings.LANGUAGE_CODE):
            message = stopped_message(attempts)
        if builds.filter(pk=pk, attempts=attempts).update(
            status=Status.FAILED, error=message, finished_at=now, heartbeat_at=None, send_failed_at=None
        ):
            logger.warning("Report build %s stopped %s times without finishing: not tried again", pk, attempts)
            given_up.append(pk)
    return given_up


def stopped_message(attempts: int) -> str:
    return ngettext(
        "The build stopped %(count)d time without finishing, so it is not tried again on its own. "
        "Try again; if it stops again, contact the system administrator.",
        "The build stopped %(count)d times without finishing, so it is not tried again on its own. "
        "Try again; if it stops again, contact the system administrator.",
        attempts,
    ) % {"count": attempts}


def _build(job: _Job) -> tuple[dict, bytes, int]:
    """Gather the snapshot, lay it out, write the PDF. The steps after gathering are shown
    at once (``flush``): rendering a large report is the longest step of all."""
    from .data import gather
    from .pdf import render_html, write_pdf

    document, progress = job.document, job.progress
    with translation.override(settings.LANGUAGE_CODE):
        if any(subject is None for subject in subject_of(document).values()):
            raise ReportRequestError(_("What the report is about has been removed: it cannot be built."))
        progress.expect(2)  # laying out and writing the PDF come after the data
        progress.say(_("Collecting the data"))
        job.flush()
        data = gather(
            document.kind, school_year=document.school_year, administration=document.administration,
            unit_report=document.unit_report, round_=document.round, progress=progress,
        )
        # Stored as JSON and read back, so that the PDF is built from exactly what is archived.
        snapshot = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
        progress.say(_("Laying out the pages"))
        job.flush()
        html = render_html(snapshot)
        progress.step(_("Writing the PDF"))
        job.flush()
        pdf, pages = write_pdf(html)
        progress.step(_("Archiving the PDF"))
        job.flush()
    return snapshot, pdf, pages


class _Job:
    """One claimed attempt at a build: its writes only land while the claim is still its own."""

    def __init__(self, document: ReportDocument, attempt: int, started_at):
        self.document = document
        # The claim: a person's retry counts attempts afresh, so the start tells two claims apart.
        self.attempt = attempt
        self.started_at = started_at
        self.lost = False
        self.progress = Progress(self._report)
        self._state = (0, 1, "")
        self._written_at = float("-inf")

    def mine(self):
        return ReportDocument.objects.filter(
            pk=self.document.pk, status=Status.RUNNING, attempts=self.attempt, started_at=self.started_at
        )

    def _report(self, done: int, total: int, label: str) -> None:
        """The progress callback: written at most every PROGRESS_INTERVAL_SECONDS."""
        self._state = (done, total, label)
        if time.monotonic() - self._written_at >= PROGRESS_INTERVAL_SECONDS:
            self.flush()

    def flush(self) -> None:
        """Write the progress now."""
        if self.lost:
            raise LostClaim
        done, total, label = self._state
        self._written_at = time.monotonic()
        if not self.mine().update(
            progress_done=done, progress_total=total, progress_label=label[:300], heartbeat_at=timezone.now()
        ):
            raise LostClaim

    @contextmanager
    def heartbeat(self):
        """Keep the heartbeat fresh from a thread of its own while the build runs. Not inside a
        transaction (a test's, say): another connection could not see the row, and SQLite would
        wait for the lock; there the progress writes are the heartbeat."""
        if connection.in_atomic_block:
            yield
            return
        stop = threading.Event()
        interval = max(0.2, min(5.0, settings.SKA_REPORT_STALE_SECONDS / 4))

        def beat():
            try:
                while not stop.wait(interval):
                    if not self.mine().update(heartbeat_at=timezone.now()):
                        self.lost = True
                        return
            except DatabaseError:
                logger.warning("Report build %s: the heartbeat could not be written", self.document.pk, exc_info=True)
            finally:
                connection.close()  # this thread's own connection

        thread = threading.Thread(target=beat, name=f"report-heartbeat-{self.document.pk}", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

    def finish(self, snapshot: dict, pdf: bytes, pages: int) -> bool:
        if self.lost:
            raise LostClaim
        name = default_storage.save(_file_name(self.document), ContentFile(pdf))
        now = timezone.now()
        finished = self.mine().update(
            status=Status.DONE, file=name, sha256=hashlib.sha256(pdf).hexdigest(), size=len(pdf), pages=pages,
            snapshot=snapshot, finished_at=now, heartbeat_at=now, progress_done=F("progress_total"), error="",
        )
        if not finished:
            default_storage.delete(name)  # the build that replaced this one stores its own file
            raise LostClaim
        return True

    def fail(self, error: BaseException) -> None:
        with translation.override(settings.LANGUAGE_CODE):
            message = error_message(error)
        self.mine().update(status=Status.FAILED, error=message[:5000], finished_at=timezone.now())


def error_message(error: BaseException) -> str:
    """What the person is told about a failed build: the app's own errors say what is wrong;
    anything else (a bug, an outage) gets a general message, its details are in the log."""
    if isinstance(error, SoftTimeLimitExceeded):
        return _("The build took too long and was stopped.")
    if isinstance(error, ValidationError):
        message = " ".join(str(text) for text in error.messages)
    elif isinstance(error, READABLE_ERRORS):
        message = str(error)
    else:
        message = ""
    return message or _(
        "The PDF could not be built because of an internal error. Try again; if it fails again, "
        "contact the system administrator."
    )


def _file_name(document: ReportDocument) -> str:
    return f"reports/{document.school_year.start_year}/{document.kind}/{document.key}-v{document.version}.pdf"


# --- Keeping jobs moving -----------------------------------------------------------
def documents_sweep() -> list[int]:
    """Queue again the builds whose worker died (stale heartbeat), and send again the task of the
    queued ones nobody took within ``requeue_seconds()`` of their last sending, and at once of
    those whose task could not be sent (the broker was down); the ids queued. A build whose
    worker died ``max_attempts()`` times is failed instead. Safe at any time: a build runs only
    once it is claimed. For a queued build, ``heartbeat_at`` records when its task was last sent."""
    now = timezone.now()
    dead = Q(status=Status.RUNNING) & (
        Q(heartbeat_at__lt=now - timedelta(seconds=settings.SKA_REPORT_STALE_SECONDS)) | Q(heartbeat_at__isnull=True)
    )
    forgotten_before = now - timedelta(seconds=requeue_seconds())
    forgotten = Q(status=Status.QUEUED) & (
        Q(heartbeat_at__lt=forgotten_before) | Q(heartbeat_at__isnull=True, requested_at__lt=forgotten_before)
    )
    unsent = Q(status=Status.QUEUED, send_failed_at__isnull=False)
    stuck = dead | forgotten | unsent
    limit = max_attempts()
    with transaction.atomic():
        _give_up(ReportDocument.objects.filter(stuck, attempts__gte=limit), now)
        again = ReportDocument.objects.filter(stuck, attempts__lt=limit)
        ids = list(again.values_list("pk", flat=True))
        if ids:
            again.filter(pk__in=ids).update(status=Status.QUEUED, heartbeat_at=now)
            for pk in ids:
                _enqueue(pk, resend=True)
    if ids:
        logger.info("Report builds queued again: %s", ids)
    return ids


# --- The archive -------------------------------------------------------------------
def publish_refusal(document: ReportDocument) -> str:
    """Why the document may not be published ("" if it may). A unit's report is published only
    from a PDF built after its quality report was approved: what the committee reads is what
    förvaltningsledning approved."""
    if document.status != Status.DONE:
        return _("Only a finished document can be published.")
    if document.kind == ReportKind.UNIT:
        report = document.unit_report
        if report is None or report.status != UnitReport.Status.APPROVED or report.decided_at is None:
            return _("A unit's report can be published once its quality report has been approved.")
        if document.finished_at is None or document.finished_at < report.decided_at:
            return _(
                "This PDF was built before the quality report was approved. Create a new PDF and publish that one."
            )
    return ""


def may_publish(document: ReportDocument) -> bool:
    """Whether the document itself may be published (who may publish is ``ska.publish_document``)."""
    return not publish_refusal(document)


def document_publish(document: ReportDocument, user) -> ReportDocument:
    """Publish a finished document to the committee's members. Once published, it stays so."""
    if document.is_published:
        return document
    refusal = publish_refusal(document)
    if refusal:
        raise ReportRequestError(refusal)
    publishable = Q(pk=document.pk, status=Status.DONE, published_at__isnull=True)
    if document.kind == ReportKind.UNIT:  # checked again in the same statement: the approval may just have changed
        publishable &= Q(unit_report__status=UnitReport.Status.APPROVED, finished_at__gte=F("unit_report__decided_at"))
    if not ReportDocument.objects.filter(publishable).update(published_at=timezone.now(), published_by=user):
        document = ReportDocument.objects.select_related("unit_report").get(pk=document.pk)
        if not document.is_published:
            raise ReportRequestError(publish_refusal(document) or _("The document could not be published."))
        return document
    document.refresh_from_db(fields=["published_at", "published_by"])
    return document


def document_verify(document: ReportDocument) -> bool:
    """Whether the stored file is still exactly what was built (its SHA-256 checksum)."""
    if not document.file or not document.sha256:
        return False
    digest = hashlib.sha256()
    try:
        with default_storage.open(document.file.name, "rb") as stored:
            for chunk in iter(lambda: stored.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        logger.warning("Report document %s: its file %s cannot be read", document.pk, document.file.name)
        return False
    return digest.hexdigest() == document.sha256


# --- Helpers -----------------------------------------------------------------------
def _school_year(value) -> SchoolYear:
    if isinstance(value, SchoolYear):
        return value
    if isinstance(value, int):
        return SchoolYear(value)
    return SchoolYear.parse(str(value))


def _pk(obj) -> int:
    return obj if isinstance(obj, int) else obj.pk
