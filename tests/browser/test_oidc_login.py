"""Single sign-on in a real browser: the login page's button, the provider's login form (a real
OpenID Connect provider on a loopback port), back in SKA as the right person, and logging out
at the provider too, under SKA's Content-Security-Policy."""

import pytest
from oidc_provider_mock import User as ProviderUser
from playwright.sync_api import expect

from ..oidc_provider import running_provider
from .conftest import LOGIN_PATH, assert_accessible

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def provider():
    # The demo's rektor, Karin Holm, as the municipality's identity provider knows her.
    with running_provider([ProviderUser(sub="karin", claims={"email": "REKTOR@ekvalla.example"})]) as running:
        yield running


@pytest.fixture
def sso(settings, provider):
    provider.configure(settings, OIDC_OP_LOGOUT_ENDPOINT=f"{provider.url}/oauth2/end_session")
    # What ska/settings.py adds when OIDC_OP_LOGOUT_ENDPOINT is set: the logout form may end there.
    policy = {**settings.CONTENT_SECURITY_POLICY, "DIRECTIVES": dict(settings.CONTENT_SECURITY_POLICY["DIRECTIVES"])}
    policy["DIRECTIVES"]["form-action"] = [*policy["DIRECTIVES"]["form-action"], provider.url]
    settings.CONTENT_SECURITY_POLICY = policy
    return provider


def test_log_in_with_the_municipality_s_account_and_out_again(page, live_server, demo, sso):
    page.goto(live_server.url + LOGIN_PATH)
    button = page.get_by_role("button", name="Logga in med kommunens konto")
    expect(button).to_be_visible()
    expect(page.locator("#id_password")).to_be_visible()
    assert_accessible(page)

    button.click()
    page.wait_for_url(f"{sso.url}/oauth2/authorize?**")
    page.locator("input[name=sub]").fill("karin")
    with page.expect_navigation(url=live_server.url + "/"):
        page.get_by_role("button", name="Authorize", exact=True).click()

    expect(page.locator("h1")).to_have_text("Välkommen, Karin")
    section = page.get_by_role("region", name="Mina enheter", exact=True)
    expect(section.get_by_role("link", name="Österportskolan", exact=True)).to_be_visible()

    # Logging out ends SKA's session and goes on to the provider's logout, which sends her back.
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_url(f"{sso.url}/oauth2/end_session?**")
    with page.expect_navigation(url=live_server.url + LOGIN_PATH):
        page.get_by_role("button", name="End session").click()
    page.goto(live_server.url + "/")
    expect(page).to_have_url(f"{live_server.url}{LOGIN_PATH}?next=/")
