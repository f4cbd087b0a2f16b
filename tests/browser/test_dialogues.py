"""A round of quality talks with independent providers, in a real browser: the skolchef creates
the round and publishes times; the provider's contact person logs in, sees only their own
provider's dialogue, books a time and gets the confirmation with a calendar invitation; the
skolchef sees the booking, holds the dialogue with notes and an agreed action, and the action
shows on its owner's start page. axe-core checks every page on the way."""

import datetime

import pytest
from django.core import mail
from icalendar import Calendar
from playwright.sync_api import expect

from dialogs.models import AgreedAction, Dialogue, Round

from .conftest import assert_accessible, login

pytestmark = pytest.mark.browser

TITLE = "Kvalitetssamtal med fristående VT 2027 (test)"


def _logout(page, live_server):
    page.context.clear_cookies()


def test_a_round_with_independent_providers_from_slots_to_agreed_action(page, live_server, demo):
    day = datetime.date.today() + datetime.timedelta(days=21)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)

    # The skolchef creates the round: it starts from the template and meets every provider.
    login(page, live_server, "skolchef")
    page.goto(live_server.url + "/dialoger/")
    assert_accessible(page)
    page.locator("a[href$='/dialoger/omgang/ny/']").click()
    page.locator("#id_kind").select_option("provider")
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_starts_on").fill((day - datetime.timedelta(days=7)).isoformat())
    page.locator("#id_ends_on").fill((day + datetime.timedelta(days=14)).isoformat())
    assert_accessible(page)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    round_ = Round.objects.get(title=TITLE)
    assert round_.agenda_topics[0] == "Trygghet och säkerhet"

    # Three times in a row, hosted by the skolchef.
    publish = page.locator("#tider details")
    if publish.get_attribute("open") is None:
        publish.locator("summary").click()
    page.locator("#id_day").fill(day.isoformat())
    page.locator("#id_start").fill("09:00")
    page.locator("#id_length_minutes").fill("60")
    page.locator("#id_count").fill("3")
    page.locator("#id_gap_minutes").fill("15")
    page.locator("#id_place").fill("Stadshuset, rum Ekvalla")
    page.locator("input[name=hosts]").first.check()
    page.locator("form[action$='/tider/'] button[type=submit]").click()
    expect(page.locator("#tider tbody tr")).to_have_count(3)
    page.locator("form[action$='/status/']:has(input[value=open]) button").click()
    expect(page.locator(".messages")).to_be_visible()
    assert Round.objects.get(pk=round_.pk).status == Round.Status.OPEN
    assert_accessible(page)

    # The provider's contact person sees their own dialogue only, and books the first time.
    _logout(page, live_server)
    login(page, live_server, "fristaende")
    page.goto(live_server.url + "/dialoger/")
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    assert "Myrstacken" not in page.content()
    page.get_by_role("link", name=TITLE).click()
    assert "Myrstacken" not in page.content()
    assert_accessible(page)
    mine = Dialogue.objects.get(round=round_, provider__name="Stiftelsen Montessoriskolan Lyckan")
    page.goto(live_server.url + mine.get_absolute_url())
    page.locator("#bokning input[type=radio]").first.check()
    mail.outbox.clear()
    page.locator("#bokning form[action$='/boka/'] button[type=submit]").click()
    expect(page.locator(".messages")).to_be_visible()
    assert_accessible(page)
    mine.refresh_from_db()
    assert mine.slot is not None and mine.booked_by.username == "fristaende"

    [confirmation] = [m for m in mail.outbox if "fristaende@" in " ".join(m.to)]
    [(filename, content, mimetype)] = confirmation.attachments
    assert filename.endswith(".ics") and "method=REQUEST" in mimetype
    calendar = Calendar.from_ical(content)
    [event] = calendar.walk("VEVENT")
    assert event.decoded("DTSTART") == mine.slot.starts_at
    assert "Stadshuset" in str(event["LOCATION"])

    # The skolchef sees the booking, holds the dialogue and agrees an action with the contact.
    _logout(page, live_server)
    login(page, live_server, "skolchef")
    page.goto(live_server.url + round_.get_absolute_url())
    expect(page.locator("#tider tbody")).to_contain_text("Stiftelsen Montessoriskolan Lyckan")
    page.goto(live_server.url + mine.get_absolute_url())
    page.locator("a[href$='/genomforande/']").click()
    assert_accessible(page)
    first_topic = page.locator("article.topic-note").first
    first_topic.locator("textarea").fill("Trygghetsenkäten visar högre trygghet än i fjol.")
    first_topic.locator("button[type=submit]").click()
    expect(first_topic.locator(".saved, [role=status]").first).to_be_visible()
    page.locator("form[action$='/atgarder/'] textarea").first.fill("Ta fram en plan för överlämningar till åk 7")
    page.locator("form[action$='/atgarder/'] select").first.select_option(label="Helena Strand")
    page.locator("form[action$='/atgarder/'] input[type=date]").fill((day + datetime.timedelta(days=60)).isoformat())
    page.locator("form[action$='/atgarder/'] button[type=submit]").click()
    expect(page.locator("#actions-heading")).to_be_visible()
    page.locator("form[action$='/hallen/'] button").click()
    page.locator("form[action$='/dela/'] button").click()
    action = AgreedAction.objects.get(dialogue=mine)
    assert action.owner.username == "fristaende"
    assert_accessible(page)

    # The action is on its owner's start page.
    _logout(page, live_server)
    login(page, live_server, "fristaende")
    page.goto(live_server.url + "/")
    section = page.locator("section[aria-labelledby=my-actions-heading]")
    expect(section).to_contain_text("Ta fram en plan för överlämningar till åk 7")
    assert_accessible(page)
