"""With CSRF checks enforced (Django's test client skips them unless asked), every URL of the
project refuses a state-changing request without a token — from a plain form and from htmx — and
accepts it with the token that the pages hand to htmx.

Each URL pattern is found by walking the resolver, and a path is made up for it that matches the
pattern: Django checks the token before the view runs, so the objects need not exist.
"""

import logging
import re
import sre_constants
import sre_parse

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from ska.models import CheckIn

from ..factories import IndicatorFactory, UnitGoalFactory

# Views that accept a request without a token, each with the reason. Keep it empty if at all possible.
EXEMPT: dict[str, str] = {}

METHODS = ["post", "put", "patch", "delete"]
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/"}


def _sample(parsed) -> str:
    """A short string that the parsed regular expression matches."""
    out = []
    for op, arg in parsed:
        if op == sre_constants.LITERAL:
            out.append(chr(arg))
        elif op == sre_constants.NOT_LITERAL:
            out.append("x" if chr(arg) != "x" else "y")
        elif op == sre_constants.ANY:
            out.append("x")
        elif op == sre_constants.IN:
            out.append(_sample_in(arg))
        elif op == sre_constants.BRANCH:
            out.append(_sample(arg[1][0]))
        elif op == sre_constants.SUBPATTERN:
            out.append(_sample(arg[-1]))
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
            low, _high, item = arg
            out.append(_sample(item) * max(low, 1))
        elif op in (sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            continue
        else:
            raise AssertionError(f"Unexpected regular expression element {op}")
    return "".join(out)


def _sample_in(items) -> str:
    if items and items[0][0] == sre_constants.NEGATE:
        excluded = {chr(arg) for op, arg in items[1:] if op == sre_constants.LITERAL}
        return next(c for c in "x1a" if c not in excluded)
    op, arg = items[0]
    if op == sre_constants.LITERAL:
        return chr(arg)
    if op == sre_constants.RANGE:
        return "1" if arg[0] <= ord("1") <= arg[1] else chr(arg[0])
    if op == sre_constants.CATEGORY:
        return "1" if arg == sre_constants.CATEGORY_DIGIT else "x"
    raise AssertionError(f"Unexpected set element {op}")


def _patterns(resolver=None, prefix="", route=""):
    """(path, route, dotted name of the view) for every URL pattern of the project."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        part = _sample(sre_parse.parse(entry.pattern.regex.pattern))
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + part, _join(route, str(entry.pattern)))
        elif isinstance(entry, URLPattern):
            yield "/" + prefix + part, _join(route, str(entry.pattern)), entry.lookup_str


def _join(route: str, part: str) -> str:
    """Routes joined as Django's resolver joins them (``ResolverMatch.route``)."""
    return route + part.removeprefix("^") if route else part


ALL = sorted(set(_patterns()))
IDS = [path for path, _route, _view in ALL]


def test_the_walk_finds_every_part_of_the_project():
    paths = IDS
    for name, args in [("login", []), ("logout", []), ("check_in_import", [1]), ("chain_matrix", []),
                       ("admin:index", []), ("admin:ska_auditevent_changelist", [])]:
        assert reverse(name, args=args) in paths, name
    for prefix in ["/arshjul/", "/dialoger/", "/rapporter/", "/admin/ska/auditevent/"]:
        assert any(path.startswith(prefix) for path in paths), prefix
    assert len(ALL) > 100
    # Each made-up path reaches the pattern it was made for.
    for path, route, _view in ALL:
        assert resolve(path).route == route, (path, route)


@pytest.fixture
def csrf_client(people):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.sysadmin)
    return client


@pytest.mark.parametrize("path, route, view", ALL, ids=IDS)
def test_every_url_refuses_a_request_without_a_token(csrf_client, caplog, path, route, view):
    if view in EXEMPT:
        pytest.skip(EXEMPT[view])
    for method in METHODS:
        for headers in ({}, HTMX):
            caplog.clear()
            with caplog.at_level(logging.WARNING, logger="django.security.csrf"):
                response = getattr(csrf_client, method)(path, {}, **headers)
            assert response.status_code == 403, (method, path, headers, response.status_code)
            # Refused by the CSRF check, not by the view's own rules.
            assert any(r.name == "django.security.csrf" for r in caplog.records), (method, path, headers)


def _token(client, path="/") -> str:
    """The token as the page hands it to htmx: in hx-headers on <body>."""
    body = client.get(path).content.decode()
    match = re.search(r"""<body[^>]*hx-headers='\{"X-CSRFToken": "([^"]+)"\}'""", body)
    assert match, "the page gives htmx no token"
    return match.group(1)


def test_pages_hand_the_token_to_htmx_and_a_request_with_it_is_accepted(org, people, caplog):
    from ska.schoolyear import SchoolYear

    year = SchoolYear.current()
    goal = UnitGoalFactory(unit=org.unit, school_year=year, start_term=year.autumn, end_term=year.spring)
    indicator = IndicatorFactory(goal=goal)
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.rector)
    token = _token(client, reverse("unit_detail", args=[org.unit.pk]))
    url = reverse("check_in_create", args=[indicator.pk])
    data = {"value": "42"}

    without = client.post(url, data, **HTMX)
    assert without.status_code == 403 and not CheckIn.objects.exists()

    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="django.security.csrf"):
        response = client.post(url, data, HTTP_X_CSRFTOKEN=token, **HTMX)
    assert response.status_code == 200 and not any(r.name == "django.security.csrf" for r in caplog.records)
    assert CheckIn.objects.get(indicator=indicator).value == 42


@pytest.mark.parametrize("name, data", [
    ("set_language", {"language": "en", "next": "/"}),
    ("logout", {}),
])
def test_forms_with_the_token_are_accepted(people, name, data):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.rector)
    token = _token(client)
    assert client.post(reverse(name), data).status_code == 403
    response = client.post(reverse(name), {**data, "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_the_admin_accepts_a_change_with_the_token(people, org):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.sysadmin)
    token = _token(client)
    url = reverse("admin:ska_municipality_change", args=[org.municipality.pk])
    data = {"name": "Nytt namn", "code": "", "suppression_threshold": "10"}
    assert client.post(url, data).status_code == 403
    response = client.post(url, {**data, "csrfmiddlewaretoken": token})
    assert response.status_code in (200, 302)
    assert response.status_code != 403
