import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ska.models import AccessibilityReport

from ..factories import ProviderFactory, UnitFactory


@pytest.mark.parametrize(
    "person, present, absent",
    [
        ("rector", ["Mina enheter", "Österportskolan"], ["Förvaltningen i korthet", "Västervångskolan"]),
        ("contributor", ["Mina enheter", "Österportskolan", "Förstelärare"], ["Förvaltningen i korthet"]),
        ("leadership", ["Förvaltningen i korthet", "Att följa upp"], ["Mina enheter"]),
        ("secretary", ["Kvalitetsrapporter för nämnden", "kallelse"], ["Mina enheter"]),
        ("member", ["Kvalitetsrapporter för nämnden", "publicerade"], ["Mina enheter"]),
        ("provider_contact", ["Er organisation", "Friskolan Lyckan AB"], ["Myrstacken AB", "Mina enheter"]),
        ("sysadmin", ["Systemadministration", "Förvaltningen i korthet"], ["Mina enheter"]),
        ("outsider", ["Du har ingen roll ännu"], ["Mina enheter", "De kommande 30 dagarna"]),
    ],
)
def test_each_role_has_its_own_start_page(org, people, login, person, present, absent):
    response = login(getattr(people, person)).get(reverse("start"))
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="sv">' in body
    for text in present:
        assert text in body, text
    for text in absent:
        assert text not in body, text


def test_start_page_overview_counts_units_per_school_form(org, people, login):
    body = login(people.leadership).get(reverse("start")).content.decode()
    assert "Grundskola" in body and "2 enheter" in body  # Österportskolan and Västervångskolan
    assert "Förskola" in body and "1 enhet" in body


def test_unit_list_serves_a_fragment_to_htmx_and_the_page_otherwise(org, people, login):
    client = login(people.leadership)
    url = reverse("unit_list") + "?q=solros"
    page = client.get(url)
    assert "<html" in page.content.decode()
    assert "HX-Request" in page["Vary"]
    fragment = client.get(url, headers={"HX-Request": "true"})
    text = fragment.content.decode()
    assert "<html" not in text and "Förskolan Solrosen" in text and "Österportskolan" not in text
    assert "HX-Request" in fragment["Vary"]
    restore = client.get(url, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restore.content.decode()


def test_unit_list_filters_by_school_form_and_hides_closed_units(org, people, login):
    import datetime

    org.other_unit.closed_on = datetime.date(2020, 6, 30)
    org.other_unit.save()
    client = login(people.leadership)
    body = client.get(reverse("unit_list"), {"skolform": "grundskola"}).content.decode()
    assert "Österportskolan" in body and "Förskolan Solrosen" not in body and "Västervångskolan" not in body
    body = client.get(reverse("unit_list"), {"skolform": "grundskola", "stangda": "1"}).content.decode()
    assert "Västervångskolan" in body and "Stängd" in body


def test_unit_list_survives_odd_input(org, people, login):
    client = login(people.leadership)
    for params in [{"sida": "abc"}, {"sida": "99999"}, {"sida": "\x00"}, {"q": "x" * 5000}, {"q": "\x00"}, {"skolform": "<script>"}, {"skolform": "\x00"}, {"q": "%' OR 1=1 --"}]:
        assert client.get(reverse("unit_list"), params).status_code == 200, params


def _queries(client, url):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("url_name", ["unit_list", "provider_list", "start"])
def test_query_count_does_not_grow_with_the_data(org, people, login, url_name):
    client = login(people.leadership)
    url = reverse(url_name)
    before = _queries(client, url)
    for n in range(30):
        UnitFactory(administration=org.administration, forms=["grundskola", "forskola"])
        provider = ProviderFactory(municipality=org.municipality)
        UnitFactory(administration=None, provider=provider)
    after = _queries(login(people.leadership), url)
    assert after == before, f"{url}: {before} queries with little data, {after} with more"


def test_lists_paginate(org, people, login):
    for n in range(30):
        UnitFactory(name=f"Extra {n:02d}", administration=org.administration)
    client = login(people.leadership)
    first = client.get(reverse("unit_list")).context["page"]
    assert len(first.object_list) == 25 and first.paginator.count == 35
    second = client.get(reverse("unit_list"), {"sida": 2}).context["page"]
    assert len(second.object_list) == 10


def test_user_text_is_escaped(org, people, login):
    org.unit.name = '<script>alert("x")</script>'
    org.unit.save()
    client = login(people.leadership)
    for url in [reverse("unit_list"), reverse("unit_detail", args=[org.unit.pk])]:
        body = client.get(url).content.decode()
        assert '<script>alert("x")</script>' not in body
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body


def test_unit_page_shows_its_people(org, people, login):
    body = login(people.rector).get(reverse("unit_detail", args=[org.unit.pk])).content.decode()
    assert str(people.rector) in body and str(people.contributor) in body
    assert str(people.other_rector) not in body


def test_provider_contact_sees_their_own_units(org, people, login):
    client = login(people.provider_contact)
    body = client.get(reverse("provider_detail", args=[org.provider.pk])).content.decode()
    assert "Lyckanskolan" in body and "Myrstackens förskola" not in body
    assert client.get(reverse("unit_detail", args=[org.other_provider_unit.pk])).status_code == 404


def test_accessibility_problem_report(db, settings, django_capture_on_commit_callbacks):
    from django.test import Client

    client = Client()
    response = client.post(reverse("accessibility"), {"description": "", "email": "inte-en-adress"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Detta fält måste fyllas i." in body and "Fyll i en giltig e-postadress." in body
    assert 'aria-invalid="true"' in body
    assert not AccessibilityReport.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accessibility"), {"description": "Knappen går inte att nå med tangentbordet.", "page": "/enheter/"}
        )
    assert response.status_code == 302
    report = AccessibilityReport.objects.get()
    assert report.page == "/enheter/"
    assert mail.outbox[0].to == [settings.ACCESSIBILITY_CONTACT_EMAIL]
    assert "tangentbordet" in mail.outbox[0].body
    assert "Tack" in client.get(reverse("accessibility")).content.decode()


def test_pages_carry_security_headers(org, people, login):
    response = login(people.rector).get(reverse("start"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_htmx_requests_carry_the_csrf_token(org, people, login):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(people.rector)
    page = client.get(reverse("start")).content.decode()
    import json
    import re

    headers = json.loads(re.search(r"hx-headers='([^']+)'", page).group(1))
    refused = client.post(reverse("accessibility"), {"description": "x"})
    assert refused.status_code == 403
    accepted = client.post(
        reverse("accessibility"), {"description": "Något"}, headers={"X-CSRFToken": headers["X-CSRFToken"], "HX-Request": "true"}
    )
    assert accepted.status_code == 302


def test_menu_shows_each_role_only_what_it_may_use(org, people, login):
    def menu(person):
        body = login(getattr(people, person)).get(reverse("start")).content.decode()
        return body.split('aria-label="Huvudmeny"')[1].split("</nav>")[0]

    assert reverse("provider_list") in menu("leadership") and reverse("admin:index") not in menu("leadership")
    assert reverse("admin:index") in menu("sysadmin")
    contact = menu("provider_contact")
    assert "Vår organisation" in contact and reverse("provider_detail", args=[org.provider.pk]) in contact
    assert f'href="{reverse("provider_list")}"' not in contact
    rector = menu("rector")
    assert reverse("unit_list") in rector and reverse("provider_list") not in rector
    assert reverse("unit_list") not in menu("secretary")


def test_an_expired_session_sends_htmx_to_the_login_page_not_into_the_fragment(org):
    from django.test import Client

    response = Client().get(
        reverse("unit_list") + "?q=skola",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/enheter/?q=skola"},
    )
    assert response.status_code == 200 and response.content == b""
    assert response["HX-Redirect"] == reverse("login") + "?next=/enheter/%3Fq%3Dskola"


def test_unit_list_filters_reject_bad_values_beside_the_field(org, people, login):
    client = login(people.leadership)
    response = client.get(reverse("unit_list"), {"q": "a\x00b", "skolform": "\x00"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_q_error"' in body and "Null-tecken är inte tillåtna." in body
    assert 'aria-describedby="id_q_error"' in body and 'aria-describedby="id_skolform_error"' in body
    assert "Österportskolan" in body  # the bad filter is ignored, not applied


def test_htmx_fragment_updates_the_count_out_of_band(org, people, login):
    body = login(people.leadership).get(reverse("unit_list"), {"q": "skolan"}, headers={"HX-Request": "true"}).content.decode()
    assert 'id="unit-count"' in body and 'hx-swap-oob="true"' in body
    page = login(people.leadership).get(reverse("unit_list")).content.decode()
    assert page.count('id="unit-count"') == 1 and 'hx-swap-oob' not in page


def test_accessibility_reports_are_limited_per_address(db):
    import random

    from django.core.cache import cache
    from django.test import Client

    # Addresses of their own, so that the shared cache (Redis in CI) holds no earlier count.
    address, other_address = (f"10.{random.randrange(256)}.{random.randrange(256)}.{n}" for n in (1, 2))
    client = Client(REMOTE_ADDR=address)
    for n in range(5):
        assert client.post(reverse("accessibility"), {"description": f"Problem {n}"}).status_code == 302
    response = client.post(reverse("accessibility"), {"description": "Ett till"})
    assert response.status_code == 200
    assert "Du har skickat flera anmälningar på kort tid" in response.content.decode()
    assert AccessibilityReport.objects.count() == 5
    other = Client(REMOTE_ADDR=other_address)
    assert other.post(reverse("accessibility"), {"description": "Från en annan"}).status_code == 302
    from ska.views.pages import report_limit_key

    cache.delete_many([report_limit_key(a) for a in (address, other_address)])


def test_my_account_lists_my_roles_and_only_mine(org, people, login):
    body = login(people.contributor).get(reverse("my_account")).content.decode()
    assert "Mitt konto" in body and "Mina roller" in body
    assert "Medarbetare i enhetens kvalitetsarbete" in body and "Förstelärare" in body
    assert org.unit.name in body and org.other_unit.name not in body
    empty = login(people.outsider).get(reverse("my_account")).content.decode()
    assert "Du har ingen roll ännu" in empty
