"""The demo municipality's goal chain: the previous school year followed up and analysed to the
end and rolled over into the current one, as a municipality's year runs (or more school years
back, with ``seed_demo --years N``).

Goal areas, committee goals and administration-wide goals are drawn from the seed documents
(Ystad's guideline, Svenljunga's plan): reading in grundskola, safety and study peace, language
in the preschools (Lpfö 18), participation, and the kulturskola's own goal, each limited to the
school forms it is about. The administration measures some of them with administration-wide
indicators and writes its insatser per school form (Syfte / Mål / Åtgärder). Each unit works
under the goals for its school forms with goals, activities and follow-ups in its own words.

The oldest school year is seeded in full; each later one is made by the rollover services
(``ska.services.rollover``), so its goals continue last year's and its baselines are last
year's latest shown values. The current school year runs up to today, with a few gaps left on
purpose for the matrix and the rektorer's to-do lists. Idempotent: a school year that has the
administration's goals is not seeded again, and only units without goals in it get theirs.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from .models import (
    Activity,
    ActivityFollowUp,
    Administration,
    Analysis,
    CheckIn,
    CurriculumArea,
    DevelopmentArea,
    Goal,
    Indicator,
    SchoolForm,
    Unit,
    User,
    ValidityReview,
)
from .schoolyear import SchoolYear
from .services import chain as chain_services
from .services import rollover
from .services.shared_indicators import roll_out

AREAS = [
    ("Utbildning och lärande", "Alla barn och elever ska ges förutsättningar att nå så långt som möjligt."),
    ("Trygghet och hälsa", "Förskolor och skolor ska vara trygga platser med god arbetsmiljö."),
]
COMMITTEE_GOALS = [
    (0, "Fler barn och elever ska nå så långt som möjligt i sitt lärande"),
    (1, "Alla barn och elever ska känna sig trygga"),
    (0, "Barn och elever ska ha inflytande över sin utbildning"),
]


@dataclass(frozen=True)
class Shared:
    """An administration-wide indicator of an administration-wide goal."""

    title: str
    measures: str
    source: str
    forms: tuple[str, ...]
    baseline: int
    target: int
    groups: tuple[int, int]  # the range of group sizes its check-ins come from
    source_kind: str = Indicator.Source.SURVEY


@dataclass(frozen=True)
class Insats:
    """One of the administration's insatser, written as Syfte / Mål / Åtgärder for a school form."""

    title: str
    form: str
    purpose: str
    aim: str
    actions: str


@dataclass(frozen=True)
class AdminGoal:
    key: str
    committee: int
    title: str
    forms: tuple[str, ...]  # empty: every school form
    description: str
    effects: str
    curriculum: tuple[str, ...]
    shared: tuple[Shared, ...] = ()
    insatser: tuple[Insats, ...] = ()


ADMIN_GOALS = [
    AdminGoal(
        "reading", 0, "Ökad läsförståelse och läslust", ("grundskola",),
        "Läsutvecklingen ska följas systematiskt från förskoleklass till årskurs 9.",
        "Fler elever läser med flyt och förståelse; resultaten i svenska förbättras.",
        ("kunskaper",),
        shared=(Shared("Andel elever i åk 3 som klarar lässcreeningen",
                       "Andel av eleverna i åk 3 som når gränsvärdet i lässcreeningen i maj.",
                       "Lässcreening (Skolverkets bedömningsstöd)", ("grundskola",), 68, 85, (22, 60),
                       Indicator.Source.EXISTING),),
        insatser=(Insats("Utökad läsutvecklingsuppföljning", "grundskola",
                         "Ge eleverna bättre stöd och stimulans i sin läsutveckling.",
                         "Säkerställa hög kvalitet i undervisningen genom kontinuerlig uppföljning av läsresultat.",
                         "Lässcreening i åk 1–6 fyra gånger per läsår.\nSkolutvecklingsgrupperna får stöd av "
                         "verksamhetschef och förstelärare vid månatliga träffar.\nGemensam uppföljning i ledarforum."),),
    ),
    AdminGoal(
        "safety", 1, "Trygghet och studiero", ("forskola", "grundskola", "fritidshem", "pedagogisk-omsorg"),
        "Arbetet mot kränkande behandling och för trygghet och studiero ska stärkas på alla enheter.",
        "Fler barn och elever känner sig trygga, och det är arbetsro på lektionerna.",
        ("normer-och-varden", "larmiljo"),
        shared=(
            Shared("Andel elever som känner sig trygga i skolan",
                   "Andel elever som instämmer i ”Jag känner mig trygg i skolan” i klimatenkäten (åk 4–9).",
                   "Klimatenkäten", ("grundskola",), 78, 88, (35, 140)),
            Shared("Andel vårdnadshavare som anger att barnet känner sig tryggt",
                   "Andel av de svarande vårdnadshavarna som instämmer i ”Mitt barn känner sig tryggt i förskolan”.",
                   "Vårdnadshavarenkäten", ("forskola", "pedagogisk-omsorg"), 86, 92, (6, 45)),
        ),
        insatser=(
            Insats("Uppföljning av trygghet och studiero", "grundskola",
                   "Stärka elevernas känsla av trygghet, delaktighet och studiero.",
                   "Identifiera förbättringsområden och främja en positiv skolmiljö.",
                   "Klimatmätningar i september, november och mars.\nResultaten analyseras med rektor, elevhälsoteam "
                   "och kvalitetsansvariga vid tre träffar per år."),
            Insats("Trygga övergångar och inskolning", "forskola",
                   "Att varje barn och vårdnadshavare möts av en trygg start och trygga övergångar.",
                   "En gemensam rutin för inskolning och övergång till förskoleklass på alla förskolor.",
                   "Rutinen revideras tillsammans med rektorerna.\nÖverlämningssamtal med förskoleklass i maj."),
        ),
    ),
    AdminGoal(
        "language", 0, "Språk och kommunikation i förskolan", ("forskola", "pedagogisk-omsorg"),
        "Barnen ska få utveckla sitt språk och sin kommunikation i lek och samtal (Lpfö 18, 2.2).",
        "Fler barn använder ett rikt språk i lek och samtal; förskollärarna arbetar språkutvecklande i vardagen.",
        ("omsorg-utveckling-larande",),
        shared=(Shared("Andel barn som deltar i boksamtal varje vecka",
                       "Andel av de inskrivna barnen som deltar i högläsning med boksamtal minst en gång i veckan, "
                       "enligt avdelningarnas dokumentation i november och april.",
                       "Avdelningarnas dokumentation", ("forskola", "pedagogisk-omsorg"), 55, 80, (6, 60),
                       Indicator.Source.NEW),),
        insatser=(Insats("Läslyftet i förskolan", "forskola",
                         "Förbättra språkutveckling och läsfrämjande arbete på förskolorna.",
                         "Stärka pedagogernas kompetens och skapa kollegialt lärande.",
                         "Samarbete mellan arbetslag inom och mellan förskolor.\nNya verktyg för att möta alla barns "
                         "behov, med stöd av utvecklingspedagogerna."),),
    ),
    AdminGoal(
        "participation", 2, "Delaktighet och inflytande", (),
        "Barn och elever ska vara delaktiga i planering och utvärdering av undervisningen.",
        "Barn och elever upplever att deras åsikter tas till vara.",
        ("elevernas-ansvar-och-inflytande", "barns-delaktighet-och-inflytande"),
    ),
    AdminGoal(
        "culture", 0, "Fler elever fullföljer sin kurs i kulturskolan", ("kulturskola",),
        "Kulturskolan ska ge eleverna glädjen i att lyckas och lust att fortsätta.",
        "Fler elever fortsätter från en termin till nästa och möter publik.",
        (),
        shared=(Shared("Andel elever som fortsätter nästa termin",
                       "Andel av terminens elever som anmäler sig till en fortsättningskurs.",
                       "Kulturskolans elevregister", ("kulturskola",), 72, 82, (120, 260),
                       Indicator.Source.EXISTING),),
        insatser=(Insats("Kulturskolan vill öka kunskapsnivån hos eleverna", "kulturskola",
                         "Att få eleverna att upptäcka glädjen med att lyckas.",
                         "Utvärdera och utveckla föreställningarna och sätta upp tydliga mål för eleverna.",
                         "Information till vårdnadshavare om engagemangets betydelse.\nGemensamma mål för "
                         "varje kurs, följda upp med eleverna."),),
    ),
]
ADMIN_BY_KEY = {goal.key: goal for goal in ADMIN_GOALS}


@dataclass(frozen=True)
class UnitGoal:
    """A unit's goal under an administration-wide goal, in the words of its school form."""

    title: str
    activity: str
    purpose: str
    aim: str
    process: tuple[str, str]  # what the two follow-ups of the activity observed
    results: tuple[str, str]  # the autumn's and the spring's results
    causes: str
    effect: str
    development_area: str
    own: tuple = ()  # (title, measures, unit of measure, baseline, target): an indicator of its own


UNIT_GOALS = {
    ("reading", "grundskola"): UnitGoal(
        "Fler elever i åk 3 läser med flyt", "Lässtunder med högläsning och boksamtal varje dag",
        "Att alla elever möter texter varje dag och får samtala om dem.", "Fler elever läser med flyt och förståelse i åk 3.",
        ("Lässtunderna genomförs i alla klasser i F–3; lärarna för logg över valda böcker.",
         "Boksamtalen har blivit längre; eleverna föreslår själva böcker till klassbiblioteket."),
        ("Andelen elever som klarar screeningen har ökat något sedan i våras.",
         "Fler elever än i fjol når gränsvärdet i maj; skillnaden mellan klasserna har minskat."),
        "Den dagliga lästiden och de gemensamma boksamtalen har fått genomslag; elever i behov av stöd har fått "
        "extra lästräning i liten grupp.",
        "Tydligast effekt i de klasser som haft lässtunder sedan augusti.",
        "Läsförståelse i åk 4–6",
    ),
    ("safety", "grundskola"): UnitGoal(
        "Ökad studiero i klassrummen", "Gemensamma lektionsstarter och rastaktiviteter",
        "Att alla lektioner börjar på samma sätt och att rasterna blir tryggare.", "Arbetsro på lektionerna och trygga raster.",
        ("Lektionsstarterna används i alla arbetslag; rastvärdarna är ute varje dag.",
         "Färre incidenter rapporteras från rasterna; eleverna känner igen lektionsstarten."),
        ("Något fler elever anger i novembermätningen att de känner sig trygga.",
         "Tryggheten har ökat i alla årskurser utom åk 8, där den är oförändrad."),
        "Vuxennärvaron på rasterna och de gemensamma lektionsstarterna gör skolan mer förutsägbar för eleverna.",
        "Rastvärdarna har gjort störst skillnad; lektionsstarterna tar längre tid att få effekt.",
        "Trygghet i omklädningsrummen",
        own=("Andel elever som svarar att det är arbetsro på lektionerna",
             "Andel elever som instämmer i ”Det är arbetsro på lektionerna” i klimatenkäten.", "%", 61, 75),
    ),
    ("participation", "grundskola"): UnitGoal(
        "Elevernas idéer syns i undervisningen", "Klassråd varannan vecka med återkoppling",
        "Att eleverna ska vara med och planera och utvärdera undervisningen.", "Eleverna ser att deras förslag tas till vara.",
        ("Klassråden hålls i alla klasser; protokollen samlas i elevrådet.",
         "Lärarna återkopplar förslagen i början av varje arbetsområde."),
        ("Hälften av arbetsområdena har planerats med elevernas förslag.",
         "Två av tre arbetsområden har utvärderats tillsammans med eleverna."),
        "Den fasta strukturen med klassråd gör det lätt för lärarna att ta in elevernas förslag.",
        "Eleverna upplever att de blir lyssnade på när förslagen återkopplas.",
        "Elevinflytande i betygssättande årskurser",
        own=("Andel arbetsområden som planerats med elevernas förslag",
             "Andel av terminens arbetsområden där elevernas förslag dokumenterats i planeringen.", "%", 30, 60),
    ),
    ("safety", "forskola"): UnitGoal(
        "Trygga övergångar och inskolning", "Föräldraaktiv inskolning och överlämningssamtal",
        "Att varje barn och vårdnadshavare möts av en trygg start.", "Alla nya barn skolas in enligt den gemensamma rutinen.",
        ("Alla inskolningar i augusti följde rutinen; vårdnadshavarna fick ett uppföljande samtal.",
         "Överlämningssamtalen med förskoleklass är bokade för alla sexåringar."),
        ("Vårdnadshavarna är nöjda med inskolningen; några önskar mer information om dagens rutiner.",
         "Vårdnadshavarnas svar om trygghet är höga och stabila."),
        "Den gemensamma rutinen och de uppföljande samtalen ger vårdnadshavarna tillit till förskolan.",
        "Samtalen efter inskolningen har gjort störst skillnad.",
        "Information om dagens rutiner till nya vårdnadshavare",
    ),
    ("language", "forskola"): UnitGoal(
        "Barnen samtalar om det de läser", "Läsmiljöer och boksamtal i små grupper",
        "Att alla barn ska möta böcker och samtal om dem varje vecka.", "Fler barn berättar och ställer frågor om det de läst.",
        ("Varje avdelning har en läshörna; boksamtal i grupper om fyra till sex barn.",
         "Barnen väljer själva böcker och återberättar dem för varandra."),
        ("Fler barn deltar i boksamtalen än i höstas; de yngsta deltar mer sällan.",
         "Nästan alla barn deltar varje vecka; samtalen har blivit längre."),
        "Smågrupperna gör det lättare för alla barn att komma till tals.",
        "Tydlig effekt på de äldre barnens berättande; de yngsta behöver andra former.",
        "Språkutveckling för de yngsta barnen",
    ),
    ("participation", "forskola"): UnitGoal(
        "Barnens idéer syns i verksamheten", "Barnråd varannan vecka",
        "Att barnens intressen och idéer ska forma verksamheten.", "Barnens förslag syns i planeringen.",
        ("Barnråden hålls på alla avdelningar; pedagogerna dokumenterar med bilder.",
         "Två teman under våren kom från barnrådens förslag."),
        ("Barnens förslag dokumenteras men syns ännu sällan i planeringen.",
         "Barnens förslag har lett till två teman och en ny lekmiljö."),
        "Dokumentationen med bilder gör barnens idéer synliga för arbetslaget.",
        "Barnen ser att deras förslag blir verklighet.",
        "Barnens inflytande över lekmiljön",
        own=("Andel planeringar där barnens förslag dokumenterats",
             "Andel av avdelningarnas planeringar där barnens förslag dokumenterats.", "%", 30, 60),
    ),
    ("safety", "pedagogisk-omsorg"): UnitGoal(
        "Trygga dagar hos dagbarnvårdaren", "Gemensamma träffar och rutiner i dagbarnvårdargruppen",
        "Att barnen möter samma trygga rutiner hos alla dagbarnvårdare.", "Gemensamma rutiner för lämning och hämtning.",
        ("Gruppen träffas varannan vecka; rutinerna är nedskrivna.", "Rutinerna används hos alla dagbarnvårdare."),
        ("Vårdnadshavarna är nöjda; svaren kommer från få familjer.", "Oförändrat goda svar från vårdnadshavarna."),
        "De gemensamma träffarna gör att barnen känner igen sig hos varandras dagbarnvårdare.",
        "Rutinerna har gett lugnare lämningar.", "Samverkan med förskolan kring övergångar",
    ),
    ("participation", "pedagogisk-omsorg"): UnitGoal(
        "Barnen väljer dagens aktiviteter", "Bildkort för barnens val",
        "Att även de yngsta barnen ska kunna påverka dagen.", "Barnen är med och väljer en aktivitet varje dag.",
        ("Bildkorten används hos alla dagbarnvårdare.", "Barnen väljer själva och visar med korten."),
        ("Barnen väljer en aktivitet de flesta dagar.", "Barnens val syns i veckoplaneringen."),
        "Bildkorten gör valen möjliga även för barn utan många ord.", "Barnen tar mer initiativ i leken.",
        "Barnens inflytande över utevistelsen",
        own=("Andel dagar då barnen valt en aktivitet", "Andel av veckans dagar då barnen valt en aktivitet med bildkort.",
             "%", 40, 80),
    ),
    ("language", "pedagogisk-omsorg"): UnitGoal(
        "Högläsning varje dag", "Bokpåsar från biblioteket",
        "Att barnen möter böcker varje dag.", "Alla barn får högläsning varje dag.",
        ("Bokpåsarna byts varje månad.", "Barnen väljer själva böcker till bokpåsen."),
        ("Högläsning sker dagligen hos alla dagbarnvårdare.", "Barnen efterfrågar själva böcker och sagor."),
        "Bokpåsarna gör det enkelt att variera böckerna.", "Tydlig effekt på barnens intresse för böcker.",
        "Samtal om bilderböcker",
    ),
    ("culture", "kulturskola"): UnitGoal(
        "Fler elever fortsätter från termin till termin", "Elevsamtal och gemensamma terminsmål",
        "Att varje elev ska se sin utveckling och vilja fortsätta.", "Fler elever fortsätter sin kurs nästa termin.",
        ("Alla lärare har haft elevsamtal med sina elever.", "Terminsmålen följs upp vid vårens föreställningar."),
        ("Fler elever har anmält sig till fortsättningskurser än förra året.",
         "Andelen som fortsätter har ökat i musik och teater, men inte i dans."),
        "Elevsamtalen och målen gör elevernas utveckling synlig för dem själva.",
        "Tydligast effekt i instrumentundervisningen.", "Att behålla eleverna i dans",
    ),
    ("participation", "kulturskola"): UnitGoal(
        "Eleverna formar föreställningarna", "Elevgrupper i planeringen av föreställningar",
        "Att eleverna ska vara med och forma det de visar upp.", "Varje föreställning har en elevgrupp i planeringen.",
        ("Elevgrupper finns för vårens två föreställningar.", "Eleverna valde själva repertoaren till vårkonserten."),
        ("Eleverna har deltagit i planeringen av höstens föreställning.", "Båda vårföreställningarna planerades med elever."),
        "Elevgrupperna ger eleverna ansvar och engagemang.", "Eleverna tar större ansvar för föreställningarna.",
        "Elevernas inflytande över kursutbudet",
        own=("Andel föreställningar med elevgrupp i planeringen",
             "Andel av läsårets föreställningar där en elevgrupp varit med i planeringen.", "%", 25, 100),
    ),
}
FORM_ORDER = ["grundskola", "forskola", "pedagogisk-omsorg", "kulturskola", "fritidshem"]
# A unit's goal of its own, from a need it identified (hangs from nothing above).
LOCAL_GOAL = UnitGoal(
    "Utvecklad samverkan med vårdnadshavare", "Veckobrev och samtal vid hämtning och lämning",
    "Förbättra dialogen mellan enheten och hemmen.", "Vårdnadshavarna vet vad barnen gör och lär.",
    ("Veckobreven skickas varje fredag.", "Vårdnadshavarna svarar oftare på veckobreven."),
    ("Fler vårdnadshavare läser veckobreven.", "Vårdnadshavarna upplever att de får bättre information."),
    "En fast rutin för veckobreven gör informationen förutsägbar.", "Tydlig effekt på informationen; samtalen tar tid.",
    "Vårdnadshavarnas delaktighet i utvecklingssamtalen",
    own=("Andel vårdnadshavare som anser att de får god information",
         "Andel av de svarande vårdnadshavarna som instämmer i ”Jag får god information om mitt barns dag”.", "%", 70, 85),
)


def _save(record, user=None):
    record.full_clean()
    record._history_user = user
    record.save()
    return record


def _day(school_year: SchoolYear, month: int, day: int) -> datetime.date:
    return datetime.date(school_year.start_year + (month < 8), month, day)


def _unit_form(unit: Unit, forms: set[str]) -> str | None:
    return next((code for code in FORM_ORDER if code in forms), None)


def _applies(spec: AdminGoal, forms: set[str]) -> bool:
    return not spec.forms or bool(set(spec.forms) & forms)


# --- The oldest school year: everything from scratch -----------------------------------------
def _seed_levels(administration: Administration, school_year: SchoolYear, user) -> dict[str, Goal]:
    municipality, committee = administration.municipality, administration.committee
    period = {"start_term": school_year.autumn, "end_term": school_year.spring}
    areas = [
        _save(Goal(level=Goal.Level.AREA, municipality=municipality, school_year=school_year, title=title,
                   description=text, origin=Goal.Origin.POLITICAL, **period), user)
        for title, text in AREAS
    ]
    committee_goals = [
        _save(Goal(level=Goal.Level.COMMITTEE, committee=committee, parent=areas[area], school_year=school_year,
                   title=title, origin=Goal.Origin.POLITICAL, **period), user)
        for area, title in COMMITTEE_GOALS
    ]
    curriculum = {area.code: area for area in CurriculumArea.objects.all()}
    forms = {form.code: form for form in SchoolForm.objects.all()}
    goals = {}
    for spec in ADMIN_GOALS:
        goal = _save(Goal(level=Goal.Level.ADMINISTRATION, administration=administration,
                          parent=committee_goals[spec.committee], school_year=school_year, title=spec.title,
                          description=spec.description, expected_effects=spec.effects,
                          origin=Goal.Origin.POLITICAL, **period), user)
        goal.curriculum_areas.set([curriculum[c] for c in spec.curriculum if c in curriculum])
        goal.school_forms.set([forms[c] for c in spec.forms if c in forms])
        for order, shared in enumerate(spec.shared):
            definition = _save(Indicator(goal=goal, title=shared.title, measures=shared.measures,
                                         source_kind=shared.source_kind, source=shared.source, unit_of_measure="%",
                                         administration_wide=True, sort_order=order), user)
            definition.school_forms.set([forms[c] for c in shared.forms if c in forms])
        goals[spec.key] = goal
    return goals


def _insatser(goal: Goal, spec: AdminGoal, school_year: SchoolYear, today, user) -> None:
    """The administration's own insatser on its goal, with a follow-up when one is due."""
    forms = {form.code: form for form in SchoolForm.objects.all()}
    for insats in spec.insatser:
        activity = _save(Activity(goal=goal, title=insats.title, school_form=forms.get(insats.form),
                                  purpose=insats.purpose, aim=insats.aim, actions=insats.actions,
                                  owner="Verksamhetschef och utvecklingschef", start=school_year.start,
                                  end=school_year.end, status=Activity.Status.ONGOING), user)
        definitions = [d for d in goal.indicators.filter(administration_wide=True).prefetch_related("school_forms")
                       if not d.school_forms.all() or any(f.code == insats.form for f in d.school_forms.all())]
        activity.indicators.set(definitions)
        day = _day(school_year, 11, 25)
        if day <= today:
            _save(ActivityFollowUp(activity=activity, date=day, on_track=ActivityFollowUp.OnTrack.YES,
                                   process_data="Genomförs enligt plan; följs upp i ledarforum.",
                                   comment="Fortsatt uppföljning i februari."), user)


@dataclass
class _Plan:
    """How one unit's year goes: which of its goals leave a gap, and in what."""

    no_check_in: bool = False  # no check-in of its own indicators this autumn (overdue)
    no_activity: bool = False
    no_target: bool = False
    skipped: set = field(default_factory=set)  # administration goals the unit has not continued


def _plans(units: list[Unit], current: bool) -> dict[int, _Plan]:
    """Gaps on purpose, only in the current school year: the previous one is complete."""
    plans = {unit.pk: _Plan() for unit in units}
    if not current:
        return plans
    for index, unit in enumerate(units):
        plan = plans[unit.pk]
        plan.no_check_in = index % 6 == 1
        plan.no_activity = index % 6 == 3
        plan.no_target = index % 6 == 5
        if index % 7 == 4:
            plan.skipped.add("participation")
    return plans


def _unit_goals(unit, admin_goals: dict[str, Goal], school_year: SchoolYear, forms: set[str], user, *, local: bool) -> None:
    form = _unit_form(unit, forms)
    wanted = [(UNIT_GOALS.get((key, form)), parent) for key, parent in admin_goals.items()
              if _applies(ADMIN_BY_KEY[key], forms)]
    if local:
        wanted.append((LOCAL_GOAL, None))
    for spec, parent in wanted:
        if spec is None:
            continue
        goal = chain_services.goal_create(
            level=Goal.Level.UNIT if parent else Goal.Level.LOCAL, owner=unit, parent=parent, school_year=school_year,
            user=user,
            values={"title": spec.title, "description": spec.purpose if parent is None else "",
                    "origin": Goal.Origin.SHORTFALL, "start_term": school_year.autumn, "end_term": school_year.spring,
                    "expected_effects": spec.aim,
                    "curriculum_areas": list(parent.curriculum_areas.all()) if parent else []},
        )
        if spec.own:
            title, measures, unit_of_measure, baseline, target = spec.own
            _save(Indicator(goal=goal, title=title, measures=measures, source="Enhetens egen uppföljning",
                            source_kind=Indicator.Source.NEW, unit_of_measure=unit_of_measure, baseline_value=baseline,
                            target_value=target, baseline_date=_day(school_year, 9, 15),
                            target_date=_day(school_year, 6, 15), sort_order=50), user)


# --- Filling a school year: values, activities, follow-ups and analyses up to today ---------------
def _shared_spec(indicator: Indicator) -> Shared | None:
    for spec in ADMIN_GOALS:
        for shared in spec.shared:
            if shared.title == indicator.title:
                return shared
    return None


def _fill_year(units, school_year: SchoolYear, plans, rng, today, user) -> None:
    goals = list(
        Goal.objects.in_force(school_year).filter(unit__in=units).select_related("unit", "parent")
        .prefetch_related("indicators__kolada").order_by("unit__name", "pk")
    )
    for goal in goals:
        plan = plans[goal.unit_id]
        spec = _goal_spec(goal)
        for indicator in goal.indicators.all():
            if hasattr(indicator, "kolada"):
                continue  # fed by Kolada, on its own rhythm
            _fill_indicator(indicator, school_year, rng, today, user, plan)
        if spec is None:
            continue
        if not plan.no_activity:
            _fill_activity(goal, spec, school_year, rng, today, user)
        _fill_analyses(goal, spec, school_year, rng, today, user)


def _goal_spec(goal: Goal) -> UnitGoal | None:
    return next((spec for spec in [*UNIT_GOALS.values(), LOCAL_GOAL] if spec.title == goal.title), None)


def _fill_indicator(indicator: Indicator, school_year, rng, today, user, plan) -> None:
    shared = _shared_spec(indicator)
    groups = shared.groups if shared else (40, 90)
    group = rng.randint(*groups)
    if indicator.baseline_value is None:
        base = Decimal(shared.baseline if shared else 60) + rng.randint(-6, 6)
        indicator.baseline_value = base
        indicator.baseline_date = _day(school_year, 9, 15)
        indicator.baseline_group_size = group
        indicator.baseline_comment = "Mätt vid läsårets start."
    if indicator.target_value is None and not plan.no_target:
        target = Decimal(shared.target if shared else 80)
        indicator.target_value = max(target, indicator.baseline_value + 4)
        indicator.target_date = _day(school_year, 6, 15)
    indicator.version += 1
    _save(indicator, user)
    value = indicator.baseline_value
    for month, day in ((10, 20), (2, 10), (5, 20)):
        date = _day(school_year, month, day)
        if date > today or (plan.no_check_in and month == 10):
            continue
        value = min(Decimal(100), value + rng.randint(-1, 4))
        _save(CheckIn(indicator=indicator, date=date, value=value, group_size=rng.randint(*groups),
                      comment="" if month != 5 else "Vårens mätning."), user)


def _fill_activity(goal, spec: UnitGoal, school_year, rng, today, user) -> None:
    ended = school_year.end < today
    activity = _save(Activity(goal=goal, title=spec.activity, purpose=spec.purpose, aim=spec.aim,
                              owner="Arbetslagen med förstelärare", start=_day(school_year, 8, 20), end=school_year.end,
                              status=Activity.Status.DONE if ended else Activity.Status.ONGOING), user)
    activity.indicators.set(list(goal.indicators.all()))
    for (month, day), process in zip(((11, 15), (3, 15)), spec.process):
        date = _day(school_year, month, day)
        if date <= today:
            _save(ActivityFollowUp(activity=activity, date=date, process_data=process,
                                   on_track=rng.choice([ActivityFollowUp.OnTrack.YES, ActivityFollowUp.OnTrack.PARTLY]),
                                   comment="Fortsätt enligt plan; följ upp vid nästa arbetsplatsträff."), user)


def _fill_analyses(goal, spec: UnitGoal, school_year, rng, today, user) -> None:
    for term, results, due in ((school_year.autumn, spec.results[0], _day(school_year, 1, 20)),
                               (school_year.spring, spec.results[1], _day(school_year, 6, 12))):
        if due > today:
            continue
        analysis = _save(Analysis(goal=goal, term=term, results=results, causes=spec.causes,
                                  participants=["teachers", "student_health", "pupils", "guardians"][: rng.randint(2, 4)],
                                  activity_effect=spec.effect, attainment=rng.choice([2, 3, 3, 4])), user)
        for indicator in goal.indicators.all():
            _save(ValidityReview(
                analysis=analysis, indicator=indicator,
                reliability="God: samma instrument och samma tidpunkt som tidigare år.",
                measures_intended="I huvudsak; den fångar inte allt som målet handlar om.",
                reflects_reality="Stämmer med personalens iakttagelser.",
            ), user)
        if term == school_year.spring:
            _save(DevelopmentArea(analysis=analysis, title=spec.development_area,
                                  description="Identifierat i vårens analys; förs in i nästa läsårs planering."), user)


# --- Seeding the school years ---------------------------------------------------------------------
DEFAULT_YEARS = 2


def demo_school_years(years: int = DEFAULT_YEARS) -> list[SchoolYear]:
    """The ``years`` school years up to and including the current one, oldest first."""
    school_years = [SchoolYear.current()]
    while len(school_years) < years:
        school_years.insert(0, school_years[0].previous())
    return school_years


def _unit_forms(units) -> dict[int, set[str]]:
    forms: dict[int, set[str]] = {unit.pk: set() for unit in units}
    for unit_id, code in Unit.school_forms.through.objects.filter(unit__in=units).values_list("unit_id", "schoolform__code"):
        forms[unit_id].add(code)
    return forms


@transaction.atomic
def seed_chain(administration: Administration, school_year: SchoolYear, *, units=None, seed: int = 2025,
               first: bool = True, current: bool = False) -> None:
    """One school year of the demo chain: made from scratch (``first``) or rolled over from the
    year before, then filled with values up to today."""
    rng = random.Random(seed + school_year.start_year)
    today = timezone.localdate()
    user = User.objects.filter(username="skolchef").first()
    units = units if units is not None else Unit.objects.filter(administration=administration).open()
    units = list(units.exclude(goals__school_year=school_year).order_by("name"))
    has_levels = Goal.objects.filter(administration=administration, school_year=school_year,
                                     level=Goal.Level.ADMINISTRATION).exists()
    if not has_levels:
        if first or not Goal.objects.filter(administration=administration, school_year=school_year.previous()).exists():
            admin_goals = _seed_levels(administration, school_year, user)
        else:
            previous = school_year.previous()
            rollover.levels_roll_over(
                administration=administration, school_year=previous, user=user,
                decisions={row.goal.pk: rollover.Decision(rollover.CONTINUE)
                           for row in rollover.levels_preview(administration, previous)},
            )
            admin_goals = None
        goals = {g.title: g for g in Goal.objects.filter(administration=administration, school_year=school_year,
                                                       level=Goal.Level.ADMINISTRATION)}
        for spec in ADMIN_GOALS:
            if spec.title in goals:
                _insatser(goals[spec.title], spec, school_year, today, user)
    admin_goals = {spec.key: goal for spec in ADMIN_GOALS
                   for goal in Goal.objects.filter(administration=administration, school_year=school_year,
                                                   level=Goal.Level.ADMINISTRATION, title=spec.title)}
    forms = _unit_forms(units)
    plans = _plans(units, current)
    for index, unit in enumerate(units):
        rector = User.objects.filter(role_assignments__unit=unit, role_assignments__role="rector").first() or user
        previous = school_year.previous()
        continued = Goal.objects.in_force(previous).filter(unit=unit).exists()
        if continued:
            rows = rollover.unit_preview(unit, previous)
            decisions = {}
            for row in rows:
                key = next((k for k, g in admin_goals.items() if row.parent and g.pk == row.parent.pk), None)
                if key in plans[unit.pk].skipped:
                    continue  # a gap: not continued yet
                decisions[row.goal.pk] = rollover.Decision(rollover.CONTINUE)
            rollover.unit_roll_over(unit=unit, school_year=previous, decisions=decisions, user=rector)
        else:
            _unit_goals(unit, {k: g for k, g in admin_goals.items() if k not in plans[unit.pk].skipped},
                        school_year, forms[unit.pk], rector, local=index % 5 == 0)
    for definition in Indicator.objects.filter(goal__in=admin_goals.values(), administration_wide=True):
        roll_out(definition=definition, user=user)
    _fill_year(units, school_year, plans, rng, today, user)


def seed_demo_chain(administration: Administration, units=None, *, years: int = DEFAULT_YEARS) -> None:
    school_years = demo_school_years(years)
    for index, school_year in enumerate(school_years):
        seed_chain(administration, school_year, units=units, first=index == 0,
                   current=school_year == school_years[-1])
