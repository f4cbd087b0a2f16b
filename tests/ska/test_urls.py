"""Every URL: anonymous visitors are sent to login (but for the public pages), and each
role reaches only what it may. A new URL fails these tests until it is added here."""

import re
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Pages that must work without login: logging in, resetting a password, the health check,
# and — because the law requires it to be reachable by anyone — the accessibility statement.
PUBLIC = {
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "healthz",
    "accessibility",
    "logout",  # POST only; logging out when not logged in does no harm
    # Single sign-on: the way in for people not yet logged in (404 unless configured).
    "oidc_authentication_init",
    "oidc_authentication_callback",
}
# Calendar feeds are fetched by calendar programs, which cannot log in: the private token in the
# address is the key (tested in tests/annualwheel/test_ical.py).
PUBLIC_IN_APPS = {("annualwheel", "feed")}


def _patterns(resolver=None, prefix="", namespace=None):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or namespace
            yield from _patterns(pattern, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), namespace, pattern.name


def _concrete(route: str) -> str:
    """A visitable path for a pattern, with sample values for its parameters."""
    path = re.sub(r"\(\?P<app_label>[^)]*\)", "ska", route)
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", path)
    path = re.sub(r"<int:\w+>|<path:\w+>", "1", path)
    path = re.sub(r"<(?:str:|slug:)?\w+>", "x", path)
    return "/" + path.replace("^", "").replace("$", "").replace("\\", "")


ALL = list(_patterns())


@pytest.mark.parametrize("route, namespace, name", ALL, ids=[r for r, _, _ in ALL])
def test_anonymous_visitors_are_sent_to_login(db, route, namespace, name):
    if (name in PUBLIC and not namespace) or (namespace, name) in PUBLIC_IN_APPS:
        return
    response = Client().get(_concrete(route), follow=True)
    assert response.redirect_chain, f"{route} answered without asking for login"
    assert response.request["PATH_INFO"] == reverse("login"), response.redirect_chain
    assert response.status_code == 200


def test_public_pages_answer_without_login(db):
    client = Client()
    for name in ["login", "password_reset", "password_reset_done", "password_reset_complete", "accessibility"]:
        assert client.get(reverse(name)).status_code == 200, name
    assert client.get(reverse("healthz")).status_code == 200
    assert client.get(reverse("password_reset_confirm", args=["MQ", "set-password"])).status_code == 200


ROLES = ["rector", "other_rector", "contributor", "leadership", "secretary", "member", "provider_contact", "sysadmin", "outsider"]


def _expect(default, **overrides):
    return {role: overrides.get(role, default) for role in ROLES}


# Those who keep the unit's chain: its rektor and contributor, förvaltningsledning, the administrator.
CHAIN_KEEPERS = _expect(404, rector=200, contributor=200, leadership=200, sysadmin=200)

# name -> (args from org, expected status per role)
MATRIX = {
    "start": (None, _expect(200)),
    "unit_list": (None, _expect(403, rector=200, other_rector=200, contributor=200, leadership=200, provider_contact=200, sysadmin=200)),
    "unit_detail": ("unit", _expect(404, rector=200, contributor=200, leadership=200, sysadmin=200)),
    "provider_list": (None, _expect(403, leadership=200, sysadmin=200)),
    "provider_detail": ("provider", _expect(404, leadership=200, provider_contact=200, sysadmin=200)),
    "accessibility": (None, _expect(200)),
    "my_account": (None, _expect(200)),
    "check_in_create": ((1,), _expect(405)),  # POST only; who may post is tested in test_chain_pages
    "chain_matrix": (None, _expect(403, leadership=200, sysadmin=200)),
    "goal_create": ("unit", CHAIN_KEEPERS),
    "goal_levels": (None, _expect(403, leadership=200, sysadmin=200)),
    "chain_settings": (None, _expect(403, leadership=200, sysadmin=200)),
    "levels_rollover": (None, _expect(403, leadership=200, sysadmin=200)),
    "unit_rollover": ("unit", CHAIN_KEEPERS),
    "goal_detail": ("chain.committee_goal", _expect(404, rector=200, other_rector=200, contributor=200, leadership=200,
                                                    secretary=200, member=200, sysadmin=200)),
    "level_goal_create": (("administration",), _expect(403, leadership=200, sysadmin=200)),
    "unit_export": ("unit", CHAIN_KEEPERS),
    "check_in_template": ("unit", CHAIN_KEEPERS),
    "check_in_import": ("unit", CHAIN_KEEPERS),
    "administration_export": (None, _expect(403, leadership=200, sysadmin=200)),
    "unit_analyses": ("unit", CHAIN_KEEPERS),
    "unit_curriculum": ("unit", CHAIN_KEEPERS),
    "curriculum_coverage": (None, _expect(403, leadership=200, sysadmin=200)),
    "administration_goal": ("chain.admin_goal", _expect(404, rector=403, other_rector=403, contributor=403, leadership=200, sysadmin=200)),
    "equity": ("chain.admin_goal", _expect(404, rector=403, other_rector=403, contributor=403, leadership=200, sysadmin=200)),
    "goal_edit": ("chain.goal", CHAIN_KEEPERS),
    "indicator_create": ("chain.goal", CHAIN_KEEPERS),
    "indicator_edit": ("chain.indicator", CHAIN_KEEPERS),
    "check_in_edit": ("chain.check_in", CHAIN_KEEPERS),
    # The indicator's block while a Kolada fetch runs: htmx only; a plain visit goes to the unit page.
    "kolada_status": ("chain.indicator", _expect(404, rector=302, contributor=302, leadership=302, sysadmin=302)),
    "kolada_refresh": ("chain.indicator", _expect(405)),  # POST only; who may is tested in tests/kolada
    "activity_create": ("chain.goal", CHAIN_KEEPERS),
    "activity_edit": ("chain.activity", CHAIN_KEEPERS),
    "follow_up_create": ("chain.activity", CHAIN_KEEPERS),
    "analysis_create": ("chain.goal", CHAIN_KEEPERS),
    "analysis_edit": ("chain.analysis", CHAIN_KEEPERS),
    "record_history": (("mal", "chain.goal"), CHAIN_KEEPERS),
    "record_delete": (("mal", "chain.goal"), _expect(405)),  # POST only
    "record_restore": (("mal", "chain.goal"), _expect(405)),
    "goal_continue": ("chain.goal", _expect(405)),  # POST only; who may is tested in test_chain_edit
    "goal_activate": ("chain.goal", _expect(405)),  # POST only; who may is tested in test_goal_lifecycle
    "goal_close": ("chain.goal", CHAIN_KEEPERS),
    "goal_reopen": ("chain.goal", _expect(405)),
    "development_area_to_goal": ((1,), _expect(405)),
    "password_change": (None, _expect(200)),
    "password_change_done": (None, _expect(200)),
    "login": (None, _expect(302)),  # already logged in: on to the start page
    "logout": (None, _expect(405)),  # POST only
    "password_reset": (None, _expect(200)),
    "password_reset_done": (None, _expect(200)),
    "password_reset_confirm": (("MQ", "set-password"), _expect(200)),
    "password_reset_complete": (None, _expect(200)),
    "set_language": (None, _expect(302)),
    "healthz": (None, _expect(200)),
    # Single sign-on is off in the tests' settings (tests/ska/test_oidc.py turns it on).
    "oidc_authentication_init": (None, _expect(404)),
    "oidc_authentication_callback": (None, _expect(404)),
}


def test_every_named_url_is_in_the_matrix():
    names = {name for _, namespace, name in ALL if name and not namespace}
    assert names == set(MATRIX), f"Add these to MATRIX: {names - set(MATRIX)}; remove: {set(MATRIX) - names}"


@pytest.fixture
def chain(org):
    from ska.models import Analysis

    from ..factories import ActivityFactory, CheckInFactory, IndicatorFactory, UnitGoalFactory

    goal = UnitGoalFactory(unit=org.unit, parent__administration=org.administration)
    from ska.models import Goal

    committee_goal = Goal.objects.create(level=Goal.Level.COMMITTEE, committee=org.committee, title="Nämndens mål",
                                         school_year=goal.school_year, start_term=goal.start_term, end_term=goal.end_term)
    return SimpleNamespace(
        committee_goal=committee_goal,
        admin_goal=goal.parent,
        goal=goal,
        indicator=(indicator := IndicatorFactory(goal=goal)),
        check_in=CheckInFactory(indicator=indicator),
        activity=ActivityFactory(goal=goal),
        analysis=Analysis.objects.create(goal=goal, term=goal.start_term),
    )


def _resolve(org, chain, name):
    return getattr(chain, name.split(".", 1)[1]) if name.startswith("chain.") else getattr(org, name)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_role_reaches_only_what_it_may(org, people, chain, login, name):
    target, expected = MATRIX[name]
    if isinstance(target, tuple):
        args = [_resolve(org, chain, a).pk if isinstance(a, str) and a.startswith("chain.") else a for a in target]
        url = reverse(name, args=args)
        target = None
    elif target:
        url = reverse(name, args=[_resolve(org, chain, target).pk])
    else:
        url = reverse(name)
    for role in ROLES:
        response = login(getattr(people, role)).get(url)
        assert response.status_code == expected[role], f"{role} on {url}: {response.status_code}"
        if response.status_code in (403, 404) and target:
            # Nothing of the object leaks into the refusal.
            obj = _resolve(org, chain, target)
            assert str(obj) not in response.content.decode()


def test_only_system_administrators_reach_the_admin(org, people, login):
    for role in ROLES:
        response = login(getattr(people, role)).get(reverse("admin:index"))
        assert response.status_code == (200 if role == "sysadmin" else 403), role
    admin = login(people.sysadmin)
    for model in ["unit", "user", "independentprovider", "roleassignment", "schoolform", "accessibilityreport"]:
        url = reverse(f"admin:ska_{model}_changelist") if model != "roleassignment" else None
        if url:
            assert admin.get(url).status_code == 200, model
    assert admin.get(reverse("admin:ska_unit_change", args=[org.unit.pk])).status_code == 200
    assert admin.get(reverse("admin:ska_unit_history", args=[org.unit.pk])).status_code == 200


def test_the_admin_deletes_nothing_that_is_on_record(org, people, login):
    admin = login(people.sysadmin)
    assert admin.get(reverse("admin:ska_unit_delete", args=[org.unit.pk])).status_code == 403
    assert admin.post(reverse("admin:ska_unit_delete", args=[org.unit.pk]), {"post": "yes"}).status_code == 403
    assert admin.get(reverse("admin:ska_user_delete", args=[people.rector.pk])).status_code == 403
