"""Pages with personal data stay out of caches: every response to a logged-in person says
``Cache-Control: no-store`` (so the back button does not show them after logout), and htmx keeps
no copies of pages in its history cache."""

import html
import json
import re

from django.contrib.auth import login as auth_login
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from ska.middleware import NoStoreForSignedInMiddleware
from ska.schoolyear import SchoolYear

from ..factories import IndicatorFactory, UnitGoalFactory


def test_pages_for_a_logged_in_person_are_not_stored(org, people, login):
    client = login(people.rector)
    for url in [reverse("start"), reverse("unit_detail", args=[org.unit.pk]), reverse("my_account")]:
        response = client.get(url)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"], url


def test_htmx_fragments_are_not_stored_either(org, people, login):
    year = SchoolYear.current()
    goal = UnitGoalFactory(unit=org.unit, school_year=year, start_term=year.autumn, end_term=year.spring)
    indicator = IndicatorFactory(goal=goal)
    response = login(people.rector).post(
        reverse("check_in_create", args=[indicator.pk]), {"value": "12"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200 and "<html" not in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def _through_the_middleware(user, view):
    """A request by ``user`` answered by ``view`` (which sets no caching of its own), through the
    middleware that marks answers to logged-in people."""
    request = RequestFactory().get("/")
    SessionMiddleware(lambda r: None).process_request(request)
    request.user = user
    if user.is_authenticated:
        auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return NoStoreForSignedInMiddleware(view)(request)


def _plain_page(request):
    return HttpResponse("<p>Personuppgifter</p>")


def test_an_answer_without_caching_of_its_own_is_not_stored(people):
    assert _through_the_middleware(people.rector, _plain_page)["Cache-Control"] == (
        "max-age=0, no-cache, no-store, must-revalidate, private"
    )
    assert "Cache-Control" not in _through_the_middleware(AnonymousUser(), _plain_page)


def test_the_answer_that_logs_a_person_out_is_not_stored(people):
    # Logged in when the request came, not when it is answered: the page was still theirs.
    def log_out(request):
        logout(request)
        assert not request.user.is_authenticated
        return _plain_page(request)

    assert "no-store" in _through_the_middleware(people.rector, log_out)["Cache-Control"]


def test_the_answer_that_logs_a_person_in_is_not_stored(people):
    def log_in(request):
        auth_login(request, people.rector, backend="django.contrib.auth.backends.ModelBackend")
        return _plain_page(request)

    assert "no-store" in _through_the_middleware(AnonymousUser(), log_in)["Cache-Control"]


def test_an_answer_that_chose_its_own_caching_keeps_it(people):
    def cached(request):
        response = _plain_page(request)
        response["Cache-Control"] = "private, max-age=300"
        return response

    assert _through_the_middleware(people.rector, cached)["Cache-Control"] == "private, max-age=300"


def test_htmx_keeps_no_history_cache(people, login):
    body = login(people.rector).get(reverse("start")).content.decode()
    meta = re.search(r"""<meta name="htmx-config" content='([^']+)'>""", body)
    assert meta, "the page has no htmx configuration"
    config = json.loads(html.unescape(meta.group(1)))
    assert config["historyCacheSize"] == 0
