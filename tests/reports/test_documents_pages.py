"""The reports page, the document page with its progress fragment, building, retrying,
publishing and downloading: who sees and may do what, and fixed query counts."""

import hashlib
import re

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reports.models import ReportDocument, UnitReport
from ska.access import visible_documents
from tests.factories import YEAR, RoundFactory, UnitFactory

Status = ReportDocument.Status
PDF = b"%PDF-1.7\n% a stored report\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def make_document(org, kind="overall", *, version=1, status=Status.DONE, published=False, unit=None, key=None, **values):
    """A document row as a build leaves it (done ones with their stored file)."""
    key = key or (f"unit-2025-unit{unit.pk}" if unit else f"{kind}-2025-administration{org.administration.pk}")
    document = ReportDocument.objects.create(
        kind=kind, key=key, version=version, title=f"{kind} {unit.name if unit else org.administration.name}",
        school_year=YEAR, municipality=org.municipality, committee=org.committee, administration=org.administration,
        unit=unit, status=status, published_at=timezone.now() if published else None, **values,
    )
    if status == Status.DONE:
        content = PDF + f"{key} v{version}".encode()
        document.file.name = default_storage.save(f"reports/2025/{kind}/{key}-v{version}.pdf", ContentFile(content))
        document.sha256, document.size, document.pages = hashlib.sha256(content).hexdigest(), len(content), 3
        document.finished_at = timezone.now()
        document.save()
    return document


@pytest.fixture
def documents(org):
    return {
        "overall_v1": make_document(org, published=True),
        "overall_v2": make_document(org, version=2),
        "grundskola_failed": make_document(org, "grundskola", status=Status.FAILED, error="RuntimeError: trasig"),
        "own_unit": make_document(org, "unit", unit=org.unit),
        "other_unit_published": make_document(org, "unit", unit=org.other_unit, published=True),
    }


def _shown(response) -> set[int]:
    return {int(pk) for pk in re.findall(r'<tr id="document-(\d+)"', response.content.decode())}


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# --- Who sees what ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("person", "expected"),
    [
        ("secretary", {"overall_v1", "overall_v2", "grundskola_failed", "own_unit", "other_unit_published"}),
        ("leadership", {"overall_v1", "overall_v2", "grundskola_failed", "own_unit", "other_unit_published"}),
        ("member", {"overall_v1", "other_unit_published"}),
        ("rector", {"own_unit"}),
        ("contributor", {"own_unit"}),
    ],
)
def test_the_reports_page_lists_what_each_role_may_see(documents, people, login, person, expected):
    response = login(getattr(people, person)).get("/rapporter/?lasar=2025")
    assert response.status_code == 200
    assert _shown(response) == {documents[name].pk for name in expected}


@pytest.mark.parametrize("person", ["provider_contact", "outsider"])
def test_people_without_reports_get_no_reports_page(documents, people, login, person):
    assert login(getattr(people, person)).get("/rapporter/").status_code == 403


def test_the_reports_page_groups_versions_under_their_report(documents, people, login):
    page = login(people.secretary).get("/rapporter/?lasar=2025").content.decode()
    overall = page.index(f'id="document-{documents["overall_v2"].pk}"')
    assert overall < page.index(f'id="document-{documents["overall_v1"].pk}"')  # newest version first
    assert page.count(f'<h4 id="report-{documents["overall_v1"].key}"') == 1  # one heading for both versions
    assert documents["overall_v1"].sha256[:12] in page
    assert f'/rapporter/dokument/{documents["overall_v1"].pk}/hamta/' in page
    assert f'/rapporter/dokument/{documents["grundskola_failed"].pk}/hamta/' not in page


def test_another_school_year_shows_its_own_reports(documents, people, login):
    response = login(people.secretary).get("/rapporter/?lasar=2024")
    assert _shown(response) == set()


def test_build_forms_are_offered_to_those_who_build_administration_reports(documents, org, people, login):
    secretary_page = login(people.secretary).get("/rapporter/?lasar=2025").content.decode()
    for kind in ("overall", "forskola", "grundskola", "plan"):
        assert f'name="kind" value="{kind}"' in secretary_page
    assert f'name="administration" value="{org.administration.pk}"' in secretary_page
    rector_page = login(people.rector).get("/rapporter/?lasar=2025").content.decode()
    assert "document_build" not in rector_page and "/rapporter/dokument/skapa/" not in rector_page


def test_the_reports_page_runs_a_fixed_number_of_queries(org, people, login, django_assert_num_queries):
    client = login(people.secretary)
    make_document(org, published=True)
    client.get("/rapporter/?lasar=2025")  # sessions and the like settled
    with CaptureQueriesContext(connection) as few:
        client.get("/rapporter/?lasar=2025")
    for n in range(12):
        unit = UnitFactory(administration=org.administration)
        make_document(org, "unit", unit=unit)
        make_document(org, "unit", unit=unit, version=2, status=Status.FAILED)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get("/rapporter/?lasar=2025")
    assert len(_shown(response)) == 25


# --- Downloading ------------------------------------------------------------------
def test_download_streams_the_stored_file_to_those_who_may_see_it(documents, people, login):
    document = documents["overall_v1"]
    response = login(people.member).get(f"/rapporter/dokument/{document.pk}/hamta/")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body == default_storage.open(document.file.name, "rb").read()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="overall-utbildningsforvaltningen-v1.pdf"' in response["Content-Disposition"]
    assert response["X-Content-SHA256"] == hashlib.sha256(body).hexdigest() == document.sha256


@pytest.mark.parametrize(
    ("person", "name"),
    [("member", "overall_v2"), ("rector", "other_unit_published"), ("provider_contact", "overall_v1"), ("outsider", "own_unit")],
)
def test_download_is_refused_to_those_who_may_not_see_the_document(documents, people, login, person, name):
    response = login(getattr(people, person)).get(f"/rapporter/dokument/{documents[name].pk}/hamta/")
    assert response.status_code == 404


def test_a_document_without_a_finished_file_has_nothing_to_download(documents, people, login):
    response = login(people.secretary).get(f"/rapporter/dokument/{documents['grundskola_failed'].pk}/hamta/")
    assert response.status_code == 404


# --- The document page and its progress -----------------------------------------------
def _job(client, document, seen=""):
    url = f"/rapporter/dokument/{document.pk}/" + (f"?seen={seen}" if seen else "")
    return client.get(url, HTTP_HX_REQUEST="true").content.decode()


def test_a_queued_build_polls_and_shows_it_waits(org, people, login):
    document = make_document(org, "grundskola", status=Status.QUEUED)
    fragment = _job(login(people.secretary), document)
    assert fragment.lstrip().startswith('<div id="document-job"')
    assert 'hx-trigger="every 1s"' in fragment
    assert f'hx-get="/rapporter/dokument/{document.pk}/?seen=queued"' in fragment
    assert re.search(r"<progress id=\"document-progress\"></progress>", fragment)  # no value: not started


def test_a_running_build_shows_its_step_with_an_accessible_label(org, people, login):
    document = make_document(
        org, "grundskola", status=Status.RUNNING, progress_done=2, progress_total=12, progress_label="Mål: Trygghet"
    )
    fragment = _job(_english(login(people.secretary)), document, seen="queued")
    assert 'hx-trigger="every 1s"' in fragment
    assert '<progress id="document-progress" value="2" max="12">' in fragment
    assert '<label for="document-progress">Step 3 of 12: Mål: Trygghet</label>' in fragment
    assert 'id="document-announcement" hx-swap-oob="innerHTML"' in fragment  # "being built", said once


def test_the_poll_that_sees_the_build_finish_stops_polling_and_starts_the_download(org, people, login):
    document = make_document(org, "grundskola")
    client = login(people.secretary)
    fragment = _job(client, document, seen="running")
    assert "hx-trigger" not in fragment
    download = f'href="/rapporter/dokument/{document.pk}/hamta/"'
    assert re.search(download + r'[^>]*data-auto-download[^>]*autofocus', fragment)
    assert 'hx-swap-oob="innerHTML"' in fragment
    # The list of versions is redrawn too, now saying the build is done ("Klar").
    versions = re.search(r'<div id="document-versions" hx-swap-oob="true">(.*?)</ul>', fragment, re.S)
    assert versions and "status-done" in versions.group(1) and "Klar" in versions.group(1)
    assert 'id="document-versions"' not in _job(client, document, seen="done")  # unchanged: not redrawn
    # Coming back to the page later: the link, but no download of its own accord.
    later = client.get(f"/rapporter/dokument/{document.pk}/").content.decode()
    assert download in later and "data-auto-download" not in later and "hx-trigger" not in later


def test_a_failed_build_shows_the_error_and_a_retry_button_to_those_who_may_build(org, people, login):
    document = make_document(org, "grundskola", status=Status.FAILED, error="RuntimeError: trasig")
    fragment = _job(login(people.secretary), document, seen="running")
    assert "hx-trigger" not in fragment
    assert "RuntimeError: trasig" in fragment
    assert f'action="/rapporter/dokument/{document.pk}/forsok-igen/"' in fragment
    report = UnitReport.objects.create(unit=org.unit, school_year=YEAR)
    unit_document = make_document(org, "unit", unit=org.unit, unit_report=report, status=Status.FAILED, error="x")
    assert "forsok-igen" in _job(login(people.contributor), unit_document)  # unit staff write the report
    secretary_view = _job(login(people.secretary), unit_document)
    assert "forsok-igen" not in secretary_view  # sees it, but does not build unit reports


def test_the_document_page_lists_the_versions_the_person_may_see(documents, people, login):
    page = login(people.member).get(f"/rapporter/dokument/{documents['overall_v1'].pk}/").content.decode()
    assert f'/rapporter/dokument/{documents["overall_v1"].pk}/hamta/' in page
    assert f'/rapporter/dokument/{documents["overall_v2"].pk}/' not in page  # not published
    assert "publicera" not in page and "/rapporter/dokument/skapa/" not in page
    assert login(people.member).get(f"/rapporter/dokument/{documents['overall_v2'].pk}/").status_code == 404


def test_the_document_page_runs_a_fixed_number_of_queries(org, people, login, django_assert_num_queries):
    client = login(people.secretary)
    document = make_document(org)
    client.get(document.get_absolute_url())
    with CaptureQueriesContext(connection) as few:
        client.get(document.get_absolute_url())
    for version in range(2, 15):
        make_document(org, version=version)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(document.get_absolute_url())


# --- Building, retrying, publishing -----------------------------------------------------
def _build(client, **data):
    return client.post("/rapporter/dokument/skapa/", {"school_year": "2025/26", **data})


def test_the_secretary_starts_an_administration_report_and_follows_it(org, people, login):
    response = _build(login(people.secretary), kind="grundskola", administration=org.administration.pk)
    document = ReportDocument.objects.get()
    assert response.status_code == 302 and response.url == f"/rapporter/dokument/{document.pk}/"
    assert (document.kind, document.status, document.requested_by) == ("grundskola", Status.QUEUED, people.secretary)
    htmx = login(people.secretary).post(
        "/rapporter/dokument/skapa/", {"school_year": "2025/26", "kind": "grundskola", "administration": org.administration.pk},
        HTTP_HX_REQUEST="true",
    )
    assert htmx["HX-Redirect"] == f"/rapporter/dokument/{document.pk}/"  # the same build: not a second one
    assert ReportDocument.objects.count() == 1


@pytest.mark.parametrize("person", ["rector", "member", "contributor", "provider_contact"])
def test_administration_reports_are_built_by_leadership_and_the_secretary_only(org, people, login, person):
    response = _build(login(getattr(people, person)), kind="overall", administration=org.administration.pk)
    assert response.status_code in (403, 404)
    assert not ReportDocument.objects.exists()


def test_a_unit_report_is_built_by_its_staff_and_leadership(org, people, login):
    report = UnitReport.objects.create(unit=org.unit, school_year=YEAR)
    assert _build(login(people.other_rector), kind="unit", unit_report=report.pk).status_code == 404
    assert _build(login(people.secretary), kind="unit", unit_report=report.pk).status_code == 404
    assert not ReportDocument.objects.exists()
    assert _build(login(people.rector), kind="unit", unit_report=report.pk).status_code == 302
    document = ReportDocument.objects.get()
    assert (document.kind, document.unit, document.unit_report) == ("unit", org.unit, report)
    assert _build(login(people.leadership), kind="unit", unit_report=report.pk).status_code == 302
    assert ReportDocument.objects.count() == 1


def test_a_form_that_does_not_say_what_to_build_creates_nothing(org, people, login):
    client = login(people.secretary)
    for data in ({"kind": "overall"}, {"kind": "bogus", "administration": org.administration.pk}, {"kind": "analysis"},
                 {"kind": "overall", "administration": org.administration.pk, "school_year": "nonsense"}):
        response = _build(client, **data)
        assert response.status_code == 302 and response.url == "/rapporter/"
    assert not ReportDocument.objects.exists()


def test_a_failed_build_is_retried_from_its_page(org, people, login):
    document = make_document(org, "grundskola", status=Status.FAILED, error="RuntimeError: trasig")
    assert login(people.member).post(f"/rapporter/dokument/{document.pk}/forsok-igen/").status_code == 404
    response = login(people.secretary).post(f"/rapporter/dokument/{document.pk}/forsok-igen/")
    assert response.status_code == 302
    document.refresh_from_db()
    assert (document.status, document.error) == (Status.QUEUED, "")


def test_the_secretary_publishes_a_finished_document_to_the_members(documents, people, login):
    document = documents["overall_v2"]
    assert login(people.member).post(f"/rapporter/dokument/{document.pk}/publicera/").status_code == 404
    assert login(people.rector).post(f"/rapporter/dokument/{document.pk}/publicera/").status_code == 404
    assert login(people.secretary).post(f"/rapporter/dokument/{document.pk}/publicera/").status_code == 302
    document.refresh_from_db()
    assert document.is_published and document.published_by == people.secretary
    assert login(people.member).get(f"/rapporter/dokument/{document.pk}/hamta/").status_code == 200


def test_the_checksum_check_tells_whether_the_file_is_unchanged(documents, people, login):
    document = documents["overall_v1"]
    client = _english(login(people.secretary))
    response = client.post(f"/rapporter/dokument/{document.pk}/kontrollera/", follow=True)
    assert "unchanged since it was built" in response.content.decode()
    with open(default_storage.path(document.file.name), "ab") as stored:
        stored.write(b"changed")
    response = client.post(f"/rapporter/dokument/{document.pk}/kontrollera/", follow=True)
    assert "does not match its checksum" in response.content.decode()


# --- Navigation and the start page ---------------------------------------------------------
def test_the_main_menu_leads_to_the_reports_of_those_who_use_them(people, login):
    assert 'href="/rapporter/"' in login(people.secretary).get("/").content.decode()
    assert 'href="/rapporter/"' in login(people.rector).get("/").content.decode()
    assert 'href="/rapporter/"' not in login(people.provider_contact).get("/").content.decode()


def test_the_start_page_shows_the_committee_its_latest_reports(documents, people, login):
    secretary = login(people.secretary).get("/").content.decode()
    member = login(people.member).get("/").content.decode()
    newest_overall = f'/rapporter/dokument/{documents["overall_v2"].pk}/hamta/'
    published_overall = f'/rapporter/dokument/{documents["overall_v1"].pk}/hamta/'
    assert newest_overall in secretary and published_overall not in secretary  # the latest version only
    assert published_overall in member and newest_overall not in member
    assert f'/rapporter/dokument/{documents["other_unit_published"].pk}/hamta/' in member
    assert f'/rapporter/dokument/{documents["grundskola_failed"].pk}/' not in secretary


# --- Analysis reports: who builds and sees them ------------------------------------------
def _round(org, kind, status="open", **values):
    values.setdefault("title", f"{kind} {status}")
    return RoundFactory(
        administration=org.administration, municipality=org.municipality, school_year=YEAR, kind=kind, status=status,
        **values,
    )


@pytest.fixture
def rounds(org):
    return {
        "committee": _round(org, "committee"),
        "administration": _round(org, "administration"),
        "unit": _round(org, "unit", unit=org.unit),
        "committee_draft": _round(org, "committee", status="draft"),
        "unit_draft": _round(org, "unit", status="draft", unit=org.unit),
    }


BUILDS_ANALYSIS = {
    "secretary": {"committee"},  # the committee's own dialogue only
    "leadership": {"committee", "administration", "unit"},  # hosts every round of the administration
    "rector": {"unit"},  # hosts the unit's own dialogues
    "sysadmin": {"committee", "administration", "unit"},
}


@pytest.mark.parametrize("person", ["secretary", "leadership", "rector", "other_rector", "member", "contributor", "sysadmin"])
def test_an_analysis_report_is_built_only_for_an_opened_round_the_person_hosts_or_the_committees_own(
    org, people, login, rounds, person
):
    user = getattr(people, person)
    client = login(user)
    allowed = BUILDS_ANALYSIS.get(person, set())
    for name, round_ in rounds.items():
        response = _build(client, kind="analysis", round=round_.pk)
        assert response.status_code in ((302,) if name in allowed else (403, 404)), name
        assert ReportDocument.objects.filter(round=round_).exists() == (name in allowed), name
    # The rounds offered on the reports page are exactly those.
    page = login(user).get("/rapporter/?lasar=2025")
    offered = {round_.pk for round_ in page.context["rounds"]} if page.status_code == 200 else set()
    assert offered == {rounds[name].pk for name in allowed}


def test_the_rounds_offered_take_a_fixed_number_of_queries(org, people, login, django_assert_num_queries):
    client = login(people.secretary)
    _round(org, "committee")
    client.get("/rapporter/?lasar=2025")
    with CaptureQueriesContext(connection) as few:
        client.get("/rapporter/?lasar=2025")
    for n in range(8):
        _round(org, "committee", title=f"Nämndens dialog {n}")
        _round(org, "unit", unit=org.unit, title=f"Enhetens dialog {n}")
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get("/rapporter/?lasar=2025")
    assert len(response.context["rounds"]) == 9


def test_an_analysis_document_is_never_the_units(org, people, login, rounds):
    assert _build(login(people.rector), kind="analysis", round=rounds["unit"].pk).status_code == 302
    document = ReportDocument.objects.get()
    assert (document.unit, document.administration, document.committee) == (None, org.administration, org.committee)
    # The unit's staff do not see it; its host does.
    assert login(people.contributor).get(document.get_absolute_url()).status_code == 404
    assert login(people.rector).get(document.get_absolute_url()).status_code == 200


def _analysis_document(org, round_, **values):
    return make_document(org, "analysis", key=f"analysis-2025-round{round_.pk}", round=round_, **values)


def test_analysis_documents_are_seen_by_the_rounds_hosts_and_the_secretary_of_the_committees_own(
    org, people, login, rounds
):
    committee = _analysis_document(org, rounds["committee"])
    unit = _analysis_document(org, rounds["unit"])
    administration = _analysis_document(org, rounds["administration"])
    # Built before the fix: the unit was set on analyses of a unit's round. Its staff still do not see it.
    legacy = _analysis_document(org, rounds["unit"], unit=org.unit, version=2)
    expected = {
        "secretary": {committee},
        "member": set(),
        "leadership": {committee, unit, administration, legacy},
        "rector": {unit, legacy},
        "contributor": set(),
        "other_rector": set(),
    }
    for person, documents in expected.items():
        response = login(getattr(people, person)).get("/rapporter/?lasar=2025")
        assert _shown(response) == {document.pk for document in documents}, person
    # Published to the committee: its members and secretary read it.
    ReportDocument.objects.filter(pk=unit.pk).update(published_at=timezone.now())
    assert unit.pk in _shown(login(people.member).get("/rapporter/?lasar=2025"))
    assert unit.pk in _shown(login(people.secretary).get("/rapporter/?lasar=2025"))


def _plan_document(org):
    """The committee's plan as a document about no administration (leadership above sees it)."""
    document = make_document(org, "plan", key="plan-x")
    ReportDocument.objects.filter(pk=document.pk).update(administration=None)
    return document


def test_visible_documents_and_the_view_rule_agree_for_everyone(org, people, rounds):
    report = UnitReport.objects.create(unit=org.unit, school_year=YEAR)
    made = [
        make_document(org),
        _plan_document(org),
        make_document(org, "unit", unit=org.unit, unit_report=report),
        make_document(org, "unit", unit=org.other_unit, key="unit-other", published=True),
    ]
    for version, (name, round_) in enumerate(rounds.items(), start=1):
        made.append(_analysis_document(org, round_, version=version))
        made.append(_analysis_document(org, round_, version=version + 10, unit=round_.unit, published=name == "unit"))
    made.append(make_document(org, "analysis", key="analysis-gone", round=None))
    for person in vars(people):
        user = getattr(people, person)
        visible = set(visible_documents(user).values_list("pk", flat=True))
        for document in ReportDocument.objects.select_related("round__administration"):
            assert user.has_perm("ska.view_document", document) == (document.pk in visible), (person, document.key)


def test_analysis_rounds_and_the_build_rule_agree_for_everyone(org, people, rounds):
    from dialogs.models import Round
    from reports.services.listing import analysis_report_rounds

    other_committee_round = RoundFactory(school_year=YEAR, kind="committee")  # another administration and committee
    deleted = _round(org, "committee")
    Round.objects.filter(pk=deleted.pk).update(deleted_at=timezone.now())
    for person in vars(people):
        user = getattr(people, person)
        buildable = set(analysis_report_rounds(user).values_list("pk", flat=True))
        for round_ in Round.all_objects.select_related("administration"):
            assert user.has_perm("ska.build_analysis_report", round_) == (round_.pk in buildable), (person, round_)
    assert other_committee_round.pk not in set(analysis_report_rounds(people.secretary).values_list("pk", flat=True))


def test_a_failed_analysis_build_is_retried_by_its_host(org, people, login, rounds):
    round_ = rounds["unit"]
    old = _analysis_document(org, round_, status=Status.FAILED, error="x")
    _analysis_document(org, round_, version=2)
    assert login(people.rector).post(f"/rapporter/dokument/{old.pk}/forsok-igen/").status_code == 302
    retried = ReportDocument.objects.get(key=old.key, version=3)
    assert (retried.status, retried.round, retried.unit) == (Status.QUEUED, round_, None)


def test_a_failed_unit_build_is_retried_from_its_page(org, people, login):
    report = UnitReport.objects.create(unit=org.unit, school_year=YEAR)
    key = f"unit-2025-report{report.pk}"
    old = make_document(org, "unit", unit=org.unit, unit_report=report, key=key, status=Status.FAILED, error="x")
    make_document(org, "unit", unit=org.unit, unit_report=report, key=key, version=2)
    response = login(people.rector).post(f"/rapporter/dokument/{old.pk}/forsok-igen/", follow=True)
    assert response.status_code == 200
    assert ReportDocument.objects.get(key=key, version=3).status == Status.QUEUED


# --- Publishing a unit's report ------------------------------------------------------------
def test_a_unit_report_pdf_built_before_the_approval_is_not_offered_nor_published(org, people, login):
    report = UnitReport.objects.create(unit=org.unit, school_year=YEAR)
    key = f"unit-2025-report{report.pk}"
    document = make_document(org, "unit", unit=org.unit, unit_report=report, key=key)
    client = _english(login(people.secretary))
    page = client.get(document.get_absolute_url())
    assert page.context["can_publish"] is False
    assert "approved" in page.context["publish_refusal"]
    response = client.post(f"/rapporter/dokument/{document.pk}/publicera/", follow=True)
    assert response.status_code == 200
    assert "approved" in response.content.decode()  # said as a message
    document.refresh_from_db()
    assert not document.is_published

    UnitReport.objects.filter(pk=report.pk).update(status=UnitReport.Status.APPROVED, decided_at=timezone.now())
    page = client.get(document.get_absolute_url())
    assert page.context["can_publish"] is False  # the PDF is older than the approval
    assert "before the quality report was approved" in page.context["publish_refusal"]
    assert client.post(f"/rapporter/dokument/{document.pk}/publicera/").status_code == 302
    document.refresh_from_db()
    assert not document.is_published

    newer = make_document(org, "unit", unit=org.unit, unit_report=report, key=key, version=2)
    page = client.get(newer.get_absolute_url())
    assert (page.context["can_publish"], page.context["publish_refusal"]) == (True, "")
    client.post(f"/rapporter/dokument/{newer.pk}/publicera/")
    newer.refresh_from_db()
    assert newer.is_published
    assert login(people.secretary).get(newer.get_absolute_url()).context["can_publish"] is False  # done once
