import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from ..factories import PASSWORD, UserFactory


@pytest.fixture
def karin(db):
    return UserFactory(username="karin", email="Karin.Holm@ekvalla.example")


@pytest.mark.parametrize("login_name", ["karin", "KARIN", " karin ", "karin.holm@ekvalla.example", "KARIN.HOLM@ekvalla.EXAMPLE"])
def test_log_in_with_user_name_or_email(karin, login_name):
    client = Client()
    response = client.post(reverse("login"), {"username": login_name, "password": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("start")
    assert client.get(reverse("start")).context["user"] == karin


def test_a_wrong_password_is_explained_in_swedish_beside_the_form(karin):
    response = Client().post(reverse("login"), {"username": "karin", "password": "fel"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Användarnamnet eller e-postadressen och lösenordet stämmer inte" in body
    assert 'role="alert"' in body


def test_empty_login_form_marks_the_fields(db):
    body = Client().post(reverse("login"), {}).content.decode()
    assert body.count('aria-invalid="true"') == 2
    assert "Detta fält måste fyllas i." in body


def test_inactive_people_cannot_log_in(karin):
    karin.is_active = False
    karin.save()
    response = Client().post(reverse("login"), {"username": "karin", "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in Client().session


def test_failed_logins_are_throttled_per_name_and_address(karin):
    client = Client(REMOTE_ADDR="10.1.2.3")
    for _ in range(5):
        client.post(reverse("login"), {"username": "karin", "password": "fel"})
    response = client.post(reverse("login"), {"username": "karin", "password": PASSWORD})
    assert response.status_code == 429
    assert "För många misslyckade inloggningar" in response.content.decode()
    assert "Vänta 15 minuter" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # The lock-out is for this name from this address: a colleague behind the same address still gets in.
    colleague = UserFactory(username="erik")
    assert client.post(reverse("login"), {"username": "erik", "password": PASSWORD}).status_code == 302
    assert colleague.pk


def test_password_reset_by_email_end_to_end(karin, django_capture_on_commit_callbacks):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "karin.holm@ekvalla.example"})
    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["Karin.Holm@ekvalla.example"]
    assert message.subject == "Nytt lösenord till SKA"
    link = re.search(r"https?://[^/\s]+(/konto/aterstall/\S+/)", message.body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200 and form_page.context["validlink"]
    new = "Ett-helt-nytt-lösenord-2026"
    done = client.post(form_page.request["PATH_INFO"], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert Client().post(reverse("login"), {"username": "karin", "password": new}).status_code == 302


def test_password_reset_does_not_reveal_who_has_an_account(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(reverse("password_reset"), {"email": "ingen@example.org"})
    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    assert mail.outbox == []


def test_password_change_checks_the_rules_and_explains_in_swedish(karin, login):
    client = login(karin)
    response = client.post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": "123", "new_password2": "123"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Det här lösenordet är för kort" in body
    assert 'aria-invalid="true"' in body
    new = "Lång-och-säker-fras-77"
    response = client.post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    karin.refresh_from_db()
    assert karin.check_password(new)


def test_logout_is_a_post(karin, login):
    client = login(karin)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("start")).status_code == 302


def test_throttling_behind_a_proxy_ignores_forged_forwarded_addresses(karin, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The proxy appends the address it saw; whatever the client wrote before it is ignored.
    for n in range(5):
        Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 198.51.100.7").post(
            reverse("login"), {"username": "karin", "password": "fel"}
        )
    attacker = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.99, 198.51.100.7")
    assert attacker.post(reverse("login"), {"username": "karin", "password": PASSWORD}).status_code == 429
    # Karin herself, from another address behind the same proxy, is not locked out.
    karin_client = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert karin_client.post(reverse("login"), {"username": "karin", "password": PASSWORD}).status_code == 302


def test_user_name_and_email_share_one_count_of_failed_logins(karin):
    client = Client(REMOTE_ADDR="10.1.2.4")
    for login_name in ["karin", "KARIN", "karin.holm@ekvalla.example", "Karin.Holm@ekvalla.example", "karin"]:
        client.post(reverse("login"), {"username": login_name, "password": "fel"})
    response = client.post(reverse("login"), {"username": "karin.holm@ekvalla.example", "password": PASSWORD})
    assert response.status_code == 429


def test_a_password_reset_lifts_the_lock_out(karin, django_capture_on_commit_callbacks):
    client = Client(REMOTE_ADDR="10.1.2.5")
    for _ in range(5):
        client.post(reverse("login"), {"username": "karin", "password": "fel"})
    assert client.post(reverse("login"), {"username": "karin", "password": PASSWORD}).status_code == 429
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": "karin.holm@ekvalla.example"})
    link = re.search(r"https?://[^/\s]+(/konto/aterstall/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    new = "Ett-helt-nytt-lösenord-2026"
    client.post(form_page.request["PATH_INFO"], {"new_password1": new, "new_password2": new})
    assert client.post(reverse("login"), {"username": "karin", "password": new}).status_code == 302


def test_a_login_leaves_no_history_row(karin):
    before = karin.history.count()
    Client().post(reverse("login"), {"username": "karin", "password": PASSWORD})
    karin.refresh_from_db()
    assert karin.last_login is not None
    assert karin.history.count() == before


def test_admin_behind_the_login_page(db):
    from ska.models import Role

    from ..factories import RoleFactory

    RoleFactory(user=UserFactory(username="sysadmin"), role=Role.SYSADMIN)
    client = Client()
    first = client.get("/admin/ska/unit/", follow=True)
    assert first.request["PATH_INFO"] == reverse("login")
    next_url = first.context["next"]
    done = client.post(reverse("login"), {"username": "sysadmin", "password": PASSWORD, "next": next_url}, follow=True)
    assert done.request["PATH_INFO"] == "/admin/ska/unit/" and done.status_code == 200
