"""The goal chain in a real browser: a rektor builds a unit goal's whole chain in place, and
förvaltningsledning sees the unit's cell turn complete in the matrix."""

import re

import pytest
from playwright.sync_api import expect

from ska.models import Goal
from ska.schoolyear import SchoolYear

from .conftest import assert_accessible, login

pytestmark = pytest.mark.browser


def label(text):
    """A field's label as Django writes it (with or without the colon)."""
    return re.compile(rf"^\s*{re.escape(text)}:?\s*$")


def _matrix_cell(page, unit_name, goal_title):
    headers = page.locator("table.matrix thead th").all_inner_texts()
    column = headers.index(goal_title)
    row = page.locator("table.matrix tbody tr").filter(has=page.get_by_role("link", name=unit_name, exact=True))
    return row.locator("th, td").nth(column)


def test_rektor_builds_a_chain_and_the_matrix_shows_it_complete(page, live_server, demo):
    year = SchoolYear.current()
    unit_id = demo.units["Österportskolan"]
    # A fresh administration-wide goal that the demo unit has nothing under yet.
    admin_goal = Goal.objects.create(
        level=Goal.Level.ADMINISTRATION, administration_id=Goal.objects.filter(level="administration").first().administration_id,
        school_year=year, title="Språkutvecklande arbetssätt", start_term=year.autumn, end_term=year.spring,
    )

    login(page, live_server, "skolchef")
    page.goto(live_server.url + "/styrkedjan/")
    expect(_matrix_cell(page, "Österportskolan", admin_goal.title)).to_contain_text("Inget mål")
    assert_accessible(page)
    page.get_by_role("button", name="Logga ut").click()

    login(page, live_server, "rektor")
    page.goto(live_server.url + f"/enheter/{unit_id}/")
    assert_accessible(page)

    # A unit goal under the administration-wide goal.
    page.get_by_role("link", name="Lägg till ett mål").click()
    form = page.locator(".chain-form")
    form.get_by_label(label("Mål")).fill("Fler elever använder ämnesord")
    form.get_by_label(label("Förvaltningsgemensamt mål som målet konkretiserar")).select_option(label=admin_goal.title)
    assert_accessible(page)
    form.get_by_role("button", name="Spara").click()
    goal_article = page.locator("article.goal").filter(has=page.get_by_role("heading", name="Fler elever använder ämnesord"))
    expect(goal_article).to_be_visible()

    # An indicator with current and desired state.
    goal_article.get_by_role("link", name="Lägg till en indikator").click()
    form = goal_article.locator(".chain-form")
    form.get_by_label(label("Indikator")).fill("Andel elever som använder ämnesord i skrivuppgifter")
    form.get_by_label(label("Måttenhet")).fill("%")
    form.get_by_label(label("Nuläge (värde)")).fill("40")
    form.get_by_label(label("Nuläget mättes den")).fill(year.start.isoformat())
    form.get_by_label(label("Önskat läge (värde)")).fill("70")
    form.get_by_label(label("Önskat läge ska nås senast")).fill(year.end.isoformat())
    form.get_by_role("button", name="Spara").click()
    expect(goal_article.locator(".indicator")).to_contain_text("Andel elever som använder ämnesord")

    # An activity linked to it.
    goal_article.get_by_role("link", name="Lägg till en aktivitet").click()
    form = goal_article.locator(".chain-form")
    form.get_by_label(label("Aktivitet")).fill("Ämnesordlistor i alla ämnen")
    form.get_by_label(label("Andel elever som använder ämnesord i skrivuppgifter")).check()
    form.get_by_role("button", name="Spara").click()
    expect(goal_article.locator(".activity")).to_contain_text("Ämnesordlistor i alla ämnen")
    expect(goal_article.locator(".activity .gap")).to_have_count(0)

    # A check-in.
    indicator = goal_article.locator(".indicator")
    indicator.get_by_text("Lägg in en avstämning").click()
    indicator.get_by_label(label("Värde (%)")).fill("48")
    indicator.get_by_label(label("Värde (%)")).press("Enter")
    expect(goal_article.locator(".indicator").get_by_role("status")).to_have_text("Avstämningen har sparats.")

    # The follow-up and analysis, with the three validity answers.
    goal_article.get_by_role("link", name="Följ upp och analysera").click()
    form = goal_article.locator(".chain-form")
    form.get_by_label(label("Resultat")).fill("Fler elever använder ämnesord.")
    form.get_by_label(label("Orsaksanalys")).fill("Listorna används i alla ämnen.")
    form.get_by_label(label("Lärare och övrig personal")).check()
    form.get_by_label(label("Barn och elever")).check()
    form.get_by_label(label("I hög grad uppnått")).check()
    form.get_by_label(label("Hur tillförlitliga är de data som indikatorn använder?")).fill("Goda: samma uppgift varje gång.")
    form.get_by_label(label("Mäter indikatorn det den är avsedd att mäta?")).fill("Ja.")
    form.get_by_label(label("Speglar den den verkliga situationen?")).fill("I stort sett.")
    assert_accessible(page)
    form.get_by_role("button", name="Spara").click()
    expect(goal_article).to_contain_text("I hög grad uppnått")
    expect(goal_article.locator(".gap")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("button", name="Logga ut").click()

    login(page, live_server, "skolchef")
    page.goto(live_server.url + "/styrkedjan/")
    expect(_matrix_cell(page, "Österportskolan", admin_goal.title)).to_contain_text("Komplett")
    assert_accessible(page)
