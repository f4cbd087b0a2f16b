"""The huvudman's own follow-up: administration-wide and committee goals carry indicators,
insatser written as Syfte / Mål / Åtgärder per school form, follow-ups and analyses, with the
same forms, history and suppression as a unit's chain, read back on the goal's page."""

import pytest
from django.urls import reverse

from ska.models import Activity, ActivityFollowUp, Analysis, CheckIn, Goal, Indicator, SchoolForm
from ska.schoolyear import SchoolYear

from ..factories import AdministrationGoalFactory

YEAR = SchoolYear(2026)
PERIOD = {"school_year": YEAR, "start_term": YEAR.autumn, "end_term": YEAR.spring}


@pytest.fixture
def admin_goal(org):
    return AdministrationGoalFactory(administration=org.administration, title="Fler elever når kunskapskraven", **PERIOD)


def test_the_administration_follows_up_its_own_goal_through_the_forms(org, people, login, admin_goal):
    client = login(people.leadership)
    response = client.post(reverse("indicator_create", args=[admin_goal.pk]), {
        "title": "Andel elever i åk 9 behöriga till gymnasiet", "source_kind": "existing", "unit_of_measure": "%",
        "direction": "higher", "baseline_value": "84", "target_value": "90",
    })
    assert response.status_code == 302 and response["Location"] == reverse("administration_goal", args=[admin_goal.pk])
    indicator = Indicator.objects.get(goal=admin_goal)
    assert not indicator.administration_wide
    client.post(reverse("check_in_create", args=[indicator.pk]), {"value": "86,5", "group_size": "412"})
    client.post(reverse("check_in_create", args=[indicator.pk]), {"value": "88", "group_size": "5", "date": "2026-11-30"})
    grundskola = SchoolForm.objects.get(code="grundskola")
    client.post(reverse("activity_create", args=[admin_goal.pk]), {
        "title": "Språkutvecklande arbetssätt", "school_form": grundskola.pk,
        "purpose": "Alla elever ska få stöd i skolspråket.", "aim": "Fler elever klarar svenska i åk 6.",
        "actions": "Fortbildning för alla lärare.\nHandledning av förstelärare.", "status": "ongoing",
        "indicators": [indicator.pk],
    })
    activity = Activity.objects.get(goal=admin_goal)
    client.post(reverse("follow_up_create", args=[activity.pk]), {
        "date": "2026-12-01", "process_data": "Alla skolor har startat sina lärgrupper.", "on_track": "yes",
        "comment": "Följ upp i ledarforum i februari.",
    })
    response = client.post(reverse("analysis_create", args=[admin_goal.pk]), {
        "term": YEAR.autumn.code, "results": "Behörigheten ökar på alla skolor utom en.",
        "causes": "Tidiga insatser i läsning.", "activity_effect": "Lärgrupperna har kommit i gång.", "attainment": "2",
        f"validity-{indicator.pk}-reliability": "Skolverkets statistik, hög tillförlitlighet.",
        f"validity-{indicator.pk}-measures_intended": "Ja.",
        f"validity-{indicator.pk}-reflects_reality": "Ja, stämmer med betygen.",
    })
    assert response.status_code == 302
    assert Analysis.objects.get(goal=admin_goal).validity_reviews.count() == 1
    assert ActivityFollowUp.objects.filter(activity=activity).count() == 1

    page = client.get(reverse("administration_goal", args=[admin_goal.pk])).content.decode()
    for text in ("Förvaltningens egen uppföljning", "Andel elever i åk 9 behöriga till gymnasiet", "86,5",
                 "Språkutvecklande arbetssätt", "Grundskola", "Fortbildning för alla lärare.<br>Handledning av förstelärare.",
                 "Alla skolor har startat sina lärgrupper.", "Följ upp i ledarforum i februari.",
                 "Behörigheten ökar på alla skolor utom en.", "Skolverkets statistik, hög tillförlitlighet."):
        assert text in page, text
    assert "88" not in page.split("Förvaltningens egen uppföljning")[1].split("Andel elever i åk 9")[1][:2000]
    assert CheckIn.objects.filter(indicator=indicator).count() == 2
    assert indicator.history.first().history_user == people.leadership


def test_a_rektor_reads_the_administrations_goal_but_does_not_keep_it(org, people, login, admin_goal):
    client = login(people.rector)
    assert client.get(reverse("indicator_create", args=[admin_goal.pk])).status_code == 403
    assert client.post(reverse("activity_create", args=[admin_goal.pk]), {"title": "x", "status": "planned"}).status_code == 403
    assert not Activity.objects.filter(goal=admin_goal).exists()


def test_a_committee_goal_has_its_own_page_and_follow_up(org, people, login, admin_goal):
    committee_goal = Goal.objects.create(level=Goal.Level.COMMITTEE, committee=org.committee,
                                         title="Alla barn och elever utvecklas så långt som möjligt", **PERIOD)
    admin_goal.parent = committee_goal
    admin_goal.save()
    client = login(people.leadership)
    client.post(reverse("analysis_create", args=[committee_goal.pk]), {
        "term": YEAR.autumn.code, "results": "Nämndens mål följs upp i delårsrapporten.", "attainment": "3",
    })
    page = client.get(reverse("goal_detail", args=[committee_goal.pk])).content.decode()
    assert "Nämndens mål följs upp i delårsrapporten." in page and admin_goal.title in page
    secretary = login(people.secretary).get(reverse("goal_detail", args=[committee_goal.pk]))
    assert secretary.status_code == 200 and "Nämndens mål följs upp i delårsrapporten." in secretary.content.decode()
    assert "Följ upp och analysera" not in secretary.content.decode()  # seen, not kept
    levels = client.get(reverse("goal_levels"), {"lasar": 2026}).content.decode()
    assert reverse("goal_detail", args=[committee_goal.pk]) in levels
