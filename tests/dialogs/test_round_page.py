"""The round's page for its hosts at the size of a large administration: its lists of dialogues,
of those not booked and of times come a page at a time, with the round's totals, in as many
queries as for a round of two."""

import datetime
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dialogs.services import booking
from dialogs.services.rounds import counterparts_add

from ..factories import ProviderFactory, SlotFactory, UnitFactory

pytestmark = pytest.mark.django_db

ROUND_PAGE_SIZE = settings.SKA_PAGE_SIZE
EXTRA = ROUND_PAGE_SIZE + 5


def _section(html: str, section_id: str) -> str:
    """The HTML of the page's <section id=...>."""
    start = html.index(f'<section aria-labelledby="{section_id}-heading" id="{section_id}">')
    return html[start : html.index("</section>", start)]


def _grow(provider_round, org, people) -> None:
    """``EXTRA`` more providers in the round, none booked, and as many more times."""
    first = provider_round.slots[0]
    for n in range(EXTRA):
        provider = ProviderFactory(municipality=org.municipality, name=f"Extra {n:03}")
        UnitFactory(name=f"Extra enhet {n:03}", administration=None, provider=provider)
        counterparts_add(round_=provider_round.round, providers=[provider])
        SlotFactory(
            round=provider_round.round,
            starts_at=first.starts_at + datetime.timedelta(days=n + 1),
            ends_at=first.ends_at + datetime.timedelta(days=n + 1),
            hosts=[people.leadership],
        )


def test_round_page_takes_the_same_queries_for_a_round_of_two_and_of_many(provider_round, org, people, login):
    client = login(people.leadership)
    url = provider_round.round.get_absolute_url()
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _grow(provider_round, org, people)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    with CaptureQueriesContext(connection) as second_pages:
        client.get(url, {"sida_dialoger": 2, "sida_ej_bokade": 2, "sida_tider": 2})
    assert response.status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert len(second_pages) == len(few)


def test_round_page_lists_a_page_of_each_list_and_the_next_page_the_rest(provider_round, org, people, login):
    _grow(provider_round, org, people)
    client = login(people.leadership)
    url = provider_round.round.get_absolute_url()
    total = EXTRA + 2
    names = [provider_round.mine.counterpart_name, provider_round.theirs.counterpart_name] + [
        f"Extra {n:03}" for n in range(EXTRA)
    ]

    html = client.get(url).content.decode()
    dialogues = _section(html, "motparter")
    not_booked = _section(html, "ej-bokade")
    times = _section(html, "tider")
    # The totals are the whole round's, not the page's.
    assert f"Dialoger ({total})" in dialogues
    assert f"0 bokade, 0 genomförda, {total} inte bokade" in dialogues
    assert f"Inte bokade ({total})" in not_booked
    assert all(f">{name}</a>" in dialogues for name in names[:ROUND_PAGE_SIZE])
    assert not any(f">{name}</a>" in dialogues for name in names[ROUND_PAGE_SIZE:])
    assert len(re.findall(r"<time datetime=", times)) == ROUND_PAGE_SIZE
    assert len(re.findall(r'name="slot" id="assign-', not_booked)) == ROUND_PAGE_SIZE
    for section, param in ((dialogues, "sida_dialoger"), (not_booked, "sida_ej_bokade"), (times, "sida_tider")):
        assert 'class="pagination"' in section
        assert f"{param}=2#" in section and 'rel="next"' in section

    # Turning one list's page leaves the others on theirs.
    html = client.get(url, {"sida_dialoger": 2}).content.decode()
    dialogues = _section(html, "motparter")
    assert all(f">{name}</a>" in dialogues for name in names[ROUND_PAGE_SIZE:])
    assert not any(f">{name}</a>" in dialogues for name in names[:ROUND_PAGE_SIZE])
    assert 'rel="prev"' in dialogues and 'rel="next"' not in dialogues
    assert len(re.findall(r'name="slot" id="assign-', _section(html, "ej-bokade"))) == ROUND_PAGE_SIZE

    html = client.get(url, {"sida_tider": 2, "sida_ej_bokade": 2}).content.decode()
    assert len(re.findall(r"<time datetime=", _section(html, "tider"))) == EXTRA + 3 - ROUND_PAGE_SIZE
    assert len(re.findall(r'name="slot" id="assign-', _section(html, "ej-bokade"))) == total - ROUND_PAGE_SIZE
    # The link back keeps the other list's page.
    assert "sida_ej_bokade=2&amp;sida_tider=1#tider" in html


def test_a_small_round_has_no_page_links(provider_round, people, login):
    html = login(people.leadership).get(provider_round.round.get_absolute_url()).content.decode()
    assert 'class="pagination"' not in html
    assert "Dialoger (2)" in html and "0 bokade, 0 genomförda, 2 inte bokade" in html


def test_offered_slots_use_the_slots_already_fetched(provider_round, people):
    round_ = provider_round.round
    booking.dialogue_book(dialogue=provider_round.mine, slot=provider_round.slots[0], user=people.provider_contact)
    slots = list(booking.round_slots(round_))
    with CaptureQueriesContext(connection) as given:
        offered = booking.offered_slots(round_, slots=slots, by_host=True)
    assert offered == booking.offered_slots(round_, by_host=True)
    assert offered == provider_round.slots[1:]
    assert len(given) == 1  # the hosts' other bookings; the slots are not fetched again


def test_adding_to_the_round_is_a_page_of_its_own_with_messages_beside_the_fields(provider_round, org, people, login):
    """The choices (every unit and member of staff) are long: the round's page links to them."""
    client = login(people.leadership)
    round_ = provider_round.round
    url = reverse("dialogs:round_counterparts", args=[round_.pk])
    assert f'href="{url}"' in client.get(round_.get_absolute_url()).content.decode()
    assert 'name="group_members"' not in client.get(round_.get_absolute_url()).content.decode()
    page = client.get(url)
    assert page.status_code == 200 and 'name="role_group"' in page.content.decode()

    before = round_.dialogues.count()
    response = client.post(url, {"role_group": "Biträdande rektorer"})
    assert response.status_code == 422
    assert "Välj personerna i gruppen." in response.content.decode()
    assert round_.dialogues.count() == before

    response = client.post(url, {"role_group": "Biträdande rektorer", "group_members": [people.rector.pk]})
    assert response.status_code == 302 and response["Location"].endswith("#motparter")
    assert round_.dialogues.filter(role_group="Biträdande rektorer").exists()
