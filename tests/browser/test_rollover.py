"""The year's rollover in a real browser: the skolchef carries the administration's goals into
the next school year after a preview; the rektor continues Österportskolan's goals under them;
the skolchef then finds Österportskolan under the continued goals in next year's matrix — not
as "Inget mål". axe checks every page visited."""

import pytest
from playwright.sync_api import expect

from ska.models import Goal, Unit
from ska.schoolyear import SchoolYear

from .conftest import assert_accessible, login

pytestmark = pytest.mark.browser


def test_the_chain_rolls_over_level_by_level_and_keeps_the_red_thread(page, live_server, demo):
    year = SchoolYear.current()
    next_year = year.next()
    unit = Unit.objects.get(pk=demo.units["Österportskolan"])
    unit_goals = list(Goal.objects.in_force(year).filter(unit=unit, level=Goal.Level.UNIT))
    assert unit_goals, "the demo gives Österportskolan unit goals this school year"

    login(page, live_server, "skolchef")
    page.goto(f"{live_server.url}/styrkedjan/mal/?lasar={year.start_year}")
    assert_accessible(page)
    page.get_by_role("link", name=f"För över målen till {next_year}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"För över målen till {next_year}")
    assert_accessible(page)
    page.get_by_role("button", name="Förhandsgranska").click()
    expect(page.get_by_role("heading", name="Förhandsgranskning: det här kommer att hända")).to_be_visible()
    assert not Goal.objects.filter(school_year=next_year).exists()  # nothing yet
    assert_accessible(page)
    page.get_by_role("button", name=f"För över till {next_year}").click()
    expect(page.get_by_text(f"Målen har förts över till {next_year}.")).to_be_visible()
    expect(page.get_by_text(f"Alla mål är beslutade för {next_year}.")).to_be_visible()
    assert_accessible(page)
    continued_admin = set(Goal.objects.filter(school_year=next_year, level=Goal.Level.ADMINISTRATION)
                          .values_list("continued_from_id", flat=True))
    assert {g.parent_id for g in unit_goals} <= continued_admin

    page.context.clear_cookies()
    login(page, live_server, "rektor")
    page.goto(f"{live_server.url}/enheter/{unit.pk}/?lasar={year.start_year}")
    page.get_by_role("link", name=f"För över målen till {next_year}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"För över målen till {next_year}")
    assert_accessible(page)
    page.get_by_role("button", name="Förhandsgranska").click()
    expect(page.get_by_role("heading", name="Förhandsgranskning: det här kommer att hända")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name=f"För över till {next_year}").click()
    expect(page.get_by_text(f"Enhetens mål har förts över till {next_year}.")).to_be_visible()
    assert_accessible(page)
    for goal in unit_goals:
        new = Goal.objects.get(continued_from=goal)
        assert new.level == Goal.Level.UNIT and new.parent.continued_from_id == goal.parent_id

    page.context.clear_cookies()
    login(page, live_server, "skolchef")
    page.goto(f"{live_server.url}/styrkedjan/?lasar={next_year.start_year}")
    assert_accessible(page)
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Österportskolan"))
    expect(row).to_have_count(1)
    linked_cells = row.locator("td:not(.cell-missing):not(.cell-not-applicable)")
    assert linked_cells.count() == len({g.parent_id for g in unit_goals})
