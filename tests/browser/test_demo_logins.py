"""The demo municipality in a real browser: every demo login, keyboard use, htmx, language,
access, and an axe-core check (WCAG 2.1 AA) of each kind of page."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import LOGIN_PATH, assert_accessible, login

pytestmark = pytest.mark.browser

# The role sections of the start page, by their (Swedish) headings.
MY_UNITS = "Mina enheter"
OVERVIEW = "Förvaltningen i korthet"
COMMITTEE = "Kvalitetsrapporter för nämnden"
ORGANISATION = "Er organisation"
SYSADMIN = "Systemadministration"
ROLE_SECTIONS = [MY_UNITS, OVERVIEW, COMMITTEE, ORGANISATION, SYSADMIN]

# login -> (the sections it sees, the links each of those sections must hold)
DEMO_LOGINS = {
    "admin": {OVERVIEW: [], SYSADMIN: []},
    "skolchef": {OVERVIEW: []},
    "rektor": {MY_UNITS: ["Österportskolan"]},
    "rektor2": {MY_UNITS: ["Västervångskolan"]},
    "forskolerektor": {MY_UNITS: ["Förskolan Solrosen", "Förskolan Ekorren"]},
    "sekreterare": {COMMITTEE: []},
    "ledamot": {COMMITTEE: []},
    "fristaende": {ORGANISATION: ["Stiftelsen Montessoriskolan Lyckan"]},
}


def section(page, heading):
    """A start page section: a <section> labelled by its heading is a region."""
    return page.get_by_role("region", name=heading, exact=True)


@pytest.mark.parametrize("username", list(DEMO_LOGINS))
def test_demo_login_lands_on_its_start_page(page, live_server, demo, username):
    response = login(page, live_server, username)

    assert response.status == 200
    assert page.url == live_server.url + "/"
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    first_name = demo.people[username].first_name
    expect(page.locator("h1")).to_have_text(f"Välkommen, {first_name}")

    expected = DEMO_LOGINS[username]
    for heading in ROLE_SECTIONS:
        if heading in expected:
            expect(section(page, heading)).to_be_visible()
            for name in expected[heading]:
                expect(section(page, heading).get_by_role("link", name=name, exact=True)).to_be_visible()
        else:
            expect(section(page, heading)).to_have_count(0)
    if SYSADMIN in expected:
        expect(section(page, SYSADMIN).locator('a[href="/admin/"]')).to_be_visible()
    assert_accessible(page)


def test_login_page_is_accessible(page, live_server, demo):
    page.goto(live_server.url + LOGIN_PATH)
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.locator("#id_username")).to_be_focused()  # autofocus
    assert_accessible(page)


def test_wrong_password_shows_an_error_beside_the_form(page, live_server, demo):
    response = login(page, live_server, "rektor", password="fel-lösenord")

    assert response.status == 200  # the form again, not a server error
    assert page.url == live_server.url + LOGIN_PATH
    form = page.locator("main form").filter(has=page.locator("#id_password"))
    error = form.locator('[role="alert"] .errorlist')
    expect(error).to_be_visible()
    expect(error).not_to_be_empty()
    expect(page.locator("#id_username")).to_have_value("rektor")
    assert_accessible(page)


def test_skip_link_is_first_and_moves_focus_to_main(page, live_server, demo):
    login(page, live_server, "rektor")

    page.keyboard.press("Tab")
    skip_link = page.locator("a.skip-link")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_have_text("Hoppa till huvudinnehållet")
    expect(skip_link).to_be_in_viewport()  # shown when focused, not only present

    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()


def test_unit_list_filters_through_htmx(page, live_server, demo):
    login(page, live_server, "skolchef")
    page.goto(live_server.url + "/enheter/")
    assert_accessible(page)
    count = page.locator("#unit-count")
    count_before = count.inner_text()
    rows = page.locator("#unit-results tbody tr")
    assert rows.count() > 1

    page.evaluate("window.__marker = 1")
    with page.expect_response(lambda r: "/enheter/?" in r.url and r.request.headers.get("hx-request") == "true"):
        page.locator("#id_q").press_sequentially("Solros")

    expect(page).to_have_url(re.compile(r"/enheter/\?(.*&)?q=Solros(&|$)"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Förskolan Solrosen")
    expect(count).not_to_have_text(count_before)
    expect(count).to_have_text(re.compile(r"^\s*1\b"))
    assert page.evaluate("window.__marker") == 1, "the search reloaded the whole page"
    assert_accessible(page)


def test_htmx_errors_are_shown_in_the_messages_region(page, live_server, demo):
    login(page, live_server, "rektor")
    messages = page.locator("#messages")
    alert = messages.get_by_role("alert")
    expect(alert).to_have_count(0)

    # A rektor may not list the independent providers: 403.
    forbidden = page.locator("body").get_attribute("data-error-forbidden")
    assert forbidden
    with page.expect_response(lambda r: r.url.endswith("/fristaende/")) as answer:
        page.evaluate("() => { htmx.ajax('GET', '/fristaende/', {target: '#main'}); }")
    assert answer.value.status == 403
    expect(alert).to_have_text(forbidden)
    expect(page.locator("h1")).to_have_text(re.compile("Karin"))  # nothing was swapped in

    # ... nor see another rektor's unit: 404.
    not_found = page.locator("body").get_attribute("data-error-not-found")
    assert not_found and not_found != forbidden
    other_unit = f"/enheter/{demo.units['Västervångskolan']}/"
    with page.expect_response(lambda r: r.url.endswith(other_unit)) as answer:
        page.evaluate("url => { htmx.ajax('GET', url, {target: '#main'}); }", other_unit)
    assert answer.value.status == 404
    expect(alert).to_have_count(1)
    expect(alert).to_have_text(not_found)
    assert_accessible(page)


def test_language_can_be_switched_to_english_and_back(page, live_server, demo):
    login(page, live_server, "rektor")
    expect(page.locator("html")).to_have_attribute("lang", "sv")

    def choose(language):
        form = page.locator("form.language-form")
        form.locator("#language-select").select_option(language)
        with page.expect_navigation():
            form.locator("button[type=submit]").click()

    choose("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url == live_server.url + "/"
    expect(page.locator("h1")).to_have_text("Welcome, Karin")
    expect(section(page, "My units")).to_be_visible()
    expect(page.locator("a.skip-link")).to_have_text("Skip to main content")
    assert_accessible(page)

    choose("sv")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.locator("h1")).to_have_text("Välkommen, Karin")
    expect(page.locator("#language-select")).to_have_value("sv")


def test_another_rektors_unit_is_not_found(page, live_server, demo):
    login(page, live_server, "rektor")
    response = page.goto(live_server.url + f"/enheter/{demo.units['Västervångskolan']}/")

    assert response.status == 404
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("main").get_by_role("link").last).to_have_attribute("href", "/")
    assert "Västervångskolan" not in page.content()
    assert "Västervång" not in page.title()
    assert_accessible(page)


def test_accessibility_statement_is_public_and_its_form_reports_errors(page, live_server, demo):
    response = page.goto(live_server.url + "/tillganglighet/")
    assert response.status == 200
    assert page.url == live_server.url + "/tillganglighet/"  # no redirect to the login page
    assert_accessible(page)

    description = page.locator("#id_description")
    form = page.locator("main form").filter(has=description)
    with page.expect_navigation() as navigation:
        form.locator("button[type=submit]").click()
    assert navigation.value.status == 200

    expect(description).to_have_attribute("aria-invalid", "true")
    error = page.locator("#id_description_error")
    expect(error).to_be_visible()
    expect(error).not_to_be_empty()
    assert "id_description_error" in (description.get_attribute("aria-describedby") or "").split()
    assert_accessible(page)


def test_unit_detail_is_accessible(page, live_server, demo):
    login(page, live_server, "rektor")
    page.locator("main").get_by_role("link", name="Österportskolan", exact=True).click()
    expect(page).to_have_url(live_server.url + f"/enheter/{demo.units['Österportskolan']}/")
    expect(page.locator("h1")).to_have_text("Österportskolan")
    assert_accessible(page)


def test_independent_unit_detail_is_accessible(page, live_server, demo):
    login(page, live_server, "skolchef")
    page.goto(live_server.url + f"/enheter/{demo.units['Montessoriskolan Lyckan']}/")
    expect(page.locator("h1")).to_have_text("Montessoriskolan Lyckan")
    assert_accessible(page)


def test_provider_list_is_accessible(page, live_server, demo):
    login(page, live_server, "skolchef")
    response = page.goto(live_server.url + "/fristaende/")
    assert response.status == 200
    expect(page.get_by_role("link", name="Stiftelsen Montessoriskolan Lyckan")).to_be_visible()
    expect(page.get_by_role("link", name="I Ur och Skur Myrstacken AB")).to_be_visible()
    assert_accessible(page)


def test_provider_detail_is_accessible(page, live_server, demo):
    login(page, live_server, "fristaende")
    page.locator("main").get_by_role("link", name="Stiftelsen Montessoriskolan Lyckan", exact=True).click()
    expect(page).to_have_url(
        live_server.url + f"/fristaende/{demo.providers['Stiftelsen Montessoriskolan Lyckan']}/"
    )
    expect(page.locator("h1")).to_have_text("Stiftelsen Montessoriskolan Lyckan")
    assert_accessible(page)


def test_password_change_page_is_accessible(page, live_server, demo):
    login(page, live_server, "rektor")
    response = page.goto(live_server.url + "/konto/losenord/")
    assert response.status == 200
    expect(page.locator("#id_old_password")).to_be_visible()
    assert_accessible(page)


def test_password_reset_page_is_accessible(page, live_server, demo):
    response = page.goto(live_server.url + "/konto/aterstall/")
    assert response.status == 200
    expect(page.locator("#id_email")).to_be_visible()
    assert_accessible(page)


def test_small_screens_keep_the_menu_within_the_page(page, live_server, demo):
    page.set_viewport_size({"width": 375, "height": 800})
    login(page, live_server, "skolchef")
    for path in ["/", "/enheter/"]:
        page.goto(live_server.url + path)
        # Nothing but the units table (which scrolls in its own region) may widen the page.
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} is {overflow}px wider than the screen"
        expect(page.get_by_role("button", name="Logga ut")).to_be_in_viewport()
        assert_accessible(page)


def test_my_account_is_reached_from_the_footer_and_is_accessible(page, live_server, demo):
    login(page, live_server, "forskolerektor")
    page.get_by_role("link", name="Inloggad som Sara Ek").click()
    expect(page.locator("h1")).to_have_text("Mitt konto")
    roles = page.get_by_role("region", name="Mina roller")
    expect(roles.get_by_role("link", name="Förskolan Solrosen")).to_be_visible()
    expect(roles.get_by_role("link", name="Förskolan Ekorren")).to_be_visible()
    assert_accessible(page)


def test_rektor_records_a_check_in_in_three_interactions(page, live_server, demo):
    login(page, live_server, "rektor")
    page.goto(live_server.url + f"/enheter/{demo.units['Österportskolan']}/")
    page.evaluate("window.__marker = 1")
    indicator = page.locator(".indicator").first
    indicator.get_by_text("Lägg in en avstämning").click()          # 1: open the form
    indicator.get_by_label("Värde (%)").fill("77,5")                 # 2: type the value
    indicator.get_by_label("Värde (%)").press("Enter")               # 3: save
    expect(page.locator(".indicator").first.get_by_role("status")).to_have_text("Avstämningen har sparats.")
    expect(page.locator(".indicator").first).to_contain_text("77,5")
    assert page.evaluate("window.__marker") == 1  # no full page load
    assert_accessible(page)
