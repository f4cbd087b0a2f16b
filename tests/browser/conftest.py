"""Browser tests: the system's Chromium driven by Playwright against pytest-django's live server.

Playwright never downloads a browser here: it launches the Chromium that the system has
(``SKA_CHROMIUM`` or ``chromium`` on the PATH; ``make chromium`` installs it). Without one
every browser test fails with a message saying so, unless ``SKA_SKIP_BROWSER_TESTS=1`` asks
for them to be skipped (the reason then shows in the summary, as ``-ra`` is on).
"""

from __future__ import annotations

import os
import shutil
from types import SimpleNamespace

import pytest

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LOGIN_PATH = "/konto/logga-in/"


def find_chromium() -> str | None:
    configured = os.environ.get("SKA_CHROMIUM")
    if configured:
        return shutil.which(configured) or (configured if os.access(configured, os.X_OK) else None)
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


# Package scope, not session: one browser for the whole browser suite, stopped as soon as the
# suite is done. Playwright's sync API keeps an asyncio loop registered as *running* on the test
# thread for as long as it lives, and Django then refuses every ORM call made in this process
# (SynchronousOnlyOperation) unless DJANGO_ALLOW_ASYNC_UNSAFE is set. Kept alive for the rest of
# the session, it would force that variable on every later test, and into the subprocesses they
# start (`manage.py check --deploy` then fails with async.E001).
@pytest.fixture(scope="package")
def _allow_orm_beside_playwright():
    """Lets the tests and fixtures use the ORM (seeding, the flush between tests) while
    Playwright runs. No async code touches the ORM here; the live server answers in its own
    thread."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def browser(_allow_orm_beside_playwright):
    """One Chromium for all the browser tests; each test gets its own context (see ``page``)."""
    if os.environ.get("SKA_SKIP_BROWSER_TESTS") == "1":
        pytest.skip("browser tests skipped because SKA_SKIP_BROWSER_TESTS=1")
    executable = find_chromium()
    if executable is None:
        pytest.fail(
            "No Chromium found for the browser tests. Install it (e.g. `apt-get install chromium`, "
            "or `make chromium`), or set SKA_CHROMIUM to its path. To skip these tests on purpose, "
            "set SKA_SKIP_BROWSER_TESTS=1.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
    except Exception as error:
        playwright.stop()
        pytest.fail(f"Chromium at {executable} would not start for the browser tests: {error}", pytrace=False)
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def page(browser):
    """A fresh context (no cookies) per test, in Swedish, with uncaught script errors and
    Content-Security-Policy violations failing the test."""
    context = browser.new_context(locale="sv-SE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10000)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"uncaught script error: {error}"))
    page.on(
        "console",
        lambda message: problems.append(f"console: {message.text}")
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text
        else None,
    )
    yield page
    context.close()
    if problems:
        pytest.fail("The page reported problems:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture
def demo(transactional_db):
    """Ekvalla kommun, the demo municipality, in the test database.

    The live server answers from another thread (another connection), so the data has to be
    committed: hence ``transactional_db``. Between such tests pytest-django empties every
    table, which also removes the school forms that a data migration put there, so they are
    put back first, by the migration's own function."""
    from ska.demo import PEOPLE, seed_demo
    from ska.models import IndependentProvider, Unit

    seed_demo()  # puts the reference data (school forms, curriculum areas) back first
    return SimpleNamespace(
        people={person.username: person for person in PEOPLE},
        units=dict(Unit.objects.values_list("name", "pk")),
        providers=dict(IndependentProvider.objects.values_list("name", "pk")),
    )


def login(page, live_server, username: str, password: str = "ska-demo"):
    """Log in through the login form, by field ids (robust to translation); returns the
    response to the form's submission (after redirects)."""
    page.goto(live_server.url + LOGIN_PATH)
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    form = page.locator("main form").filter(has=page.locator("#id_password"))
    with page.expect_navigation() as navigation:
        form.locator("button[type=submit]").click()
    return navigation.value


def _describe_violations(violations: list[dict]) -> str:
    lines = [f"{len(violations)} accessibility violation(s) found by axe:"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation.get('impact') or 'no impact given'}): {violation['help']}"
            f"  [{violation.get('helpUrl', '')}]"
        )
        for node in violation["nodes"]:
            target = ", ".join(str(t) for t in node.get("target", []))
            lines.append(f"    at {target}")
            lines.append(f"       {node.get('html', '').strip()}")
            summary = (node.get("failureSummary") or "").strip().replace("\n", "\n         ")
            if summary:
                lines.append(f"       {summary}")
    return "\n".join(lines)


def assert_accessible(page, context=None):
    """Run axe-core (WCAG 2.0 and 2.1, levels A and AA) on the page as it is now.

    axe is injected with ``page.evaluate``, which goes through the DevTools protocol and is
    not subject to the page's Content-Security-Policy, so the contexts need no ``bypass_csp``
    and the policy stays in force for everything the app itself does."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, context=context, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    violations = results.response["violations"]
    assert not violations, f"{page.url}\n" + _describe_violations(violations)
