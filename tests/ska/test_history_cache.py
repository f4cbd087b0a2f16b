"""Pages with personal data stay out of caches: every response to a logged-in person says
``Cache-Control: no-store`` (so the back button does not show them after logout), and htmx keeps
no copies of pages in its history cache."""

import html
import json
import re

from django.urls import reverse

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


def test_the_logout_answer_is_not_stored(people, login):
    client = login(people.rector)
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and "no-store" in response["Cache-Control"]


def test_htmx_keeps_no_history_cache(people, login):
    body = login(people.rector).get(reverse("start")).content.decode()
    meta = re.search(r"""<meta name="htmx-config" content='([^']+)'>""", body)
    assert meta, "the page has no htmx configuration"
    config = json.loads(html.unescape(meta.group(1)))
    assert config["historyCacheSize"] == 0
