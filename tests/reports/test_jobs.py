"""Report builds as jobs: queued after commit, never twice at once, claimed once, retried after
a failure, swept when their worker died; the archive keeps every version unchanged."""

import hashlib
import io
import logging
import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.conf import settings
from django.utils import timezone, translation
from pypdf import PdfReader

from reports import tasks
from reports.models import ReportDocument, UnitReport
from reports.services import data as report_data
from reports.services import jobs
from reports.services.data import SnapshotError
from reports.services.jobs import ReportRequestError
from tests.factories import YEAR, RoundFactory

Status = ReportDocument.Status


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def sent(monkeypatch):
    """The build tasks sent to the broker (instead of running them)."""
    calls = []
    monkeypatch.setattr(tasks.build_document, "delay", lambda document_id: calls.append(document_id))
    return calls


@pytest.fixture
def unit_report(report_chain, org):
    return UnitReport.objects.create(unit=org.unit, school_year=YEAR)


def _request(unit_report, user, **kwargs):
    return jobs.document_request(kind="unit", school_year=YEAR, user=user, unit_report=unit_report, **kwargs)


def _approve(unit_report, people, at=None):
    UnitReport.objects.filter(pk=unit_report.pk).update(
        status=UnitReport.Status.APPROVED, decided_at=at or timezone.now(), decided_by=people.leadership
    )
    unit_report.refresh_from_db()


def _age(document, seconds):
    """As if the document's heartbeat (for a queued build: its last sending) were older."""
    ReportDocument.objects.filter(pk=document.pk).update(heartbeat_at=F("heartbeat_at") - timedelta(seconds=seconds))


def _general_message():
    """What a person is told about a failed build whose error is not the app's own."""
    with translation.override(settings.LANGUAGE_CODE):  # as the worker writes it
        return jobs.error_message(RuntimeError("details"))


def _fake_gather(monkeypatch, action):
    real = report_data.gather

    def gather(kind, **kwargs):
        action(kwargs["progress"])
        return real(kind, **kwargs)

    monkeypatch.setattr(report_data, "gather", gather)


# --- Requesting -------------------------------------------------------------------
def test_a_request_is_queued_and_sent_only_when_the_transaction_commits(
    unit_report, people, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        document = _request(unit_report, people.rector)
        assert sent == []  # not before the commit: the worker could not see the row yet
    assert sent == [document.pk]
    assert len(callbacks) == 1
    document.refresh_from_db()
    assert (document.status, document.version, document.attempts) == (Status.QUEUED, 1, 0)
    assert document.key == jobs.report_key("unit", YEAR, unit_report=unit_report)
    assert (document.unit, document.administration, document.committee) == (
        unit_report.unit, unit_report.unit.administration, unit_report.unit.administration.committee
    )
    assert document.requested_by == people.rector
    assert "Österportskolan" in document.title and "2025/26" in document.title


def test_the_same_report_is_never_queued_twice(unit_report, people, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = _request(unit_report, people.rector)
    with django_capture_on_commit_callbacks(execute=True):
        second = _request(unit_report, people.leadership)
    assert second.pk == first.pk
    assert sent == [first.pk]
    assert ReportDocument.objects.filter(key=first.key).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_requests_at_the_same_moment_make_one_build(report_chain, org, people, monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.build_document, "delay", lambda document_id: sent.append(document_id))
    unit_report = UnitReport.objects.create(unit=org.unit, school_year=YEAR)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def request(user):
        try:
            barrier.wait()
            results.append(_request(unit_report, user).pk)
        except Exception as error:  # noqa: BLE001 — reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=request, args=(user,)) for user in (people.rector, people.leadership)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(results)) == 1
    assert ReportDocument.objects.filter(status__in=ReportDocument.ACTIVE).count() == 1
    assert sent == results[:1]


def test_request_checks_the_kind_against_what_it_is_about(unit_report, org, people, sent):
    with pytest.raises(ReportRequestError):
        jobs.document_request(kind="unit", school_year=YEAR, user=people.rector)
    with pytest.raises(ReportRequestError):
        jobs.document_request(kind="analysis", school_year=YEAR, user=people.leadership, administration=org.administration)
    with pytest.raises(ReportRequestError):
        jobs.document_request(
            kind="overall", school_year=YEAR, user=people.leadership, administration=org.administration,
            unit_report=unit_report,
        )
    with pytest.raises(ReportRequestError):
        jobs.document_request(kind="nonsense", school_year=YEAR, user=people.leadership, administration=org.administration)
    with pytest.raises(ReportRequestError):  # the unit report belongs to 2025/26
        jobs.document_request(kind="unit", school_year=YEAR.next(), user=people.rector, unit_report=unit_report)
    assert not ReportDocument.objects.exists()


def test_keys_name_the_report_not_the_version(org):
    round_ = RoundFactory.build(pk=7, school_year=YEAR)
    assert jobs.report_key("grundskola", YEAR, administration=org.administration) == (
        f"grundskola-2025-administration{org.administration.pk}"
    )
    assert jobs.report_key("analysis", YEAR, round_=round_) == "analysis-2025-round7"
    assert jobs.report_key("unit", "2025/26", unit_report=12) == "unit-2025-report12"


def test_requesting_runs_a_fixed_number_of_queries(unit_report, people, sent, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        _request(unit_report, people.rector)


# --- Running ------------------------------------------------------------------------
def test_a_build_stores_the_pdf_with_its_checksum_and_snapshot(unit_report, people, sent):
    document = _request(unit_report, people.rector)
    assert jobs.document_run(document.pk) is True
    document.refresh_from_db()
    assert document.status == Status.DONE
    assert document.attempts == 1
    assert document.file.name.startswith(f"reports/2025/unit/{document.key}-v1")
    stored = default_storage.open(document.file.name, "rb").read()
    assert stored.startswith(b"%PDF")
    assert document.sha256 == hashlib.sha256(stored).hexdigest()
    assert document.size == len(stored)
    assert document.pages == len(PdfReader(io.BytesIO(stored)).pages) >= 1
    assert document.snapshot["kind"] == "unit"
    assert document.snapshot["unit"]["id"] == unit_report.unit_id
    assert document.progress_done == document.progress_total
    assert document.finished_at is not None
    assert jobs.document_verify(document) is True


def test_running_twice_does_nothing_the_second_time(unit_report, people, sent):
    document = _request(unit_report, people.rector)
    assert jobs.document_run(document.pk) is True
    document.refresh_from_db()
    first = (document.file.name, document.sha256, document.finished_at)
    assert jobs.document_run(document.pk) is False
    document.refresh_from_db()
    assert (document.file.name, document.sha256, document.finished_at) == first
    assert document.attempts == 1
    assert len(default_storage.listdir("reports/2025/unit")[1]) == 1


def test_a_build_another_worker_is_running_is_left_alone(unit_report, people, sent):
    document = _request(unit_report, people.rector)
    ReportDocument.objects.filter(pk=document.pk).update(status=Status.RUNNING, attempts=1, heartbeat_at=timezone.now())
    assert jobs.document_run(document.pk) is False
    document.refresh_from_db()
    assert (document.status, document.attempts) == (Status.RUNNING, 1)


def test_a_build_whose_worker_died_is_claimed_again(unit_report, people, sent, settings):
    document = _request(unit_report, people.rector)
    ReportDocument.objects.filter(pk=document.pk).update(
        status=Status.RUNNING, attempts=1,
        heartbeat_at=timezone.now() - timedelta(seconds=settings.SKA_REPORT_STALE_SECONDS + 1),
    )
    assert jobs.document_run(document.pk) is True
    document.refresh_from_db()
    assert (document.status, document.attempts) == (Status.DONE, 2)


def test_progress_is_written_step_by_step_but_not_more_than_twice_a_second(unit_report, people, sent, monkeypatch):
    seen = []

    def many_steps(progress):
        progress.expect(200)
        for n in range(199):
            progress.step(f"Enhet {n}")
        threading.Event().wait(0.6)
        progress.step("Enhet 199")  # half a second later: written
        seen.append(ReportDocument.objects.values_list("progress_done", "progress_total", "progress_label").get())

    _fake_gather(monkeypatch, many_steps)
    document = _request(unit_report, people.rector)
    with CaptureQueriesContext(connection) as queries:
        jobs.document_run(document.pk)
    progress_writes = [q for q in queries.captured_queries if "progress_label" in q["sql"] and q["sql"].startswith("UPDATE")]
    assert len(progress_writes) < 15
    # The data's 200 steps, then laying out and writing the PDF.
    assert seen == [(200, 202, "Enhet 199")]
    document.refresh_from_db()
    assert document.progress_done == document.progress_total > 202  # and the unit report's own steps


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_stays_fresh_while_a_long_step_runs(report_chain, org, people, monkeypatch, settings):
    monkeypatch.setattr(tasks.build_document, "delay", lambda document_id: None)
    settings.SKA_REPORT_STALE_SECONDS = 1  # a beat every quarter of a second
    beats = []

    def slow(progress):
        start = ReportDocument.objects.values_list("heartbeat_at", flat=True).get()
        threading.Event().wait(1.2)  # one long step, no progress written
        beats.append((start, ReportDocument.objects.values_list("heartbeat_at", flat=True).get()))

    _fake_gather(monkeypatch, slow)
    unit_report = UnitReport.objects.create(unit=org.unit, school_year=YEAR)
    document = _request(unit_report, people.rector)
    jobs.document_run(document.pk)
    [(before, after)] = beats
    assert after - before >= timedelta(seconds=0.7)
    document.refresh_from_db()
    assert document.status == Status.DONE


def test_a_build_taken_over_by_another_worker_keeps_the_others_result(unit_report, people, sent, monkeypatch):
    def taken_over(progress):
        # The sweeper took this worker for dead and another worker claimed the build.
        ReportDocument.objects.update(attempts=2, heartbeat_at=timezone.now())

    _fake_gather(monkeypatch, taken_over)
    document = _request(unit_report, people.rector)
    assert jobs.document_run(document.pk) is False
    document.refresh_from_db()
    assert (document.status, document.attempts, document.file.name) == (Status.RUNNING, 2, "")
    # The file it had stored is removed again: the build that took over stores its own.
    assert not default_storage.exists("reports/2025/unit") or default_storage.listdir("reports/2025/unit")[1] == []


# --- Failing and retrying -------------------------------------------------------------
def test_a_failed_build_says_why_and_can_be_retried(unit_report, people, sent, monkeypatch):
    def broken(progress):
        raise RuntimeError("Databasen svarar inte")

    _fake_gather(monkeypatch, broken)
    document = _request(unit_report, people.rector)
    assert jobs.document_run(document.pk) is True
    document.refresh_from_db()
    assert document.status == Status.FAILED
    assert document.error == _general_message()  # a bug or an outage: the general message
    assert not document.file

    monkeypatch.undo()
    monkeypatch.setattr(tasks.build_document, "delay", lambda document_id: sent.append(document_id))
    retried = jobs.document_retry(document, people.leadership)
    assert retried.pk == document.pk
    assert (retried.status, retried.error, retried.requested_by) == (Status.QUEUED, "", people.leadership)
    assert jobs.document_run(document.pk) is True
    document.refresh_from_db()
    assert (document.status, document.attempts, document.version) == (Status.DONE, 1, 1)  # counted afresh


def test_an_analysis_of_a_round_that_is_gone_fails_readably(org, people, sent):
    round_ = RoundFactory(administration=org.administration, municipality=org.municipality, school_year=YEAR)
    document = jobs.document_request(kind="analysis", school_year=YEAR, user=people.leadership, round_=round_)
    ReportDocument.objects.filter(pk=document.pk).update(round=None)  # as if the round had been removed
    jobs.document_run(document.pk)
    document.refresh_from_db()
    assert document.status == Status.FAILED
    assert document.error


def test_only_a_failed_build_is_retried(unit_report, people, sent):
    document = _request(unit_report, people.rector)
    with pytest.raises(ReportRequestError):
        jobs.document_retry(document, people.rector)


# --- The archive ----------------------------------------------------------------------
def test_building_again_makes_version_2_and_version_1_stays_unchanged(unit_report, people, sent, login):
    first = _request(unit_report, people.rector)
    jobs.document_run(first.pk)
    first.refresh_from_db()
    original = default_storage.open(first.file.name, "rb").read()

    second = _request(unit_report, people.rector)
    assert second.pk != first.pk and second.version == 2 and second.key == first.key
    jobs.document_run(second.pk)
    second.refresh_from_db()
    assert second.file.name != first.file.name

    first.refresh_from_db()
    assert default_storage.open(first.file.name, "rb").read() == original
    assert jobs.document_verify(first) and jobs.document_verify(second)
    response = login(people.rector).get(f"/rapporter/dokument/{first.pk}/hamta/")
    assert b"".join(response.streaming_content) == original
    assert response["X-Content-SHA256"] == hashlib.sha256(original).hexdigest()


def test_a_changed_file_fails_the_checksum(unit_report, people, sent):
    document = _request(unit_report, people.rector)
    jobs.document_run(document.pk)
    document.refresh_from_db()
    path = default_storage.path(document.file.name)
    with open(path, "ab") as stored:
        stored.write(b"%tampered")
    assert jobs.document_verify(document) is False


def test_publishing_a_finished_document_is_for_good(unit_report, people, sent):
    document = _request(unit_report, people.rector)
    with pytest.raises(ReportRequestError):
        jobs.document_publish(document, people.secretary)
    _approve(unit_report, people)
    jobs.document_run(document.pk)
    document.refresh_from_db()
    published = jobs.document_publish(document, people.secretary)
    assert published.published_at is not None and published.published_by == people.secretary
    again = jobs.document_publish(document, people.leadership)
    assert again.published_by == people.secretary


# --- The sweeper ----------------------------------------------------------------------
def test_the_sweeper_queues_dead_and_forgotten_builds_again(
    unit_report, org, people, sent, settings, django_capture_on_commit_callbacks
):
    now = timezone.now()
    stale = now - timedelta(seconds=settings.SKA_REPORT_STALE_SECONDS + 5)

    def document(key, **values):
        return ReportDocument.objects.create(
            kind="overall", key=key, version=1, title=key, school_year=YEAR, municipality=org.municipality,
            committee=org.committee, administration=org.administration, **values,
        )

    dead = document("dead", status=Status.RUNNING, attempts=1, heartbeat_at=stale)
    alive = document("alive", status=Status.RUNNING, attempts=1, heartbeat_at=now)
    forgotten = document("forgotten", status=Status.QUEUED)
    ReportDocument.objects.filter(pk=forgotten.pk).update(requested_at=now - timedelta(minutes=15))
    fresh = document("fresh", status=Status.QUEUED)
    finished = document("finished", status=Status.DONE, heartbeat_at=stale)

    with django_capture_on_commit_callbacks(execute=True):
        assert sorted(jobs.documents_sweep()) == sorted([dead.pk, forgotten.pk])
    assert sorted(sent) == sorted([dead.pk, forgotten.pk])
    statuses = dict(ReportDocument.objects.values_list("key", "status"))
    assert statuses == {"dead": "queued", "alive": "running", "forgotten": "queued", "fresh": "queued", "finished": "done"}
    # Just queued again: not again at the next sweep, only once it has waited a while more.
    sent.clear()
    assert jobs.documents_sweep() == []
    assert {fresh.pk, finished.pk, alive.pk}.isdisjoint(sent)


# --- Review fixes: analysis documents --------------------------------------------------
def test_an_analysis_document_is_not_the_units_even_for_a_round_within_a_unit(org, people, sent):
    round_ = RoundFactory(
        administration=org.administration, municipality=org.municipality, school_year=YEAR, kind="unit", unit=org.unit
    )
    document = jobs.document_request(kind="analysis", school_year=YEAR, user=people.rector, round_=round_)
    assert document.unit is None
    assert (document.administration, document.committee, document.round) == (org.administration, org.committee, round_)


def test_a_draft_round_has_no_analysis_report(org, people, sent):
    round_ = RoundFactory(
        administration=org.administration, municipality=org.municipality, school_year=YEAR, status="draft"
    )
    with pytest.raises(ReportRequestError, match="utkast"):
        jobs.document_request(kind="analysis", school_year=YEAR, user=people.leadership, round_=round_)
    assert not ReportDocument.objects.exists()


# --- Review fixes: retrying each kind ------------------------------------------------
def _failed_older_version(document):
    """Fail the document and build a newer version after it: retrying it then asks for the report again."""
    ReportDocument.objects.filter(pk=document.pk).update(status=Status.FAILED, error="x")
    ReportDocument.objects.create(
        kind=document.kind, key=document.key, version=document.version + 1, title=document.title,
        school_year=document.school_year, municipality_id=document.municipality_id,
        committee_id=document.committee_id, administration_id=document.administration_id, status=Status.DONE,
    )
    document.refresh_from_db()
    return document


def test_retrying_an_older_failed_unit_build_asks_for_the_unit_report_again(unit_report, people, sent):
    document = _failed_older_version(_request(unit_report, people.rector))
    retried = jobs.document_retry(document, people.rector)
    assert (retried.kind, retried.version, retried.status) == ("unit", 3, Status.QUEUED)
    assert (retried.unit_report, retried.unit) == (unit_report, unit_report.unit)


def test_retrying_an_older_failed_analysis_build_asks_for_the_round_again(org, people, sent):
    round_ = RoundFactory(administration=org.administration, municipality=org.municipality, school_year=YEAR)
    document = jobs.document_request(kind="analysis", school_year=YEAR, user=people.leadership, round_=round_)
    document = _failed_older_version(document)
    retried = jobs.document_retry(document, people.leadership)
    assert (retried.kind, retried.version, retried.status, retried.round) == ("analysis", 3, Status.QUEUED, round_)


def test_retrying_an_older_failed_administration_build_asks_for_the_administration_again(org, people, sent):
    document = jobs.document_request(
        kind="grundskola", school_year=YEAR, user=people.leadership, administration=org.administration
    )
    retried = jobs.document_retry(_failed_older_version(document), people.leadership)
    assert (retried.kind, retried.version, retried.administration) == ("grundskola", 3, org.administration)


# --- Review fixes: a build whose worker keeps dying -------------------------------------
def _died(document, settings, attempts):
    ReportDocument.objects.filter(pk=document.pk).update(
        status=Status.RUNNING, attempts=attempts, started_at=timezone.now(),
        heartbeat_at=timezone.now() - timedelta(seconds=settings.SKA_REPORT_STALE_SECONDS + 1),
    )


def test_a_build_that_stopped_too_often_fails_at_the_sweep_and_a_retry_starts_afresh(
    unit_report, people, sent, settings, django_capture_on_commit_callbacks
):
    document = _request(unit_report, people.rector)
    sent.clear()
    _died(document, settings, attempts=2)
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.documents_sweep() == [document.pk]  # two attempts: a third one
    _died(document, settings, attempts=3)
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.documents_sweep() == []
    assert sent == [document.pk]
    document.refresh_from_db()
    assert document.status == Status.FAILED
    assert "avbröts 3 gånger utan att bli klart" in document.error
    assert jobs.document_run(document.pk) is False  # a message still on its way builds nothing

    with django_capture_on_commit_callbacks(execute=True):
        retried = jobs.document_retry(document, people.rector)
    assert (retried.status, retried.attempts, retried.error) == (Status.QUEUED, 0, "")
    assert sent == [document.pk, document.pk]
    assert jobs.document_run(document.pk) is True
    document.refresh_from_db()
    assert (document.status, document.attempts) == (Status.DONE, 1)


def test_a_build_that_stopped_too_often_is_failed_by_the_claim_too(unit_report, people, sent, settings):
    settings.SKA_REPORT_MAX_ATTEMPTS = 1
    document = _request(unit_report, people.rector)
    _died(document, settings, attempts=1)
    assert jobs.document_run(document.pk) is False  # the message delivered again after the worker died
    document.refresh_from_db()
    assert document.status == Status.FAILED
    assert "avbröts 1 gång utan att bli klart" in document.error


def test_a_worker_whose_build_was_given_up_and_retried_cannot_overwrite_the_new_build(
    unit_report, people, sent, monkeypatch
):
    def given_up_and_retried(progress):
        # Meanwhile: the sweeper gave up on this worker, a person retried (attempts counted afresh)
        # and another worker claimed the build, with the same attempt number.
        ReportDocument.objects.update(
            status=Status.RUNNING, attempts=1, started_at=timezone.now() + timedelta(seconds=1),
            heartbeat_at=timezone.now(),
        )

    _fake_gather(monkeypatch, given_up_and_retried)
    document = _request(unit_report, people.rector)
    assert jobs.document_run(document.pk) is False
    document.refresh_from_db()
    assert (document.status, document.file.name) == (Status.RUNNING, "")


# --- Review fixes: sending a queued build's task again -----------------------------------
def test_a_queued_build_is_sent_again_only_once_the_requeue_interval_has_passed(
    unit_report, people, sent, settings, django_capture_on_commit_callbacks
):
    settings.SKA_REPORT_REQUEUE_SECONDS = 600
    with django_capture_on_commit_callbacks(execute=True):
        document = _request(unit_report, people.rector)
    assert sent == [document.pk]
    document.refresh_from_db()
    assert document.heartbeat_at is not None  # while queued: when its task was sent

    _age(document, 61)  # the first sweep a minute later: the message may just be waiting
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.documents_sweep() == []
    _age(document, 600)  # nobody took it in ten minutes: sent again, once
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.documents_sweep() == [document.pk]
    _age(document, 61)  # and the sweep a minute after that does not send it a third time
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.documents_sweep() == []
    assert sent == [document.pk, document.pk]
    # A queued build is claimed however long ago it was sent: staleness is only a running build's.
    _age(document, 3600)
    assert jobs.document_run(document.pk) is True


def test_a_retried_build_is_not_sent_again_at_the_next_sweep(
    unit_report, people, sent, monkeypatch, django_capture_on_commit_callbacks
):
    document = _request(unit_report, people.rector)
    ReportDocument.objects.filter(pk=document.pk).update(
        status=Status.FAILED, requested_at=timezone.now() - timedelta(hours=1)
    )
    document.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        jobs.document_retry(document, people.rector)
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.documents_sweep() == []
    assert sent == []


# --- Review fixes: what a failed build tells the person -----------------------------------
def test_an_internal_error_is_logged_and_the_person_gets_a_general_message(unit_report, people, sent, monkeypatch, caplog):
    def broken(progress):
        raise KeyError("password=hemligt")

    _fake_gather(monkeypatch, broken)
    document = _request(unit_report, people.rector)
    with caplog.at_level(logging.ERROR, logger="reports.services.jobs"):
        jobs.document_run(document.pk)
    document.refresh_from_db()
    assert document.status == Status.FAILED
    assert "hemligt" not in document.error and "KeyError" not in document.error
    assert document.error == _general_message()
    [record] = [r for r in caplog.records if r.name == "reports.services.jobs" and r.levelno == logging.ERROR]
    assert record.exc_info and record.exc_info[0] is KeyError  # the traceback is in the log
    assert "hemligt" in caplog.text


@pytest.mark.parametrize(
    ("error", "shown"),
    [
        (ReportRequestError("Rundan har tagits bort."), "Rundan har tagits bort."),
        (SnapshotError("missing key 'tables'"), "missing key 'tables'"),
        (ValidationError(["Första felet.", "Andra felet."]), "Första felet. Andra felet."),
    ],
)
def test_the_apps_own_errors_are_shown_as_they_are(unit_report, people, sent, monkeypatch, error, shown):
    def broken(progress):
        raise error

    _fake_gather(monkeypatch, broken)
    document = _request(unit_report, people.rector)
    jobs.document_run(document.pk)
    document.refresh_from_db()
    assert (document.status, document.error) == (Status.FAILED, shown)


def test_a_removed_subject_fails_with_a_readable_message(org, people, sent):
    round_ = RoundFactory(administration=org.administration, municipality=org.municipality, school_year=YEAR)
    document = jobs.document_request(kind="analysis", school_year=YEAR, user=people.leadership, round_=round_)
    ReportDocument.objects.filter(pk=document.pk).update(round=None)
    jobs.document_run(document.pk)
    document.refresh_from_db()
    assert document.status == Status.FAILED
    assert document.error != _general_message()
    assert "removed" in document.error or "tagits bort" in document.error


# --- Review fixes: publishing a unit's report --------------------------------------------
def test_a_unit_report_is_published_only_from_a_pdf_built_after_its_approval(unit_report, people, sent):
    early = _request(unit_report, people.rector)
    jobs.document_run(early.pk)
    early.refresh_from_db()
    assert jobs.publish_refusal(early)  # the quality report is a draft
    with pytest.raises(ReportRequestError):
        jobs.document_publish(early, people.secretary)

    _approve(unit_report, people)
    early.refresh_from_db()
    assert not jobs.may_publish(early)  # built before the approval: not what was approved
    with pytest.raises(ReportRequestError, match="innan kvalitetsrapporten godkändes"):
        jobs.document_publish(early, people.secretary)
    early.refresh_from_db()
    assert not early.is_published

    approved = _request(unit_report, people.rector)
    jobs.document_run(approved.pk)
    approved.refresh_from_db()
    assert jobs.may_publish(approved)
    assert jobs.document_publish(approved, people.secretary).is_published


def test_publishing_checks_the_approval_in_the_same_statement(unit_report, people, sent):
    _approve(unit_report, people)
    document = _request(unit_report, people.rector)
    jobs.document_run(document.pk)
    document.refresh_from_db()
    assert jobs.may_publish(document)
    # The report is reopened after the page was read: the stale copy must not publish.
    UnitReport.objects.filter(pk=unit_report.pk).update(status=UnitReport.Status.RETURNED)
    with pytest.raises(ReportRequestError):
        jobs.document_publish(document, people.secretary)
    document.refresh_from_db()
    assert not document.is_published


def test_other_kinds_are_published_without_an_approval(org, people, sent):
    document = jobs.document_request(
        kind="grundskola", school_year=YEAR, user=people.leadership, administration=org.administration
    )
    ReportDocument.objects.filter(pk=document.pk).update(status=Status.DONE, finished_at=timezone.now())
    document.refresh_from_db()
    assert jobs.may_publish(document)
    assert jobs.document_publish(document, people.secretary).is_published
