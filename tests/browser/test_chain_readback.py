"""Reading the chain back in a real browser: a rektor writes an activity's follow-up and a
goal's analysis through the forms, then reads every word of it on the unit page and on the
unit's Analyser page; förvaltningsledning reads it on the administration-wide goal's page.
axe checks every page visited."""

import re

import pytest
from playwright.sync_api import expect

from ska.models import Activity, Goal, Indicator, Unit
from ska.schoolyear import SchoolYear, Term

from .conftest import assert_accessible, login

pytestmark = pytest.mark.browser

FOLLOW_UP = {
    "process_data": "Ordlistorna används i sju av nio klasser. Eleverna slår upp ord själva.",
    "next_step": "Ämneslagen i NO och SO tar fram sina listor före lovet.",
}
ANALYSIS = {
    "results": "Andelen elever som använder ämnesord i skrivuppgifter ökade från 40 till 58 %.",
    "causes": "Listorna finns i alla klassrum och lärarna modellerar orden i genomgångarna.",
    "effect": "Tydligast effekt i de klasser som arbetat med listorna sedan augusti.",
    "reliability": "Goda: samma bedömningsmatris och samma uppgift vid varje mättillfälle.",
    "measures": "I huvudsak, men den fångar inte muntligt språkbruk.",
    "reality": "Ja, den stämmer med lärarnas iakttagelser i klassrummen.",
    "area": "Muntligt språkbruk i ämnena",
}


def label(text):
    """A field's label as Django writes it (with or without the colon)."""
    return re.compile(rf"^\s*{re.escape(text)}:?\s*$")


def expect_all(locator, texts):
    for text in texts:
        expect(locator).to_contain_text(text)


def term_value(term: Term) -> str:
    return f"{term.season.name}{term.year}"


def test_a_follow_up_and_an_analysis_are_read_back_on_every_page(page, live_server, demo):
    year = SchoolYear.current()
    term = Term.current()
    unit = Unit.objects.get(pk=demo.units["Österportskolan"])
    admin_goal = Goal.objects.create(
        level=Goal.Level.ADMINISTRATION, administration_id=unit.administration_id, school_year=year,
        title="Språkutvecklande arbetssätt", start_term=year.autumn, end_term=year.spring,
    )
    goal = Goal.objects.create(
        level=Goal.Level.UNIT, unit=unit, parent=admin_goal, school_year=year, title="Fler elever använder ämnesord",
        expected_effects="Eleverna skriver med ett rikare ämnesspråk.", origin=Goal.Origin.SHORTFALL,
        start_term=year.autumn, end_term=year.spring,
    )
    indicator = Indicator.objects.create(goal=goal, title="Andel elever som använder ämnesord i skrivuppgifter",
                                         unit_of_measure="%", baseline_value=40, target_value=70)
    activity = Activity.objects.create(goal=goal, title="Ämnesordlistor i alla ämnen", purpose="Ett gemensamt ämnesspråk.",
                                       owner="Förstelärarna", status=Activity.Status.ONGOING)
    activity.indicators.add(indicator)

    login(page, live_server, "rektor")
    page.goto(f"{live_server.url}/enheter/{unit.pk}/?lasar={year.start_year}")
    assert_accessible(page)
    article = page.locator("article.goal").filter(has=page.get_by_role("heading", name=goal.title))

    # The follow-up, through its form.
    article.get_by_role("link", name=f"Följ upp aktiviteten ”{activity.title}”").click()
    form = article.locator(".chain-form")
    form.get_by_label(label("Processdata")).fill(FOLLOW_UP["process_data"])
    form.get_by_label(label("Delvis på rätt väg")).check()
    form.get_by_label(label("Nästa steg")).fill(FOLLOW_UP["next_step"])
    assert_accessible(page)
    form.get_by_role("button", name="Spara").click()
    expect(article.locator(".chain-form")).to_have_count(0)
    activity_block = article.locator(f"#activity-{activity.pk}")
    expect_all(activity_block, [*FOLLOW_UP.values(), "Delvis på rätt väg", "Ett gemensamt ämnesspråk.", "Förstelärarna",
                                indicator.title])

    # The analysis, with the three validity answers.
    article.get_by_role("link", name="Följ upp och analysera").click()
    form = article.locator(".chain-form")
    form.get_by_label(label("Termin")).select_option(str(term.code))
    form.get_by_label(label("Resultat")).fill(ANALYSIS["results"])
    form.get_by_label(label("Orsaksanalys")).fill(ANALYSIS["causes"])
    form.get_by_label(label("Lärare och övrig personal")).check()
    form.get_by_label(label("Barn och elever")).check()
    form.get_by_label(label("Aktiviteternas effekt")).fill(ANALYSIS["effect"])
    form.get_by_label(label("I hög grad uppnått")).check()
    form.get_by_label(label("Hur tillförlitliga är de data som indikatorn använder?")).fill(ANALYSIS["reliability"])
    form.get_by_label(label("Mäter indikatorn det den är avsedd att mäta?")).fill(ANALYSIS["measures"])
    form.get_by_label(label("Speglar den den verkliga situationen?")).fill(ANALYSIS["reality"])
    form.locator("#id_area-0-title").fill(ANALYSIS["area"])
    assert_accessible(page)
    form.get_by_role("button", name="Spara").click()
    expect(article.locator(".chain-form")).to_have_count(0)
    analysis_text = [*ANALYSIS.values(), "I hög grad uppnått", "Lärare och övrig personal, Barn och elever"]
    expect_all(article.locator(".analysis"), analysis_text)
    assert_accessible(page)

    # Read back on the unit page as it loads afresh, without opening a form.
    page.reload()
    article = page.locator("article.goal").filter(has=page.get_by_role("heading", name=goal.title))
    expect(article.locator(".chain-form")).to_have_count(0)
    expect_all(article.locator(f"#activity-{activity.pk}"), [*FOLLOW_UP.values(), "Delvis på rätt väg"])
    expect_all(article.locator(".analysis"), analysis_text)
    expect_all(article.locator(".goal-facts"), ["Eleverna skriver med ett rikare ämnesspråk.", "Identifierad brist"])
    assert_accessible(page)

    # The unit's Analyser page, for the term chosen in its picker.
    page.get_by_role("link", name="Analyser", exact=True).click()
    page.get_by_label("Termin").select_option(term_value(term))
    page.get_by_role("button", name="Visa").click()
    card = page.locator("article.analysis-card").filter(has=page.get_by_role("heading", name=goal.title))
    expect_all(card, analysis_text)
    expect(page.get_by_role("heading", level=1)).to_have_text("Analyser för Österportskolan")
    assert_accessible(page)
    # Usable at 360 px: nothing runs off the side of the page.
    page.set_viewport_size({"width": 360, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    # The unit's curriculum coverage, linked from the unit page.
    page.goto(f"{live_server.url}/enheter/{unit.pk}/?lasar={year.start_year}")
    page.get_by_role("link", name="Läroplanstäckning").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Läroplanstäckning för Österportskolan")
    assert_accessible(page)
    page.get_by_role("button", name="Logga ut").click()

    # Förvaltningsledning reads every unit's analysis under the administration-wide goal.
    login(page, live_server, "skolchef")
    page.goto(f"{live_server.url}/styrkedjan/")
    page.get_by_role("link", name=admin_goal.title).click()
    page.get_by_label("Termin").select_option(term_value(term))
    page.get_by_label("Skolform").select_option("grundskola")
    page.get_by_role("button", name="Visa").click()
    card = page.locator("article.unit-goal").filter(has=page.get_by_role("link", name="Österportskolan"))
    expect_all(card, analysis_text)
    assert_accessible(page)
    page.set_viewport_size({"width": 360, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.set_viewport_size({"width": 1280, "height": 900})

    # And the administration's curriculum coverage, linked from the matrix.
    page.goto(f"{live_server.url}/styrkedjan/")
    page.get_by_role("link", name="Läroplanstäckning").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Läroplanstäckning")
    assert_accessible(page)
