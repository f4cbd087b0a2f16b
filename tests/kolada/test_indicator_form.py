"""Choosing Kolada in the indicator form: searching key figures and units, saving, and the
messages when the choice is wrong or Kolada cannot be reached."""

import pytest
from django.urls import reverse

from ska.models import CheckIn, Indicator, KoladaSource
from tests.factories import UnitGoalFactory

OSTERPORT = "V15E129900001"


@pytest.fixture
def goal(org):
    org.municipality.code = "1299"
    org.municipality.save()
    return UnitGoalFactory(unit=org.unit)


def form_data(**extra):
    data = {
        "title": "Meritvärde åk 9", "source_kind": "kolada", "direction": "higher", "unit_of_measure": "poäng",
        "kpi_id": "N15505", "level": "ou", "ou_id": OSTERPORT, "gender": "T",
        "compare_municipality": "on", "group_id": "G124026", "compare_country": "on",
    }
    data.update(extra)
    return data


@pytest.mark.django_db(transaction=True)
def test_searching_key_figures_and_units_redraws_the_form_without_saving(goal, people, login, kolada_fake):
    client = login(people.rector)
    url = reverse("indicator_create", args=[goal.pk])
    page = client.post(url, {"source_kind": "kolada", "kpi_query": "meritvärde", "kolada_search_kpi": "1"}, HTTP_HX_REQUEST="true")
    text = page.content.decode()
    assert page.status_code == 200
    assert 'name="kolada_pick_kpi" value="N15505"' in text
    assert "N15419" not in text.split('class="search-hits"')[1].split("</ul>")[0]  # only what matches
    assert "errorlist" not in text  # nothing is checked before saving

    page = client.post(url, {"source_kind": "kolada", "kolada_pick_kpi": "N15505"}, HTTP_HX_REQUEST="true")
    text = page.content.decode()
    assert 'value="N15505"' in text and "meritvärde" in text.lower()  # the title is filled in from Kolada

    page = client.post(url, {"source_kind": "kolada", "ou_query": "löderup", "kolada_search_ou": "1"}, HTTP_HX_REQUEST="true")
    text = page.content.decode()
    assert 'name="kolada_pick_ou" value="V15E129900005"' in text
    assert "Österportskolan" not in text.split('class="search-hits"')[1]
    # The groups offered are Kolada's groups that hold the municipality.
    assert "Liknande kommuner grundskola, Ekvalla" in text and "Ystad" not in text
    assert not Indicator.objects.filter(goal=goal).exists()


@pytest.mark.django_db(transaction=True)
def test_saving_a_kolada_indicator_fetches_its_values(goal, people, login, kolada_fake, org):
    response = login(people.rector).post(reverse("indicator_create", args=[goal.pk]), form_data())
    assert response.status_code == 302
    indicator = Indicator.objects.get(goal=goal)
    source = KoladaSource.objects.get(indicator=indicator)
    assert (source.kpi_id, source.ou_id, source.ou_title, source.group_title) == (
        "N15505", OSTERPORT, "Österportskolan", "Liknande kommuner grundskola, Ekvalla")
    assert source.divided_by_gender and source.fetched_at is not None
    assert CheckIn.objects.filter(indicator=indicator, origin="kolada").count() == 7
    org.unit.refresh_from_db()
    assert org.unit.kolada_ou_id == OSTERPORT
    assert indicator.history.first().history_user == people.rector


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"kpi_id": "N99999"}, "kpi_id", "Kolada har inget nyckeltal med id N99999."),
        ({"kpi_id": ""}, "kpi_id", "Välj ett nyckeltal"),
        ({"ou_id": "V15E128600101"}, "ou_id", "Kolada har ingen enhet med id V15E128600101 i kommunen."),
        ({"kpi_id": "N15428"}, "level", "Kolada publicerar nyckeltalet bara för kommuner"),
        ({"kpi_id": "N15034", "gender": "K"}, "gender", "Kolada delar inte upp nyckeltalet på kön"),
        ({"kpi_id": "N15505/../x"}, "kpi_id", "Koladas id består av bokstäver och siffror"),
    ],
)
def test_a_wrong_choice_is_said_next_to_its_field_and_nothing_is_saved(goal, people, login, kolada_fake, extra, field, message):
    response = login(people.rector).post(reverse("indicator_create", args=[goal.pk]), form_data(**extra), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    text = response.content.decode()
    assert message in text
    assert f'id="kolada-{field}_error"' in text or f'kolada-{field}' in text.split(message)[0].rsplit("<div", 2)[-1] + text
    assert not Indicator.objects.filter(goal=goal).exists()


@pytest.mark.django_db(transaction=True)
def test_with_kolada_down_a_new_source_is_refused_with_a_message_but_other_edits_save(goal, people, login, kolada_fake):
    client = login(people.rector)
    client.post(reverse("indicator_create", args=[goal.pk]), form_data())
    indicator = Indicator.objects.get(goal=goal)
    kolada_fake.stop()

    other = client.post(reverse("indicator_create", args=[goal.pk]), form_data(title="Trygghet", kpi_id="N15613"),
                        HTTP_HX_REQUEST="true")
    assert "Kolada kunde inte nås just nu" in other.content.decode()
    assert Indicator.objects.filter(goal=goal).count() == 1

    # Editing the title of the existing Kolada indicator needs no answer from Kolada.
    edit = client.post(reverse("indicator_edit", args=[indicator.pk]),
                       form_data(title="Meritvärde i åk 9", version=indicator.version))
    assert edit.status_code == 302
    indicator.refresh_from_db()
    assert indicator.title == "Meritvärde i åk 9"
