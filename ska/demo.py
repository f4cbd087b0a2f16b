"""The demo municipality: Ekvalla kommun, modelled on the seed documents (Ystad's organisation,
Tyresö's independent providers). ``seed_demo`` builds it; running it again changes nothing.

Every demo login has the password ``ska-demo``. The README lists them.
"""

from __future__ import annotations

import importlib
import itertools
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from .demo_chain import DEFAULT_YEARS, seed_demo_chain
from .demo_kolada import MUNICIPALITY_CODE, seed_demo_kolada
from .models import (
    Administration,
    Committee,
    IndependentProvider,
    Municipality,
    Role,
    RoleAssignment,
    SchoolForm,
    Unit,
    User,
)

DEMO_PASSWORD = "ska-demo"
MUNICIPALITY = "Ekvalla kommun"
COMMITTEE = ("Barn- och utbildningsnämnden", "BUN")
ADMINISTRATION = "Utbildningsförvaltningen förskola och grundskola"
EMAIL_DOMAIN = "ekvalla.example"

# (name, school form codes, unit code, address)
MUNICIPAL_UNITS = [
    ("Österportskolan", ["grundskola", "fritidshem"], "21700011", "Skolgatan 4"),
    ("Västervångskolan", ["grundskola", "fritidshem"], "21700012", "Västra vägen 12"),
    ("Norreportskolan", ["grundskola", "fritidshem"], "21700013", "Norra Promenaden 3"),
    ("Källängsskolan", ["grundskola"], "21700014", "Källängsvägen 20"),
    ("Löderups skola", ["grundskola", "fritidshem"], "21700015", "Byvägen 1, Löderup"),
    ("Förskolan Solrosen", ["forskola"], "", "Solrosvägen 2"),
    ("Förskolan Ekorren", ["forskola"], "", "Ekorrstigen 7"),
    ("Förskolan Havsörnen", ["forskola"], "", "Strandvägen 30"),
    ("Förskolan Lärkan", ["forskola"], "", "Lärkgatan 5"),
    ("Förskolan Tallbacken", ["forskola"], "", "Tallvägen 11"),
    ("Dagbarnvårdarna i Ekvalla", ["pedagogisk-omsorg"], "", ""),
    ("Kulturskolan Ekvalla", ["kulturskola"], "", "Teatergatan 1"),
]

# (provider name, organisation number, [(unit name, forms)])
PROVIDERS = [
    (
        "Stiftelsen Montessoriskolan Lyckan",
        "802400-1234",
        [("Montessoriskolan Lyckan", ["grundskola", "fritidshem"]), ("Montessoriförskolan Lyckan", ["forskola"])],
    ),
    ("I Ur och Skur Myrstacken AB", "556700-5678", [("I Ur och Skur Myrstacken", ["forskola"])]),
]


@dataclass(frozen=True)
class Person:
    username: str
    first_name: str
    last_name: str
    title: str
    role: str
    scope: str | None = None  # unit or provider name, resolved below
    role_title: str = ""


PEOPLE = [
    Person("admin", "Alex", "Admin", "Systemadministratör", Role.SYSADMIN),
    Person("skolchef", "Maria", "Lindqvist", "Skolchef", Role.LEADERSHIP, role_title="Skolchef"),
    Person("utvecklingschef", "Johan", "Berg", "Utvecklingschef", Role.LEADERSHIP, role_title="Utvecklingschef"),
    Person(
        "verksamhetschef", "Anna", "Sjöberg", "Verksamhetschef förskola", Role.LEADERSHIP,
        role_title="Verksamhetschef förskola",
    ),
    Person("rektor", "Karin", "Holm", "Rektor", Role.RECTOR, "Österportskolan"),
    Person("rektor2", "Erik", "Nyström", "Rektor", Role.RECTOR, "Västervångskolan"),
    Person("rektor3", "Fatima", "Hassan", "Rektor", Role.RECTOR, "Norreportskolan"),
    Person("rektor4", "Lars", "Åberg", "Rektor", Role.RECTOR, "Källängsskolan"),
    Person("rektor5", "Ingrid", "Mattsson", "Rektor", Role.RECTOR, "Löderups skola"),
    Person("forskolerektor", "Sara", "Ek", "Förskolerektor", Role.RECTOR, "Förskolan Solrosen"),
    Person("forskolerektor2", "Peter", "Lund", "Förskolerektor", Role.RECTOR, "Förskolan Havsörnen"),
    Person("forskolerektor3", "Amira", "Karlsson", "Förskolerektor", Role.RECTOR, "Förskolan Tallbacken"),
    Person("kulturskolechef", "Nils", "Ström", "Rektor", Role.RECTOR, "Kulturskolan Ekvalla"),
    Person(
        "bitradande", "Lina", "Ahmed", "Biträdande rektor", Role.CONTRIBUTOR, "Österportskolan",
        role_title="Biträdande rektor",
    ),
    Person(
        "forstelarare", "Oskar", "Persson", "Förstelärare", Role.CONTRIBUTOR, "Österportskolan",
        role_title="Förstelärare",
    ),
    Person(
        "processledare", "Elin", "Wikström", "Processledare", Role.CONTRIBUTOR, "Förskolan Solrosen",
        role_title="Processledare",
    ),
    Person("sekreterare", "Eva", "Sandberg", "Nämndsekreterare", Role.SECRETARY),
    Person("ledamot", "Per", "Olsson", "Ledamot i BUN", Role.MEMBER),
    Person(
        "fristaende", "Helena", "Strand", "Rektor och kontaktperson", Role.PROVIDER_CONTACT,
        "Stiftelsen Montessoriskolan Lyckan", role_title="Kontaktperson",
    ),
    Person(
        "fristaende2", "Jonas", "Myrberg", "Verksamhetschef", Role.PROVIDER_CONTACT, "I Ur och Skur Myrstacken AB",
        role_title="Kontaktperson",
    ),
]
# Preschool rektorer often lead more than one unit.
EXTRA_UNIT_ROLES = [
    ("forskolerektor", Role.RECTOR, "Förskolan Ekorren"),
    ("forskolerektor2", Role.RECTOR, "Förskolan Lärkan"),
    ("forskolerektor3", Role.RECTOR, "Dagbarnvårdarna i Ekvalla"),
]


REFERENCE_DATA_MIGRATIONS = [
    "ska.migrations.0002_school_forms",
    "ska.migrations.0005_curriculum_areas",
    "annualwheel.migrations.0002_event_kind_settings",
]


def ensure_reference_data() -> None:
    """School forms, curriculum areas and event kind settings come from data migrations; put them back if a test
    database was emptied since (the migrations' own functions, so the data is defined once)."""
    from django.apps import apps

    for module in REFERENCE_DATA_MIGRATIONS:
        migration = importlib.import_module(module)
        for operation in migration.Migration.operations:
            operation.code(apps, None)


@transaction.atomic
def seed_demo(*, units: int | None = None, years: int = DEFAULT_YEARS, stdout=None) -> None:
    """Build Ekvalla kommun; with ``units``, add generated units until there are that many; with
    ``years``, give the goal chain that many school years up to the current one."""
    ensure_reference_data()
    municipality, _ = Municipality.objects.get_or_create(
        name=MUNICIPALITY,
        defaults={"vision": "Ekvalla – där alla barn och elever lär, växer och känner sig trygga.", "code": MUNICIPALITY_CODE},
    )
    if not municipality.code:  # a demo seeded before the code was needed (Kolada)
        municipality.code = MUNICIPALITY_CODE
        municipality.save()
    committee, _ = Committee.objects.get_or_create(
        municipality=municipality, name=COMMITTEE[0], defaults={"short_name": COMMITTEE[1]}
    )
    administration, _ = Administration.objects.get_or_create(
        municipality=municipality, name=ADMINISTRATION, defaults={"committee": committee}
    )
    forms = {form.code: form for form in SchoolForm.objects.all()}

    unit_by_name: dict[str, Unit] = {}
    for name, form_codes, code, address in MUNICIPAL_UNITS:
        unit, created = Unit.objects.get_or_create(
            name=name, administration=administration, defaults={"unit_code": code, "address": address}
        )
        if created:
            unit.school_forms.set([forms[c] for c in form_codes])
        unit_by_name[name] = unit

    provider_by_name: dict[str, IndependentProvider] = {}
    for provider_name, org_number, provider_units in PROVIDERS:
        provider, _ = IndependentProvider.objects.get_or_create(
            municipality=municipality,
            name=provider_name,
            defaults={"organisation_number": org_number, "email": f"info@{provider_name.split()[-1].lower()}.example"},
        )
        provider_by_name[provider_name] = provider
        for unit_name, form_codes in provider_units:
            unit, created = Unit.objects.get_or_create(name=unit_name, provider=provider)
            if created:
                unit.school_forms.set([forms[c] for c in form_codes])

    password = make_password(DEMO_PASSWORD)  # hashed once: hashing is deliberately slow
    users: dict[str, User] = {}
    for person in PEOPLE:
        user, _ = User.objects.get_or_create(
            username=person.username,
            defaults={
                "first_name": person.first_name,
                "last_name": person.last_name,
                "title": person.title,
                "email": f"{person.username}@{EMAIL_DOMAIN}",
                "password": password,
                "is_superuser": person.role == Role.SYSADMIN,
                "is_staff": person.role == Role.SYSADMIN,
            },
        )
        users[person.username] = user
        _assign(user, person.role, person.scope, person.role_title, administration, committee, unit_by_name, provider_by_name)
    for username, role, scope in EXTRA_UNIT_ROLES:
        _assign(users[username], role, scope, "", administration, committee, unit_by_name, provider_by_name)

    if units:
        _generate_units(units, administration, forms, password, stdout)
    seed_demo_chain(administration, years=years)
    seed_demo_kolada(administration)
    from annualwheel.demo import seed_demo_wheels

    seed_demo_wheels(administration, committee)
    from dialogs.demo import seed_demo_dialogues

    seed_demo_dialogues(administration, committee)
    from reports.demo import seed_demo_reports

    seed_demo_reports(administration, committee)


def _assign(user, role, scope, title, administration, committee, unit_by_name, provider_by_name):
    fields = {"user": user, "role": role}
    if role in (Role.RECTOR, Role.CONTRIBUTOR):
        fields["unit"] = unit_by_name[scope]
    elif role == Role.LEADERSHIP:
        fields["administration"] = administration
    elif role in (Role.SECRETARY, Role.MEMBER):
        fields["committee"] = committee
    elif role == Role.PROVIDER_CONTACT:
        fields["provider"] = provider_by_name[scope]
    RoleAssignment.objects.get_or_create(**fields, defaults={"title": title})


PLACES = [
    "Björk", "Ek", "Tall", "Gran", "Lind", "Alm", "Asp", "Rönn", "Sjö", "Strand", "Äng", "Berg", "Dal", "Hag",
    "Mosse", "Klint", "Back", "Vik", "Näs", "Lund", "Holm", "Ås", "Torp", "Åker", "Bäck", "Kulle", "Myr", "Sol",
]
STEMS = ["", "vall", "hög", "hag", "by", "ås", "dal", "vik", "lid", "mark"]


def _generated_names():
    for number in itertools.count(1):
        for place, stem in itertools.product(PLACES, STEMS):
            base = f"{place}{stem}"
            suffix = "" if number == 1 else f" {number}"
            yield f"{base}skolan{suffix}", ["grundskola", "fritidshem"]
            yield f"Förskolan {base}en{suffix}", ["forskola"]


def _generate_units(target: int, administration, forms, password, stdout) -> None:
    """Top the administration up to ``target`` open units, each with its own rektor."""
    existing = set(Unit.objects.values_list("name", flat=True))
    missing = target - Unit.objects.filter(administration=administration).count()
    if missing <= 0:
        return
    names = (item for item in _generated_names() if item[0] not in existing)
    new_units, form_links = [], []
    for name, form_codes in itertools.islice(names, missing):
        new_units.append(Unit(name=name, administration=administration))
        form_links.append(form_codes)
    bulk_create_with_history(new_units, Unit, batch_size=500)
    created = Unit.objects.filter(name__in=[u.name for u in new_units], administration=administration)
    by_name = {unit.name: unit for unit in created}
    Through = Unit.school_forms.through
    Through.objects.bulk_create(
        [
            Through(unit_id=by_name[unit.name].pk, schoolform_id=forms[code].pk)
            for unit, codes in zip(new_units, form_links)
            for code in codes
        ],
        batch_size=1000,
    )
    start = User.objects.filter(username__startswith="rektor-").count()
    rectors = [
        User(
            username=f"rektor-{start + i + 1:04d}",
            first_name="Rektor",
            last_name=f"{start + i + 1:04d}",
            title="Rektor",
            email=f"rektor-{start + i + 1:04d}@{EMAIL_DOMAIN}",
            password=password,
        )
        for i in range(len(new_units))
    ]
    bulk_create_with_history(rectors, User, batch_size=500)
    saved = {u.username: u for u in User.objects.filter(username__in=[r.username for r in rectors])}
    bulk_create_with_history(
        [
            RoleAssignment(user=saved[rector.username], role=Role.RECTOR, unit=by_name[unit.name])
            for rector, unit in zip(rectors, new_units)
        ],
        RoleAssignment,
        batch_size=500,
    )
    if stdout:
        stdout.write(f"Generated {len(new_units)} units with a rektor each.")
