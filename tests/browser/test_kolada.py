"""A Kolada-fed indicator in a real browser: the rektor searches a key figure and their unit
in the indicator form, saves, and sees the yearly values as check-ins with their source and
the reference lines on the chart. The loopback fake Kolada answers."""

import re

import pytest
from playwright.sync_api import expect

from ska.models import CheckIn, Indicator

from .conftest import assert_accessible, login

pytestmark = pytest.mark.browser


def label(text):
    return re.compile(rf"^\s*{re.escape(text)}:?\s*$")


def test_rektor_adds_a_kolada_fed_indicator_and_sees_its_values_and_reference_lines(page, live_server, demo, kolada_fake):
    before = list(Indicator.objects.values_list("pk", flat=True))  # the demo has Kolada-fed indicators of its own
    login(page, live_server, "rektor")
    page.goto(live_server.url + f"/enheter/{demo.units['Österportskolan']}/")
    goal_article = page.locator("article.goal").first
    goal_article.get_by_role("link", name="Lägg till en indikator").click()
    form = goal_article.locator(".chain-form")
    kolada = form.locator(".kolada-fields")
    expect(kolada).to_be_hidden()  # shown only once Kolada is the source
    form.get_by_label(label("Kolada")).check()
    expect(kolada).to_be_visible()

    # Search the key figure by title (Enter in the search field searches) and choose it.
    kolada.get_by_label(label("Nyckeltal att söka efter")).fill("meritvärde")
    kolada.get_by_label(label("Nyckeltal att söka efter")).press("Enter")
    hits = form.get_by_role("region", name="Hittade nyckeltal")
    expect(hits).to_be_focused()
    assert_accessible(page)
    hits.get_by_role("button", name=re.compile("^Välj N15505")).click()
    expect(form.get_by_label(label("Nyckeltal (Koladas id)"))).to_have_value("N15505")
    expect(form.get_by_label(label("Indikator"))).to_have_value(re.compile("meritvärde", re.I))

    # Find the unit among Kolada's units and choose it; compare with similar municipalities too.
    kolada = form.locator(".kolada-fields")
    kolada.get_by_label(label("Enhet att söka efter i Kolada")).fill("Österport")
    kolada.get_by_role("button", name="Sök enheter").click()
    form.get_by_role("region", name="Hittade enheter i Kolada").get_by_role("button", name="Välj Österportskolan").click()
    expect(form.get_by_role("region", name="Hittade enheter i Kolada")).to_have_count(0)  # the form is redrawn
    kolada = form.locator(".kolada-fields")
    expect(kolada.get_by_label(label("Enheten i Kolada (id)"))).to_have_value("V15E129900001")
    kolada.get_by_label(label("Jämför med en grupp liknande kommuner")).select_option(label="Liknande kommuner grundskola, Ekvalla")
    form.get_by_label(label("Måttenhet")).fill("poäng")
    assert_accessible(page)
    form.get_by_role("button", name="Spara", exact=True).click()

    expect(goal_article.locator(".chain-form")).to_have_count(0)
    saved = Indicator.objects.filter(kolada__kpi_id="N15505", goal__unit_id=demo.units["Österportskolan"]).exclude(pk__in=before).get()
    indicator = page.locator(f"#indicator-{saved.pk}")
    expect(indicator).to_contain_text("Källa: Kolada, N15505")
    expect(indicator).to_contain_text("Senast hämtad")
    years = sorted(CheckIn.objects.filter(indicator=saved, origin="kolada").values_list("date__year", flat=True))
    assert years == list(range(2019, 2026))

    # The yearly values as check-ins, each with its source.
    indicator.locator("details.check-in-list summary").click()
    rows = indicator.locator("details.check-in-list tbody tr")
    expect(rows).to_have_count(7)
    expect(rows.first).to_contain_text("Kolada, hämtad")

    # The reference lines: the municipality, similar municipalities and the country, drawn and named.
    chart = indicator.locator("svg.indicator-chart")
    expect(chart.locator("polyline.reference")).to_have_count(3)
    description = chart.locator("title").first.text_content()
    for name in ("Ekvalla", "Liknande kommuner grundskola, Ekvalla", "Riket"):
        assert name in description
    indicator.locator("details.kolada-years summary").click()
    expect(indicator.locator("details.kolada-years table")).to_contain_text("Riket")
    assert_accessible(page)
