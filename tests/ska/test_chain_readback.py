"""Reading the goal chain back without opening a form: the goal card (goal facts, activities
with their follow-ups, analyses in full), a unit's Analyser page, the administration-wide goal's
page with every unit's analysis of a term, and curriculum coverage; who may see them, and that
their query counts do not grow with the data."""

import datetime
import re

import pytest
from django.db import connection
from django.test.html import parse_html
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ska.models import (
    ActivityFollowUp,
    Analysis,
    CurriculumArea,
    DevelopmentArea,
    Goal,
    ValidityReview,
)
from ska.schoolyear import SchoolYear

from ..factories import ActivityFactory, AdministrationGoalFactory, CheckInFactory, IndicatorFactory, UnitFactory, UnitGoalFactory


@pytest.fixture
def year():
    return SchoolYear.current()


@pytest.fixture
def admin_goal(org, year):
    return AdministrationGoalFactory(administration=org.administration, school_year=year, start_term=year.autumn,
                                     end_term=year.spring, title="Trygghet och studiero")


@pytest.fixture
def goal(org, year, admin_goal):
    return UnitGoalFactory(unit=org.unit, parent=admin_goal, school_year=year, start_term=year.autumn,
                           end_term=year.spring, title="Ökad studiero")


def areas(*codes):
    return list(CurriculumArea.objects.filter(code__in=codes))


def assert_well_formed(body: str):
    """Tags nest and close, ids are unique, and headings go down one level at a time."""
    parse_html(body)  # raises on an unexpected end tag
    ids = re.findall(r'\sid="([^"]+)"', body)
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]
    levels = [int(n) for n in re.findall(r"<h([1-6])[\s>]", body)]
    assert levels and levels[0] == 1
    for before, after in zip(levels, levels[1:]):
        assert after <= before + 1, f"heading h{after} follows h{before}"


def between(body: str, start: str, end: str) -> str:
    """The part of the page from ``start`` to the first ``end`` after it."""
    begin = body.index(start)
    return body[begin:body.index(end, begin)]


def page(client, name, *args, **params):
    response = client.get(reverse(name, args=args), params)
    assert response.status_code == 200
    return response.content.decode()


# --- The goal card -------------------------------------------------------------------
def test_the_goal_card_shows_expected_effects_origin_and_curriculum_areas_by_kind(org, people, login, goal):
    goal.expected_effects = "Fler elever upplever arbetsro.\nFärre ordningsstörningar."
    goal.origin = Goal.Origin.SHORTFALL
    goal.save()
    goal.curriculum_areas.set(areas("normer-och-varden", "kunskaper", "larmiljo"))
    body = page(login(people.rector), "unit_detail", org.unit.pk)
    assert_well_formed(body)
    card = between(body, f'id="goal-{goal.pk}"', "</article>")
    assert "Fler elever upplever arbetsro.<br>Färre ordningsstörningar." in card
    assert "<dt>Ursprung</dt><dd>Identifierad brist</dd>" in card
    curriculum = between(card, "<dt>Läroplanens områden</dt>", "</div>")
    conditions = between(card, "<dt>Förutsättningar</dt>", "</div>")
    assert "Normer och värden" in curriculum and "Kunskaper" in curriculum and "Lärmiljö" not in curriculum
    assert "Lärmiljö" in conditions and "Kunskaper" not in conditions


def test_an_activity_shows_what_it_is_and_every_follow_up_in_full(org, people, login, goal):
    indicator = IndicatorFactory(goal=goal, title="Arbetsro enligt elevenkäten")
    IndicatorFactory(goal=goal, title="Antal incidentrapporter")
    activity = ActivityFactory(goal=goal, title="Gemensamma lektionsstarter", purpose="Lugn start på varje lektion.",
                               aim="Alla lektioner startar likadant.", owner="Arbetslag 7–9",
                               start=datetime.date(2025, 8, 20), end=datetime.date(2026, 6, 10))
    activity.indicators.add(indicator)
    ActivityFollowUp.objects.create(activity=activity, date=datetime.date(2025, 10, 1), on_track="no",
                                    process_data="Bara två klasser hade börjat.", comment="Introducera i arbetslagen.")
    ActivityFollowUp.objects.create(activity=activity, date=datetime.date(2025, 12, 6), on_track="partly",
                                    process_data="Alla klasser börjar likadant.\n<script>alert(1)</script>",
                                    comment="Följ upp i januari.")
    body = page(login(people.rector), "unit_detail", org.unit.pk)
    assert_well_formed(body)
    block = between(body, f'id="activity-{activity.pk}"', "</li>\n")
    for text in ["Lugn start på varje lektion.", "Alla lektioner startar likadant.", "Arbetslag 7–9",
                 "20 augusti 2025 – 10 juni 2026"]:
        assert text in block, text
    linked = between(block, "<dt>Indikatorer som aktiviteten ska påverka</dt>", "</dd>")
    assert "Arbetsro enligt elevenkäten" in linked and "Antal incidentrapporter" not in linked
    # The latest follow-up is read at once; the earlier one is folded away but on the page.
    latest, earlier = block.split("<details", 1)
    assert "Följdes upp 6 december 2025: Delvis på rätt väg" in latest
    assert "Alla klasser börjar likadant.<br>&lt;script&gt;alert(1)&lt;/script&gt;" in latest
    assert "<script>alert(1)" not in body
    assert "Följ upp i januari." in latest and "Bara två klasser" not in latest
    assert "1 tidigare uppföljning" in earlier
    assert "Följdes upp 1 oktober 2025: Inte på rätt väg" in earlier and "Introducera i arbetslagen." in earlier


def test_an_analysis_shows_its_whole_text_and_each_indicators_validity(org, people, login, goal, year):
    reviewed = IndicatorFactory(goal=goal, title="Arbetsro enligt elevenkäten")
    IndicatorFactory(goal=goal, title="Antal incidentrapporter")  # added after the analysis, never reviewed
    older = Analysis.objects.create(goal=goal, term=year.autumn, results="Höstens resultat.", attainment=2)
    latest = Analysis.objects.create(
        goal=goal, term=year.spring, results="Arbetsron ökade.\nMest i åk 8.", causes="Tydligare lektionsstarter.",
        participants=["teachers", "pupils"], activity_effect="Starterna gav lugn.", attainment=3,
    )
    ValidityReview.objects.create(analysis=latest, indicator=reviewed, reliability="Hög svarsfrekvens.",
                                  measures_intended="", reflects_reality="Stämmer med lärarnas bild.")
    removed = IndicatorFactory(goal=goal, title="Andel lugna lektioner")
    ValidityReview.objects.create(analysis=latest, indicator=removed, reliability="Självskattning.")
    removed.deleted_at = timezone.now()
    removed.save()
    DevelopmentArea.objects.create(analysis=latest, title="Rastaktiviteter", description="Fler vuxna ute.")
    body = page(login(people.rector), "unit_detail", org.unit.pk)
    assert_well_formed(body)
    card = between(body, f'id="goal-{goal.pk}"', "</article>")
    shown, folded = card.split(f'id="analysis-{older.pk}"', 1)
    shown = shown[shown.index(f'id="analysis-{latest.pk}"'):]
    for text in ["I hög grad uppnått", "Lärare och övrig personal, Barn och elever", "Arbetsron ökade.<br>Mest i åk 8.",
                 "Tydligare lektionsstarter.", "Starterna gav lugn.", "Rastaktiviteter", "Fler vuxna ute."]:
        assert text in shown, text
    review = between(shown, "<strong>Arbetsro enligt elevenkäten</strong>", "</dl>")
    assert "<dt>Hur tillförlitliga är de data som indikatorn använder?</dt><dd>Hög svarsfrekvens.</dd>" in review
    assert "<dt>Mäter indikatorn det den är avsedd att mäta?</dt><dd><span class=\"gap\">Inte besvarad.</span>" in review
    assert "<dt>Speglar den den verkliga situationen?</dt><dd>Stämmer med lärarnas bild.</dd>" in review
    assert "Indikatorns validitet granskades inte i den här analysen." in between(shown, "<strong>Antal incidentrapporter</strong>", "</div>")
    gone = between(shown, "<strong>Andel lugna lektioner</strong>", "</div>")
    assert "(indikatorn borttagen)" in gone and "Självskattning." in gone
    # The older term is folded into a <details>, its text still on the page.
    assert shown.rstrip().endswith("<details class=\"analysis earlier\"")
    assert f"{year.autumn}: Delvis uppnått" in folded and "Höstens resultat." in folded


def test_the_unit_page_runs_the_same_queries_for_a_small_and_a_large_chain_read_back(org, people, login, goal, year):
    tags = areas("kunskaper", "larmiljo")

    def build(goal, n):
        goal.curriculum_areas.set(tags)
        indicators = [IndicatorFactory(goal=goal) for _ in range(n)]
        for indicator in indicators:
            CheckInFactory(indicator=indicator)
            activity = ActivityFactory(goal=goal, purpose="Syfte", aim="Mål")
            activity.indicators.add(indicator)
            for day in (1, 2):
                ActivityFollowUp.objects.create(activity=activity, date=datetime.date(2025, 10, day), on_track="yes",
                                                process_data="Processdata")
        for term in year.terms[:1 if n == 1 else 2]:
            analysis = Analysis.objects.create(goal=goal, term=term, results="R", attainment=3)
            for indicator in indicators:
                ValidityReview.objects.create(analysis=analysis, indicator=indicator, reliability="Ja")
            DevelopmentArea.objects.create(analysis=analysis, title="Område")

    def queries():
        client = login(people.rector)
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse("unit_detail", args=[org.unit.pk])).status_code == 200
        return len(context.captured_queries)

    build(goal, 1)
    small = queries()
    for _ in range(5):
        build(UnitGoalFactory(unit=org.unit, parent=goal.parent, school_year=year, start_term=year.autumn,
                              end_term=year.spring), 3)
    assert queries() == small


# --- The unit's Analyser page ------------------------------------------------------------
@pytest.fixture
def analysed(org, goal, year):
    """Two goals of the unit, one analysed in both terms and one only in the autumn; another
    unit's analysis of the same term."""
    indicator = IndicatorFactory(goal=goal, title="Arbetsro enligt elevenkäten")
    autumn = Analysis.objects.create(goal=goal, term=year.autumn, results="Höstens resultat för studiero.",
                                     causes="Höstens orsaker.", attainment=2)
    ValidityReview.objects.create(analysis=autumn, indicator=indicator, reliability="Tillförlitliga data.",
                                  measures_intended="Ja.", reflects_reality="")
    spring = Analysis.objects.create(goal=goal, term=year.spring, results="Vårens resultat för studiero.", attainment=3)
    reading = UnitGoalFactory(unit=org.unit, parent__administration=org.administration, parent__school_year=year,
                              school_year=year, start_term=year.autumn, end_term=year.spring, title="Fler läser med flyt")
    Analysis.objects.create(goal=reading, term=year.autumn, results="Läsningen i höstas.", activity_effect="Boksamtalen hjälpte.")
    other = UnitGoalFactory(unit=org.other_unit, parent=goal.parent, school_year=year, start_term=year.autumn,
                            end_term=year.spring, title="Västervångs mål")
    Analysis.objects.create(goal=other, term=year.autumn, results="Västervångs hemliga resultat.")
    return {"autumn": autumn, "spring": spring, "reading": reading}


def test_the_analyser_page_shows_the_latest_analysed_term_in_full_per_goal(org, people, login, goal, year, analysed):
    client = login(people.rector)
    unit_page = page(client, "unit_detail", org.unit.pk)
    assert f'href="{reverse("unit_analyses", args=[org.unit.pk])}"' in unit_page
    body = page(client, "unit_analyses", org.unit.pk)
    assert_well_formed(body)
    # The latest term with analyses, and every goal running in it.
    assert f'<option value="VT{year.spring.year}" selected>' in body
    assert "Vårens resultat för studiero." in body and "Höstens resultat för studiero." not in body
    assert "1 av 2 mål analyserade för terminen" in body
    reading = between(body, f'id="goal-{analysed["reading"].pk}"', "</article>")
    assert f"Inte uppföljt och analyserat för {year.spring}." in reading


def test_the_analyser_page_reads_the_chosen_term(org, people, login, goal, year, analysed):
    body = page(login(people.rector), "unit_analyses", org.unit.pk, termin=f"HT{year.autumn.year}")
    assert_well_formed(body)
    studiero = between(body, f'id="goal-{goal.pk}"', "</article>")
    for text in ["Höstens resultat för studiero.", "Höstens orsaker.", "Delvis uppnått", "Tillförlitliga data.",
                 "<dt>Speglar den den verkliga situationen?</dt><dd><span class=\"gap\">Inte besvarad.</span>"]:
        assert text in studiero, text
    reading = between(body, f'id="goal-{analysed["reading"].pk}"', "</article>")
    assert "Läsningen i höstas." in reading and "Boksamtalen hjälpte." in reading
    assert "2 av 2 mål analyserade" in body
    assert "Västervång" not in body  # another unit's analysis of the same term
    # A term nobody could mean falls back to the default.
    for nonsense in ["HT\x00 99999", "HT2201", "VT1990", "x" * 500]:
        assert "Vårens resultat" in page(login(people.rector), "unit_analyses", org.unit.pk, termin=nonsense)


def test_the_analyser_page_is_for_those_who_see_the_units_chain(org, people, login, analysed):
    url = reverse("unit_analyses", args=[org.unit.pk])
    assert login(people.leadership).get(url).status_code == 200
    for person in (people.other_rector, people.secretary, people.provider_contact, people.outsider):
        response = login(person).get(url)
        assert response.status_code == 404 and "studiero" not in response.content.decode()
    # A provider's contact sees their own unit, but it has no chain in the municipality's.
    assert login(people.provider_contact).get(reverse("unit_analyses", args=[org.provider_unit.pk])).status_code == 404
    assert login(people.provider_contact).get(reverse("unit_curriculum", args=[org.provider_unit.pk])).status_code == 404


def test_the_analyser_page_runs_the_same_queries_for_one_analysis_as_for_six(org, people, login, goal, year):
    def queries():
        client = login(people.rector)
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse("unit_analyses", args=[org.unit.pk]), {"termin": f"HT{year.autumn.year}"}).status_code == 200
        return len(context.captured_queries)

    def analyse(goal):
        indicator, removed = IndicatorFactory(goal=goal), IndicatorFactory(goal=goal)
        analysis = Analysis.objects.create(goal=goal, term=year.autumn, results="R")
        for reviewed in (indicator, removed):
            ValidityReview.objects.create(analysis=analysis, indicator=reviewed, reliability="Ja")
        DevelopmentArea.objects.create(analysis=analysis, title="Område")
        removed.deleted_at = timezone.now()  # its review is still shown, under its title
        removed.save()

    analyse(goal)
    one = queries()
    for _ in range(5):
        analyse(UnitGoalFactory(unit=org.unit, parent=goal.parent, school_year=year, start_term=year.autumn,
                                end_term=year.spring))
    assert Analysis.objects.filter(goal__unit=org.unit).count() == 6
    assert queries() == one


# --- The administration-wide goal's page ----------------------------------------------------
def _unit_goal_with_analysis(admin_goal, year, name, forms, attainment, results):
    unit = UnitFactory(name=name, administration=admin_goal.administration, forms=forms)
    unit_goal = UnitGoalFactory(unit=unit, parent=admin_goal, school_year=year, start_term=year.autumn,
                                end_term=year.spring, title=f"Mål för {name}")
    indicator = IndicatorFactory(goal=unit_goal, title=f"Indikator för {name}")
    if results:
        analysis = Analysis.objects.create(goal=unit_goal, term=year.autumn, results=results, causes=f"Orsaker {name}.",
                                           activity_effect=f"Effekt {name}.", attainment=attainment)
        ValidityReview.objects.create(analysis=analysis, indicator=indicator, reliability=f"Data {name}.",
                                      measures_intended="Ja.", reflects_reality="I stort.")
    return unit_goal


def test_the_administration_goal_page_shows_every_units_analysis_of_the_term(org, people, login, admin_goal, year):
    _unit_goal_with_analysis(admin_goal, year, "Alfaskolan", ["grundskola"], 4, "Alfas resultat.")
    _unit_goal_with_analysis(admin_goal, year, "Betaförskolan", ["forskola"], 2, "Betas resultat.")
    _unit_goal_with_analysis(admin_goal, year, "Gammaskolan", ["grundskola"], None, None)
    client = login(people.leadership)
    body = page(client, "administration_goal", admin_goal.pk)
    assert_well_formed(body)
    assert f'<option value="HT{year.autumn.year}" selected>' in body
    alfa = between(body, "Alfaskolan</a>", "</article>")
    for text in ["Alfas resultat.", "Orsaker Alfaskolan.", "Effekt Alfaskolan.", "Uppnått", "Data Alfaskolan."]:
        assert text in alfa, text
    assert "Betas resultat." in between(body, "Betaförskolan</a>", "</article>")
    assert f"Inte uppföljt och analyserat för {year.autumn}." in between(body, "Gammaskolan</a>", "</article>")
    summary = between(body, '<table class="attainment-summary">', "</table>")
    for label, n in [("Uppnått", 1), ("I hög grad uppnått", 0), ("Delvis uppnått", 1), ("Inte analyserat", 1)]:
        assert f'<th scope="row">{label}</th><td>{n}</td>' in summary, label

    preschools = page(client, "administration_goal", admin_goal.pk, skolform="forskola")
    assert "Betas resultat." in preschools and "Alfas resultat." not in preschools
    assert "1 enhetsmål under målet" in preschools
    assert "Alfas resultat." in page(client, "administration_goal", admin_goal.pk, termin="HT2201", skolform="x" * 99)
    spring = page(client, "administration_goal", admin_goal.pk, termin=f"VT{year.spring.year}")
    assert "Alfas resultat." not in spring and f"Inte uppföljt och analyserat för {year.spring}." in spring


def test_the_administration_goal_page_is_paginated(org, people, login, admin_goal, year, settings):
    settings.SKA_PAGE_SIZE = 2
    for name in ["Alfaskolan", "Betaskolan", "Gammaskolan"]:
        _unit_goal_with_analysis(admin_goal, year, name, ["grundskola"], 3, f"Resultat {name}.")
    client = login(people.leadership)
    first = page(client, "administration_goal", admin_goal.pk)
    assert "Resultat Alfaskolan." in first and "Resultat Gammaskolan." not in first
    second = page(client, "administration_goal", admin_goal.pk, sida=2)
    assert "Resultat Gammaskolan." in second and "Resultat Alfaskolan." not in second
    # The summary counts every unit goal, not only the page's.
    assert '<th scope="row">I hög grad uppnått</th><td>3</td>' in second


def test_the_administration_goal_page_runs_the_same_queries_for_2_units_as_for_12(org, people, login, admin_goal, year):
    def queries(**params):
        client = login(people.leadership)
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse("administration_goal", args=[admin_goal.pk]), params).status_code == 200
        return len(context.captured_queries)

    def units(start, n):
        for i in range(start, start + n):
            unit_goal = _unit_goal_with_analysis(admin_goal, year, f"Skola {i:02d}", ["grundskola"], 3, "Resultat.")
            unit_goal.activities.create(title="Aktivitet")
            DevelopmentArea.objects.create(analysis=unit_goal.analyses.get(), title="Område")

    units(0, 2)
    two, two_filtered = queries(), queries(skolform="grundskola")
    units(2, 10)
    assert queries() == two and queries(skolform="grundskola") == two_filtered


# --- Curriculum coverage --------------------------------------------------------------------
def test_the_unit_coverage_shows_each_area_against_each_goal_with_gaps(org, people, login, goal, year):
    goal.curriculum_areas.set(areas("normer-och-varden", "larmiljo"))
    other = UnitGoalFactory(unit=org.unit, parent=goal.parent, school_year=year, start_term=year.autumn,
                            end_term=year.spring, title="Fler läser med flyt")
    other.curriculum_areas.set(areas("kunskaper"))
    client = login(people.rector)
    assert f'href="{reverse("unit_curriculum", args=[org.unit.pk])}?lasar={year.start_year}"' in page(client, "unit_detail", org.unit.pk)
    body = page(client, "unit_curriculum", org.unit.pk, lasar=year.start_year)
    assert_well_formed(body)
    curriculum = between(body, "Läroplanens områden: enhetens mål</caption>", "</table>")
    normer = between(curriculum, "<th scope=\"row\">Normer och värden", "</tr>")
    assert normer.count('<span class="visually-hidden">Ja</span>') == 1 and "<td>1</td>" in normer
    assert "Inte täckt" in between(curriculum, "<th scope=\"row\">Betyg och bedömning", "</tr>")
    assert "Omsorg, utveckling och lärande" not in body  # a preschool area; the unit is a school
    assert "Inte täckt" in between(body, "<th scope=\"row\">Personal", "</tr>")
    assert "Inte täckt" not in between(body, "<th scope=\"row\">Lärmiljö", "</tr>")
    assert "Täcks inte av något mål:" in body


def test_the_administrations_coverage_counts_the_units_goals(org, people, login, admin_goal, year):
    admin_goal.curriculum_areas.set(areas("normer-och-varden"))
    for unit in (org.unit, org.other_unit):
        UnitGoalFactory(unit=unit, parent=admin_goal, school_year=year, start_term=year.autumn,
                        end_term=year.spring).curriculum_areas.set(areas("kunskaper"))
    UnitGoalFactory(unit=org.preschool, parent=admin_goal, school_year=year, start_term=year.autumn,
                    end_term=year.spring).curriculum_areas.set(areas("kunskaper", "larmiljo"))
    elsewhere = UnitFactory(forms=["grundskola"])  # another administration's school
    UnitGoalFactory(unit=elsewhere, school_year=year, start_term=year.autumn, end_term=year.spring,
                    parent__school_year=year).curriculum_areas.set(areas("kunskaper"))
    client = login(people.leadership)
    body = page(client, "curriculum_coverage", lasar=year.start_year)
    assert_well_formed(body)
    goals_table = between(body, "Läroplanens områden: de förvaltningsgemensamma målen</caption>", "</table>")
    assert '<span class="visually-hidden">Ja</span>' in between(goals_table, "Normer och värden", "</tr>")
    assert "Inte täckt" in between(goals_table, "<th scope=\"row\">Kunskaper", "</tr>")
    counts = between(body, "Läroplanens områden: enheternas mål</caption>", "</table>")
    # Kunskaper is a school area: both schools have a goal in it, and the preschool one all the same.
    kunskaper = between(counts, "<th scope=\"row\">Kunskaper", "</tr>")
    assert "2 av 2" in kunskaper and "och 1 enhet av en annan skolform" in kunskaper and "<td>3</td>" in kunskaper
    assert "0 av 3" in between(counts, "<th scope=\"row\">Normer och värden", "</tr>")
    assert "1 av 3" in between(body, "<th scope=\"row\">Lärmiljö</th>", "</tr>")
    preschools = page(client, "curriculum_coverage", lasar=year.start_year, skolform="forskola")
    assert "1 öppen enhet" in preschools and "Betyg och bedömning" not in preschools
    for name in ("matrix", "goal_levels"):
        url = reverse("chain_matrix" if name == "matrix" else "goal_levels")
        assert reverse("curriculum_coverage") in login(people.leadership).get(url).content.decode()


def test_coverage_pages_run_the_same_queries_for_few_goals_and_units_as_for_many(org, people, login, admin_goal, year):
    tags = areas("kunskaper", "larmiljo", "personal")

    def queries(client, name, *args):
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse(name, args=args), {"lasar": year.start_year}).status_code == 200
        return len(context.captured_queries)

    def goals(n):
        for _ in range(n):
            unit = UnitFactory(administration=org.administration, forms=["grundskola", "fritidshem"])
            for owner in (unit, org.unit):
                UnitGoalFactory(unit=owner, parent=admin_goal, school_year=year, start_term=year.autumn,
                                end_term=year.spring).curriculum_areas.set(tags)
            AdministrationGoalFactory(administration=org.administration, school_year=year, start_term=year.autumn,
                                      end_term=year.spring).curriculum_areas.set(tags)

    rector, leadership = login(people.rector), login(people.leadership)
    goals(1)
    few = queries(rector, "unit_curriculum", org.unit.pk), queries(leadership, "curriculum_coverage")
    goals(8)
    assert (queries(rector, "unit_curriculum", org.unit.pk), queries(leadership, "curriculum_coverage")) == few
