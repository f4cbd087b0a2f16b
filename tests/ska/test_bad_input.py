"""Bad input in any form: a Swedish message beside the field, never a 500, nothing half-saved."""

import re

from django.test import Client
from django.urls import reverse

from ska.models import AccessibilityReport, Role, RoleAssignment, Unit

from ..factories import PASSWORD


def _field_error(body: str, field: str) -> bool:
    """An error list tied to the field (aria-describedby points at it)."""
    described = re.search(rf'aria-describedby="([^"]*\bid_{field}_error\b[^"]*)"', body)
    return f'id="id_{field}_error"' in body and described is not None


def test_login_with_overlong_input(db):
    response = Client().post(reverse("login"), {"username": "x" * 5000, "password": "y"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Säkerställ att detta värde har som mest 254 tecken" in body


def test_password_reset_with_a_malformed_address(db):
    response = Client().post(reverse("password_reset"), {"email": "inte en adress"})
    body = response.content.decode()
    assert response.status_code == 200 and _field_error(body, "email")
    assert "Fyll i en giltig e-postadress." in body


def test_password_change_with_wrong_old_password_and_mismatch(people, login):
    response = login(people.rector).post(
        reverse("password_change"),
        {"old_password": "fel", "new_password1": "Ett-bra-lösenord-1", "new_password2": "Ett-annat-lösenord-2"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert _field_error(body, "old_password") and _field_error(body, "new_password2")
    assert "Ditt gamla lösenord var felaktigt" in body
    people.rector.refresh_from_db()
    assert people.rector.check_password(PASSWORD)


def test_accessibility_report_with_overlong_fields_saves_nothing(db):
    response = Client().post(reverse("accessibility"), {"description": "Fel", "name": "n" * 500, "page": "p" * 1000})
    body = response.content.decode()
    assert response.status_code == 200 and _field_error(body, "name") and _field_error(body, "page")
    assert not AccessibilityReport.objects.exists()


def test_unknown_language_is_ignored(db):
    response = Client().post(reverse("set_language"), {"language": "xx", "next": "/tillganglighet/"})
    assert response.status_code == 302
    assert '<html lang="sv">' in Client().get(reverse("accessibility")).content.decode()


def test_language_follows_the_choice_not_the_browser(db):
    client = Client(headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="sv">' in client.get(reverse("login")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in body and "Log in to SKA" in body


def test_admin_explains_a_role_without_its_unit_in_swedish(org, people, login):
    admin = login(people.sysadmin)
    data = {
        "username": people.outsider.username,
        "first_name": "Ny",
        "last_name": "Person",
        "email": "ny@example.org",
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "08:00:00",
        "role_assignments-TOTAL_FORMS": "1",
        "role_assignments-INITIAL_FORMS": "0",
        "role_assignments-0-role": Role.RECTOR,
        "role_assignments-0-title": "",
    }
    response = admin.post(reverse("admin:ska_user_change", args=[people.outsider.pk]), data)
    assert response.status_code == 200
    assert "Välj exakt vad rollen gäller" in response.content.decode()
    assert not RoleAssignment.objects.filter(user=people.outsider).exists()


def test_admin_refuses_a_unit_with_both_organisers(org, people, login):
    admin = login(people.sysadmin)
    response = admin.post(
        reverse("admin:ska_unit_add"),
        {
            "name": "Dubbelskolan",
            "administration": org.administration.pk,
            "provider": org.provider.pk,
            "school_forms": [],
            "role_assignments-TOTAL_FORMS": "0",
            "role_assignments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "antingen till förvaltningen eller till en fristående huvudman" in body
    assert not Unit.objects.filter(name="Dubbelskolan").exists()


def test_admin_offers_only_the_roles_that_fit_a_unit(org, people, login):
    admin = login(people.sysadmin)
    page = admin.get(reverse("admin:ska_unit_change", args=[org.unit.pk])).content.decode()
    assert 'value="rector"' in page and 'value="leadership"' not in page
    response = admin.post(
        reverse("admin:ska_unit_change", args=[org.unit.pk]),
        {
            "name": org.unit.name,
            "administration": org.administration.pk,
            "school_forms": list(org.unit.school_forms.values_list("pk", flat=True)),
            "role_assignments-TOTAL_FORMS": "1",
            "role_assignments-INITIAL_FORMS": "0",
            "role_assignments-0-user": people.outsider.pk,
            "role_assignments-0-role": Role.LEADERSHIP,
        },
    )
    assert response.status_code == 200
    assert "Välj ett giltigt alternativ" in response.content.decode()
    assert not RoleAssignment.objects.filter(user=people.outsider).exists()


def test_a_stale_form_gets_an_explaining_page(people):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "rektor", "password": PASSWORD})
    assert response.status_code == 403
    body = response.content.decode()
    assert "Formuläret har gått ut" in body and '<html lang="sv">' in body
