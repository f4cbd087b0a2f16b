"""factory_boy factories for the core models."""

import datetime

import factory
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from ska.models import (
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
from ska.schoolyear import Term

PASSWORD = "Rätt-lösenord-42"


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Testkommun {n}")


class CommitteeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Committee

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Barn- och utbildningsnämnden {n}")
    short_name = "BUN"


class AdministrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Administration

    committee = factory.SubFactory(CommitteeFactory)
    municipality = factory.SelfAttribute("committee.municipality")
    name = factory.Sequence(lambda n: f"Utbildningsförvaltningen {n}")


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndependentProvider

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Friskolan {n} AB")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Skola {n:04d}")
    administration = factory.SubFactory(AdministrationFactory)

    @factory.post_generation
    def forms(self, create, codes, **kwargs):
        if create:
            self.school_forms.set(SchoolForm.objects.filter(code__in=codes or ["grundskola"]))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = factory.Faker("first_name", locale="sv_SE")
    last_name = factory.Faker("last_name", locale="sv_SE")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.LazyFunction(lambda: make_password(PASSWORD))


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    role = Role.RECTOR


# --- The goal chain ---------------------------------------------------------------
import datetime  # noqa: E402
from decimal import Decimal  # noqa: E402

from ska.models import Activity, CheckIn, Goal, Indicator  # noqa: E402
from ska.schoolyear import SchoolYear  # noqa: E402

YEAR = SchoolYear(2025)


class AdministrationGoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    level = Goal.Level.ADMINISTRATION
    administration = factory.SubFactory(AdministrationFactory)
    school_year = YEAR
    title = factory.Sequence(lambda n: f"Förvaltningsgemensamt mål {n}")
    start_term = YEAR.autumn
    end_term = YEAR.spring
    # The committee level above is optional in tests; the database only requires a parent for unit goals.


class UnitGoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    level = Goal.Level.UNIT
    unit = factory.SubFactory(UnitFactory)
    parent = factory.SubFactory(AdministrationGoalFactory, administration=factory.SelfAttribute("..unit.administration"))
    school_year = YEAR
    title = factory.Sequence(lambda n: f"Enhetsmål {n}")
    start_term = YEAR.autumn
    end_term = YEAR.spring


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    goal = factory.SubFactory(UnitGoalFactory)
    title = factory.Sequence(lambda n: f"Indikator {n}")
    unit_of_measure = "%"
    baseline_value = Decimal("60")
    baseline_date = datetime.date(2025, 9, 1)
    target_value = Decimal("80")
    target_date = datetime.date(2026, 6, 1)


class CheckInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckIn

    indicator = factory.SubFactory(IndicatorFactory)
    date = datetime.date(2025, 11, 15)
    value = Decimal("65")
    group_size = 48


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    goal = factory.SubFactory(UnitGoalFactory)
    title = factory.Sequence(lambda n: f"Aktivitet {n}")
    status = Activity.Status.ONGOING


# --- Quality dialogues ---------------------------------------------------------------
class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "dialogs.Round"

    administration = factory.SubFactory(AdministrationFactory)
    municipality = factory.SelfAttribute("administration.municipality")
    kind = "provider"
    title = factory.Sequence(lambda n: f"Kvalitetssamtal {n}")
    starts_on = factory.LazyFunction(lambda: timezone.localdate())
    ends_on = factory.LazyAttribute(lambda o: o.starts_on + datetime.timedelta(days=60))
    term = factory.LazyAttribute(lambda o: Term.of(o.starts_on))
    school_year = factory.LazyAttribute(lambda o: o.term.school_year)
    status = "open"
    agenda_topics = factory.LazyFunction(lambda: ["Trygghet och säkerhet", "Resultat och kvalitet"])
    question_guide = factory.LazyFunction(lambda: ["Vad har gått bra?", "Vad behöver utvecklas?"])


class DialogueFactory(factory.django.DjangoModelFactory):
    """A dialogue; give exactly one of unit, provider, committee or role_group."""

    class Meta:
        model = "dialogs.Dialogue"

    round = factory.SubFactory(RoundFactory)


class SlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "dialogs.Slot"
        skip_postgeneration_save = True

    round = factory.SubFactory(RoundFactory)
    starts_at = factory.LazyFunction(
        lambda: timezone.now().replace(minute=0, second=0, microsecond=0)
        + datetime.timedelta(days=14)
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=1))
    place = "Stadshuset, rum 3"

    @factory.post_generation
    def hosts(self, create, extracted, **kwargs):
        if create and extracted:
            self.hosts.set(extracted)
