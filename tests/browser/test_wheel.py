"""The annual wheel in a real browser: the skolchef plans a recurring ledarforum and a follow-up
deadline, sees them on the wheel and in the month list, and copies the wheel to next school year;
the rektor sees both on the unit's wheel and among the next 30 days on the start page."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from annualwheel.models import Event, Wheel
from ska.schoolyear import SchoolYear

from .conftest import assert_accessible, login

pytestmark = pytest.mark.browser


def label(text):
    return re.compile(rf"^\s*{re.escape(text)}:?\s*$")


def _add_event(page, values: dict, selects: dict, checks=()):
    page.get_by_role("button", name="Lägg till en händelse").click()
    for name, value in selects.items():
        page.get_by_label(label(name)).select_option(label=value)
    for name, value in values.items():
        page.get_by_label(label(name)).fill(value)
    for name in checks:
        page.get_by_label(name, exact=True).check()
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("heading", level=1, name=values["Titel"])).to_be_visible()


def test_skolchef_plans_the_year_and_the_rektor_sees_it(page, live_server, demo):
    year = SchoolYear.current()
    wheel = Wheel.objects.get(name="SKA-hjulet", school_year=year)
    today = datetime.date.today()
    first, deadline = today + datetime.timedelta(days=1), today + datetime.timedelta(days=9)

    login(page, live_server, "skolchef")
    page.goto(live_server.url + wheel.get_absolute_url())
    _add_event(
        page,
        {
            "Titel": "Ledarforum om läsförståelse",
            "Datum": first.isoformat(),
            "Börjar": "08:30",
            "Slutar": "11:30",
            "Var … vecka": "1",
            "Upprepas till": (first + datetime.timedelta(weeks=6)).isoformat(),
        },
        {"Typ": "Ledarforum", "Upprepas": "Varje vecka eller med några veckors mellanrum", "På helgdagar och lov": "Behåll den"},
    )
    expect(page.locator("#times-heading")).to_be_visible()
    expect(page.locator("table tbody tr")).to_have_count(7)
    page.get_by_role("link", name="SKA-hjulet").first.click()
    _add_event(page, {"Titel": "Uppföljning av läsförståelse", "Datum": deadline.isoformat()}, {"Typ": "Uppföljningsdag"},
               checks=["Avstämningar av indikatorer som förs in för hand"])

    page.goto(live_server.url + wheel.get_absolute_url())
    wheel_svg = page.locator("svg.wheel")
    expect(wheel_svg.locator('a[aria-label^="Ledarforum om läsförståelse"]')).to_have_count(7)
    expect(wheel_svg.locator('a[aria-label^="Uppföljning av läsförståelse"]')).to_have_count(1)
    months = page.locator(".month-list")
    expect(months.get_by_role("link", name="Ledarforum om läsförståelse")).to_have_count(7)
    expect(months.get_by_role("link", name="Uppföljning av läsförståelse")).to_have_count(1)
    assert_accessible(page)
    # Each mark leads to its event.
    wheel_svg.locator('a[aria-label^="Uppföljning av läsförståelse"]').click()
    expect(page.get_by_role("heading", level=1, name="Uppföljning av läsförståelse")).to_be_visible()
    assert_accessible(page)

    # Next year's wheel, from the preview.
    page.goto(live_server.url + wheel.get_absolute_url())
    page.get_by_role("link", name="Kopiera till nästa läsår").click()
    assert_accessible(page)
    page.get_by_role("button", name=f"Skapa hjulet för {year.next()}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(str(year.next()))
    copy = Wheel.objects.get(name="SKA-hjulet", school_year=year.next())
    assert copy.events.filter(title="Ledarforum om läsförståelse").exists()
    assert Event.objects.filter(wheel=wheel, title="Ledarforum om läsförståelse").get().start_date == first
    page.get_by_role("button", name="Logga ut").click()

    login(page, live_server, "rektor")
    upcoming = page.locator("section[aria-labelledby=upcoming-heading]")
    expect(upcoming.get_by_role("link", name="Uppföljning av läsförståelse")).to_be_visible()
    expect(upcoming.get_by_role("link", name="Ledarforum om läsförståelse").first).to_be_visible()
    assert_accessible(page)
    unit_wheel = Wheel.objects.get(unit__name="Österportskolan", school_year=year)
    page.goto(live_server.url + unit_wheel.get_absolute_url())
    expect(page.locator('svg.wheel a[aria-label^="Uppföljning av läsförståelse"]')).to_have_count(1)
    expect(page.locator(".month-list").get_by_role("link", name="Ledarforum om läsförståelse")).to_have_count(7)
    assert_accessible(page)
