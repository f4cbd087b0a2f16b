"""HTML and JavaScript typed into any text field stays text on every page.

The demo municipality is built, every free-text field of every row (see ``poison``) is filled
with markup that would run if a template printed it unescaped, and then every page people can
reach from their start page — links, htmx fragments, the admin — is visited as several of them.
No page may contain the markup raw, and every field's text must come out escaped somewhere, so
a field that no page shows is noticed (and reviewed into ``poison.NOT_ON_PAGES``).
"""

from __future__ import annotations

import re

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from ska.models import AccessibilityReport, User
from ska.schoolyear import SchoolYear

from ..reports.unit_report_helpers import png_bytes
from .crawl import crawl
from .payloads import MARKUP, escaped_pattern, raw_markers_in
from .poison import NOT_FREE_TEXT, NOT_ON_PAGES, poison_everything, poisoned_fields, text_fields

# The module's fixture writes to the test database (and rolls back); the mark makes pytest-django
# create that database.
pytestmark = pytest.mark.django_db

# Who looks: the administrator reaches everything; the others see their own side of things
# (the rektor's editing forms, the provider's dialogue, the committee's published material).
VISITORS = {"admin": 6, "rektor": 3, "fristaende": 3, "ledamot": 3}


def _rows_the_demo_lacks() -> None:
    """Rows of the models the demo leaves empty, so their text can be shown too."""
    from dialogs.models import AgreedAction, Dialogue, DialogueTemplate, Round
    from reports.models import ReportKind, ReportSection, SectionImage
    from reports.services.jobs import document_request
    from ska.models import Municipality

    municipality = Municipality.objects.get()
    DialogueTemplate.objects.create(municipality=municipality, kind="provider", purpose="x", agenda_topics=["x"], question_guide=["x"])
    round_ = Round.objects.order_by("pk").first()
    Dialogue.objects.create(round=round_, role_group="Elevhälsoteamet")
    AgreedAction.objects.filter(pk=AgreedAction.objects.order_by("pk").values("pk")[:1]).update(owner=None, owner_name="x")
    section = ReportSection.objects.filter(data_part="").order_by("pk").first()
    image = SectionImage(section=section, alt_text="x", caption="x")
    image.image.save("bild.png", ContentFile(png_bytes()), save=True)
    AccessibilityReport.objects.create(description="x", page="/x/", name="x", email="x@example.org")
    admin = User.objects.get(username="admin")
    administration = section.report.unit.administration
    # Queued, never built: its message would be sent when the transaction commits, and it never does.
    document_request(kind=ReportKind.OVERALL, school_year=SchoolYear.current(), user=admin, administration=administration)
    # A failed login with markup for a user name (what the audit log records, if it does).
    Client().post(reverse("login"), {"username": MARKUP, "password": "fel"})


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, tmp_path_factory):
    """The pages every visitor reached in the poisoned demo, by visitor and URL."""
    pages, errors = {}, {}
    with override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media"))), django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", verbosity=0)
        _rows_the_demo_lacks()
        poison_everything()
        for username, per_view in VISITORS.items():
            client = Client()
            client.force_login(User.objects.get(username=username))
            visits = [crawl(client, "/", per_view=per_view)]
            if username == "admin":
                visits.append(crawl(client, "/admin/", per_view=2, allow=re.compile(r"^/admin/")))
            for found in visits:
                pages.update({f"{username} {url}": text for url, text in found.pages.items()})
                errors.update({f"{username} {url}": status for url, status in found.errors.items()})
        transaction.set_rollback(True)
    return pages, errors


def test_the_list_of_text_fields_is_reviewed():
    labels = {f.label for f in text_fields()}
    assert set(NOT_FREE_TEXT) <= labels, "an exclusion names a field that no longer exists"
    assert set(NOT_ON_PAGES) <= labels
    # Sanity: the list really is derived from the models (a few that must be in it).
    assert {"ska.Goal.title", "dialogs.TopicNote.notes", "reports.ReportSection.text", "annualwheel.Event.title"} <= labels


def test_the_visitors_reached_the_pages_without_errors(site):
    pages, errors = site
    assert not errors, errors
    assert len(pages) > 300
    for needed in ("admin /", "rektor /", "fristaende /", "ledamot /"):
        assert needed in pages


def test_no_page_contains_the_markup_unescaped(site):
    pages, _errors = site
    raw = {url: raw_markers_in(text) for url, text in pages.items() if raw_markers_in(text)}
    assert not raw, raw


@pytest.mark.parametrize("field", [f for f in poisoned_fields() if f.label not in NOT_ON_PAGES], ids=lambda f: f.label)
def test_each_text_field_comes_out_escaped(site, field):
    pages, _errors = site
    pattern = escaped_pattern(field.tag_prefix)
    assert any(pattern.search(text) for text in pages.values()), f"no page shows {field.label} (escaped)"
