import pytest
from django.db import IntegrityError, transaction

from ska.models import Role, RoleAssignment, Unit
from ska.schoolyear import SchoolYear, Term

from ..factories import UserFactory


def test_a_unit_belongs_to_the_administration_or_a_provider_never_both_or_neither(org):
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.create(name="Båda", administration=org.administration, provider=org.provider)
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.create(name="Ingen")
    assert not Unit.objects.filter(name__in=["Båda", "Ingen"]).exists()


@pytest.mark.parametrize(
    "role, scope",
    [
        (Role.RECTOR, {}),
        (Role.RECTOR, {"administration": "administration"}),
        (Role.LEADERSHIP, {"unit": "unit"}),
        (Role.PROVIDER_CONTACT, {"unit": "provider_unit"}),
        (Role.SECRETARY, {"provider": "provider"}),
        (Role.SYSADMIN, {"unit": "unit"}),
        (Role.RECTOR, {"unit": "unit", "provider": "provider"}),
    ],
)
def test_a_role_is_scoped_to_exactly_what_it_concerns(org, role, scope):
    user = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=user, role=role, **{k: getattr(org, v) for k, v in scope.items()})


def test_the_same_role_cannot_be_given_twice(org):
    user = UserFactory()
    RoleAssignment.objects.create(user=user, role=Role.RECTOR, unit=org.unit)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=user, role=Role.RECTOR, unit=org.unit)
    RoleAssignment.objects.create(user=user, role=Role.RECTOR, unit=org.other_unit)  # another unit is fine
    RoleAssignment.objects.create(user=user, role=Role.SYSADMIN)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=user, role=Role.SYSADMIN)


def test_email_is_unique_regardless_of_case(db):
    UserFactory(username="a", email="Karin.Holm@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(username="b", email="karin.holm@EXAMPLE.org")
    UserFactory(username="c", email="")
    UserFactory(username="d", email="")  # many people may lack an address


def test_changes_to_units_and_roles_are_kept_in_history(org):
    org.unit.name = "Österportskolan F–6"
    org.unit.save()
    names = [h.name for h in org.unit.history.order_by("history_date")]
    assert names[0] == "Österportskolan" and names[-1] == "Österportskolan F–6"
    user = UserFactory()
    assignment = RoleAssignment.objects.create(user=user, role=Role.RECTOR, unit=org.unit)
    assignment.delete()
    assert [h.history_type for h in RoleAssignment.history.filter(user_id=user.pk).order_by("history_date")] == ["+", "-"]


def test_school_year_and_term_fields_round_trip_through_the_database(org):
    from django.db.models import Value

    from ska.fields import SchoolYearField, TermField

    unit = Unit.objects.annotate(
        year=Value(SchoolYear(2025), output_field=SchoolYearField()),
        term=Value(Term.parse("VT 2026"), output_field=TermField()),
    ).get(pk=org.unit.pk)
    assert unit.year == SchoolYear(2025) and str(unit.year) == "2025/26"
    assert unit.term == Term.parse("VT 2026")
    # Stored as integers whose order is time order.
    assert SchoolYearField().get_prep_value("2025/26") == 2025
    assert TermField().get_prep_value(Term.parse("HT 2025")) < TermField().get_prep_value(Term.parse("VT 2026"))
