import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from ska.demo import DEMO_PASSWORD
from ska.models import IndependentProvider, Role, RoleAssignment, Unit, User

DEMO_LOGINS = ["admin", "skolchef", "rektor", "rektor2", "forskolerektor", "sekreterare", "ledamot", "fristaende"]


def _counts():
    return (Unit.objects.count(), User.objects.count(), RoleAssignment.objects.count(), IndependentProvider.objects.count())


def test_seed_demo_builds_a_realistic_municipality_and_is_idempotent(db):
    call_command("seed_demo")
    first = _counts()
    call_command("seed_demo")
    assert _counts() == first
    assert Unit.objects.municipal().count() >= 12
    assert IndependentProvider.objects.count() == 2
    assert Unit.objects.municipal().filter(school_forms__code="forskola").exists()
    assert Unit.objects.municipal().filter(school_forms__code="grundskola").exists()
    for role in Role.values:
        assert RoleAssignment.objects.filter(role=role).exists(), role


@pytest.mark.parametrize("username", DEMO_LOGINS)
def test_every_demo_login_works_with_the_demo_password(db, username):
    call_command("seed_demo")
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, username
    assert client.get(reverse("start")).status_code == 200


def test_demo_roles_are_the_ones_the_readme_promises(db):
    call_command("seed_demo")

    def roles(username):
        return {(a.role, str(a.scope or "")) for a in RoleAssignment.objects.filter(user__username=username)}

    assert ("rector", "Österportskolan") in roles("rektor")
    assert ("rector", "Västervångskolan") in roles("rektor2")
    assert {scope for role, scope in roles("forskolerektor")} >= {"Förskolan Solrosen", "Förskolan Ekorren"}
    assert roles("skolchef") == {("leadership", "Utbildningsförvaltningen förskola och grundskola")}
    assert roles("sekreterare") == {("secretary", "Barn- och utbildningsnämnden")}
    assert roles("ledamot") == {("member", "Barn- och utbildningsnämnden")}
    assert roles("fristaende") == {("provider_contact", "Stiftelsen Montessoriskolan Lyckan")}
    assert User.objects.get(username="admin").is_superuser
    grund = Unit.objects.get(name="Österportskolan").school_forms.values_list("code", flat=True)
    assert "grundskola" in grund


def test_seed_demo_generates_a_large_municipality(db):
    call_command("seed_demo", units=120)
    administration_units = Unit.objects.municipal()
    assert administration_units.count() == 120
    assert len(set(administration_units.values_list("name", flat=True))) == 120
    without_rector = administration_units.exclude(role_assignments__role=Role.RECTOR)
    assert not without_rector.exists()
    call_command("seed_demo", units=120)
    assert Unit.objects.municipal().count() == 120


def test_seed_demo_refuses_nonsense(db):
    with pytest.raises(CommandError):
        call_command("seed_demo", units=0)


def test_seed_demo_refuses_production_mode(db, settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo")
    assert not User.objects.filter(username="admin").exists()


def test_generated_units_have_history(db):
    call_command("seed_demo", units=20)
    generated = Unit.objects.filter(role_assignments__user__username__startswith="rektor-")
    assert generated.count() == 20 - 12
    assert all(unit.history.exists() for unit in generated)


def test_the_demo_on_6_december_a_complete_previous_year_rolled_over_into_this_one(db):
    import datetime

    import time_machine

    from annualwheel.services.deadlines import overdue_follow_ups
    from ska.chain_status import administration_goals, chain_matrix
    from ska.models import Administration, CheckIn, Goal, Indicator
    from ska.schoolyear import SchoolYear

    with time_machine.travel(datetime.datetime(2026, 12, 6, 9, 0), tick=False):
        call_command("seed_demo")
        counts = (Goal.objects.count(), CheckIn.objects.count())
        call_command("seed_demo")
        assert (Goal.objects.count(), CheckIn.objects.count()) == counts
        current = SchoolYear.current()
        previous = current.previous()
        assert set(Goal.objects.values_list("school_year", flat=True)) == {current, previous}
        administration = Administration.objects.get()
        units = list(Unit.objects.municipal().prefetch_related("school_forms").select_related("administration"))
        # The previous school year is complete for every goal that applies to a unit.
        goals = list(administration_goals(administration, previous))
        assert [g.title for g in goals] and all(g.parent and g.parent.parent for g in goals)  # area → committee → administration
        cells = [c for row in chain_matrix(goals, units, previous) for c in row.cells if c.applicable]
        assert cells and all(c.is_complete for c in cells)
        # This school year continues it: every goal above the units and every unit goal has its
        # last year's goal, and some units leave gaps on purpose.
        this_year = Goal.objects.filter(school_year=current).exclude(level=Goal.Level.LOCAL)
        assert this_year.exists() and not this_year.filter(continued_from__isnull=True).exists()
        cells = [c for row in chain_matrix(list(administration_goals(administration, current)), units, current)
                 for c in row.cells if c.applicable]
        assert any(c.is_complete for c in cells) and any(not c.linked for c in cells)
        assert any(c.linked and not c.is_complete for c in cells)
        # No preschool is asked for a grundskola goal, and nothing fed from Kolada is overdue.
        reading = Goal.objects.get(school_year=current, title="Ökad läsförståelse och läslust")
        assert not Goal.objects.filter(parent=reading, unit__school_forms__code="forskola").exists()
        overdue = overdue_follow_ups(units, current)
        fed = set(Indicator.objects.filter(kolada__isnull=False, goal__school_year=current).values_list("title", flat=True))
        assert fed and overdue  # some units are behind, on purpose
        assert all(not set(g.indicators) & fed for late in overdue.values() for g in late.goals)
        assert all(not g.no_indicator for late in overdue.values() for g in late.goals)
        # Administration-wide indicators are measured by the units they apply to.
        assert Indicator.objects.filter(definition__isnull=False, goal__school_year=current).count() >= 10
    call_command("seed_demo", units=20)
    generated = Unit.objects.filter(role_assignments__user__username__startswith="rektor-")
    assert all(Goal.objects.filter(unit=u, school_year=current).exists() for u in generated)


def test_seed_demo_years_gives_the_chain_more_school_years_once(db):
    from ska.models import ActivityFollowUp, CheckIn, Goal
    from ska.schoolyear import SchoolYear

    call_command("seed_demo", units=14, years=4)
    current = SchoolYear.current()
    wanted = {SchoolYear(current.start_year - back) for back in range(4)}
    assert set(Goal.objects.values_list("school_year", flat=True)) == wanted
    oldest = min(wanted, key=lambda year: year.start_year)
    for unit in Unit.objects.municipal():
        assert Goal.objects.filter(unit=unit, school_year=oldest, level=Goal.Level.UNIT).exists(), unit
    # A finished school year has all its check-ins and follow-ups.
    assert CheckIn.objects.filter(indicator__goal__school_year=oldest).count() >= 3 * 14
    assert ActivityFollowUp.objects.filter(activity__goal__school_year=oldest).exists()
    counts = (Goal.objects.count(), CheckIn.objects.count(), ActivityFollowUp.objects.count())
    call_command("seed_demo", units=14, years=4)
    assert (Goal.objects.count(), CheckIn.objects.count(), ActivityFollowUp.objects.count()) == counts


def test_seed_demo_refuses_no_years(db):
    with pytest.raises(CommandError, match="--years"):
        call_command("seed_demo", years=0)
    assert not Unit.objects.exists()
