"""The audit log: logins, failed logins, lock-outs, logouts and changes to roles and accounts
are recorded with who acted, whom it concerned, when and from where; system administrators read
the log in the admin and nobody can change it."""

from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.models import Q
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation
from simple_history.models import HistoricalRecords

from ska.models import AuditEvent, Role, RoleAssignment

from ..factories import PASSWORD, UserFactory

Kind = AuditEvent.Kind


def _events(**filters):
    return list(AuditEvent.objects.filter(**filters).order_by("pk"))


def _every_value_logged() -> str:
    return "\n".join(str(value) for row in AuditEvent.objects.values_list() for value in row)


# --- Logins ---------------------------------------------------------------------------
def test_a_login_and_a_logout_are_logged_with_the_address(people):
    client = Client(REMOTE_ADDR="10.1.2.3")
    assert client.post(reverse("login"), {"username": "rektor", "password": PASSWORD}).status_code == 302
    [login] = _events(kind=Kind.LOGIN)
    assert (login.actor, login.subject, login.ip_address) == (people.rector, people.rector, "10.1.2.3")
    assert login.subject_name.endswith("(rektor)")
    client.post(reverse("logout"))
    [logout] = _events(kind=Kind.LOGOUT)
    assert (logout.actor, logout.subject, logout.ip_address) == (people.rector, people.rector, "10.1.2.3")
    assert logout.occurred_at >= login.occurred_at


def test_behind_a_proxy_the_address_the_proxy_saw_is_logged_not_a_forged_one(people, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.44")
    client.post(reverse("login"), {"username": "rektor", "password": PASSWORD})
    assert [e.ip_address for e in _events(kind=Kind.LOGIN)] == ["192.0.2.44"]


def test_a_failed_login_of_a_known_person_names_them_but_never_the_password(people):
    response = Client(REMOTE_ADDR="10.1.2.3").post(
        reverse("login"), {"username": "REKTOR", "password": "hemligt-lösen-1"}
    )
    assert response.status_code == 200
    [failed] = _events(kind=Kind.LOGIN_FAILED)
    assert failed.subject == people.rector and failed.actor is None and failed.ip_address == "10.1.2.3"
    assert "Fel lösenord" in failed.description
    assert "hemligt-lösen-1" not in _every_value_logged()
    assert not _events(kind=Kind.LOGIN)


def test_a_failed_login_with_an_unknown_name_keeps_the_typed_name_shortened(db):
    typed = "nagon.som.inte.finns." + "x" * 200
    Client().post(reverse("login"), {"username": typed, "password": "hemligt-lösen-2"})
    [failed] = _events(kind=Kind.LOGIN_FAILED)
    assert failed.subject is None
    assert failed.subject_name == typed[:64] + "…"
    assert "Okänt inloggningsnamn" in failed.description
    assert "hemligt-lösen-2" not in _every_value_logged()


def test_a_lock_out_is_logged(people):
    client = Client(REMOTE_ADDR="10.9.9.9")
    for _ in range(5):
        client.post(reverse("login"), {"username": "rektor", "password": "fel"})
    assert len(_events(kind=Kind.LOGIN_FAILED)) == 5
    [locked] = _events(kind=Kind.LOCKED_OUT)
    assert locked.subject == people.rector and locked.ip_address == "10.9.9.9"
    # Still locked: the right password is refused, and that is logged too.
    assert client.post(reverse("login"), {"username": "rektor", "password": PASSWORD}).status_code == 429
    assert len(_events(kind=Kind.LOCKED_OUT)) == 2
    assert not _events(kind=Kind.LOGIN)


# --- Role and account changes through the admin ----------------------------------------------
class _FormReader(HTMLParser):
    """The values a browser would send for the admin's change form."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, str] = {}
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data[name] = attrs.get("value", "on")
            else:
                self.data[name] = attrs.get("value", "")
        elif tag == "select" and name:
            self._select = name
            if "multiple" not in attrs:  # a browser sends nothing for a multiple select left empty
                self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def _change_form(client, user) -> tuple[str, dict[str, str]]:
    url = reverse("admin:ska_user_change", args=[user.pk])
    response = client.get(url)
    assert response.status_code == 200
    reader = _FormReader()
    reader.feed(response.content.decode())
    return url, {k: v for k, v in reader.data.items() if "__prefix__" not in k and k != "csrfmiddlewaretoken"}


def _save(client, url, data):
    response = client.post(url, {**data, "_continue": "1"})
    assert response.status_code == 302, response.content.decode()[:3000]


def test_roles_added_changed_and_removed_in_the_admin_are_logged_with_the_administrator(org, people, login):
    admin = login(people.sysadmin)
    person = people.contributor
    url, data = _change_form(admin, person)
    assert data["role_assignments-TOTAL_FORMS"] == "1" and data["role_assignments-0-role"] == Role.CONTRIBUTOR
    assert not _events(kind__startswith="role", actor=people.sysadmin)

    # Change: a contributor becomes the unit's rektor.
    data["role_assignments-0-role"] = Role.RECTOR
    _save(admin, url, data)
    [changed] = _events(kind=Kind.ROLE_CHANGED)
    assert (changed.actor, changed.subject, changed.ip_address) == (people.sysadmin, person, "127.0.0.1")
    assert changed.description == (
        "Medarbetare i enhetens kvalitetsarbete, Österportskolan (Förstelärare) → Rektor, Österportskolan (Förstelärare)"
    )

    # Add: a second unit.
    url, data = _change_form(admin, person)
    data.update({
        "role_assignments-TOTAL_FORMS": "2",
        "role_assignments-1-role": Role.RECTOR,
        "role_assignments-1-unit": str(org.other_unit.pk),
        "role_assignments-1-user": str(person.pk),
    })
    _save(admin, url, data)
    [added] = _events(kind=Kind.ROLE_ADDED, subject=person, actor=people.sysadmin)
    assert added.description == "Rektor, Västervångskolan"

    # Remove the first.
    url, data = _change_form(admin, person)
    first = next(k[: -len("-id")] for k, v in data.items() if k.endswith("-id") and v == str(
        RoleAssignment.objects.get(user=person, unit=org.unit).pk))
    data[f"{first}-DELETE"] = "on"
    _save(admin, url, data)
    [removed] = _events(kind=Kind.ROLE_REMOVED)
    assert (removed.actor, removed.subject) == (people.sysadmin, person)
    assert removed.description == "Rektor, Österportskolan (Förstelärare)"
    assert list(RoleAssignment.objects.filter(user=person).values_list("unit", flat=True)) == [org.other_unit.pk]

    # Saving again without a change logs nothing more.
    before = AuditEvent.objects.count()
    url, data = _change_form(admin, person)
    _save(admin, url, data)
    assert AuditEvent.objects.count() == before


def test_deactivating_or_promoting_an_account_in_the_admin_is_logged(people, login):
    admin = login(people.sysadmin)
    url, data = _change_form(admin, people.rector)
    data.pop("is_active")
    data["is_superuser"] = "on"
    _save(admin, url, data)
    [changed] = _events(kind=Kind.ACCOUNT_CHANGED)
    assert (changed.actor, changed.subject) == (people.sysadmin, people.rector)
    assert changed.description == "aktiv: ja → nej; superanvändare: nej → ja"


def test_a_password_set_by_an_administrator_is_logged_without_the_password(people, login):
    admin = login(people.sysadmin)
    url = reverse("admin:auth_user_password_change", args=[people.rector.pk])
    new_password = "Nytt-hemligt-lösen-42"
    response = admin.post(url, {"password1": new_password, "password2": new_password, "usable_password": "true"})
    assert response.status_code == 302, response.content.decode()[:2000]
    people.rector.refresh_from_db()
    assert people.rector.check_password(new_password)
    [changed] = _events(kind=Kind.ACCOUNT_CHANGED)
    assert (changed.actor, changed.subject, changed.ip_address) == (people.sysadmin, people.rector, "127.0.0.1")
    assert changed.description == "En administratör satte lösenordet."
    assert new_password not in _every_value_logged() and people.rector.password not in _every_value_logged()

    # Turning password login off is logged too.
    response = admin.post(url, {"usable_password": "false", "unset-password": "1"})
    assert response.status_code == 302, response.content.decode()[:2000]
    people.rector.refresh_from_db()
    assert not people.rector.has_usable_password()
    assert [e.description for e in _events(kind=Kind.ACCOUNT_CHANGED)] == [
        "En administratör satte lösenordet.",
        "En administratör stängde av inloggning med lösenord.",
    ]


def test_a_refused_password_change_logs_nothing(people, login):
    admin = login(people.sysadmin)
    url = reverse("admin:auth_user_password_change", args=[people.rector.pk])
    response = admin.post(url, {"password1": "Nytt-hemligt-lösen-42", "password2": "annat", "usable_password": "true"})
    assert response.status_code == 200
    assert not _events(kind=Kind.ACCOUNT_CHANGED)


def test_roles_changed_outside_a_request_are_logged_without_an_actor(org, people):
    assignment = RoleAssignment.objects.create(user=people.outsider, role=Role.SYSADMIN)
    assignment.delete()
    events = _events(subject=people.outsider)
    assert [(e.kind, e.actor, e.description) for e in events] == [
        (Kind.ROLE_ADDED, None, "Systemadministratör"),
        (Kind.ROLE_REMOVED, None, "Systemadministratör"),
    ]


def test_a_deleted_account_keeps_its_name_in_the_log(org, people):
    person = UserFactory(username="tillfallig")
    RoleAssignment.objects.create(user=person, role=Role.RECTOR, unit=org.unit)
    person.delete()
    rows = _events(subject_name__contains="tillfallig")
    assert [e.kind for e in rows] == [Kind.ROLE_ADDED, Kind.ROLE_REMOVED, Kind.ACCOUNT_CHANGED]
    assert all(e.subject is None for e in rows)


def test_a_person_deleting_their_own_account_in_a_request_leaves_no_dangling_link(org, people, settings):
    person = UserFactory(username="sjalvraderad", first_name="Sigrid", last_name="Själv")
    RoleAssignment.objects.create(user=person, role=Role.RECTOR, unit=org.unit)
    settings.SIMPLE_HISTORY_ENABLED = False  # the audit log's rows are checked here, not the history's
    request = RequestFactory().post("/konto/")
    request.user = person
    HistoricalRecords.context.request = request
    try:
        person.delete()
    finally:
        del HistoricalRecords.context.request
    connection.check_constraints()  # no row points at the deleted account
    removed, deleted = _events(kind__in=[Kind.ROLE_REMOVED, Kind.ACCOUNT_CHANGED])
    for event in (removed, deleted):
        assert event.actor is None and event.subject is None
        assert event.actor_name == event.subject_name == "Sigrid Själv (sjalvraderad)"
    assert deleted.description == "Kontot borttaget"


# --- Groups and permissions -------------------------------------------------------------------
def _descriptions(person):
    return [e.description for e in _events(kind=Kind.PERMISSIONS_CHANGED, subject=person)]


def test_groups_added_removed_and_cleared_on_the_person_are_logged(people):
    person = people.contributor
    readers, writers = Group.objects.create(name="Läsare"), Group.objects.create(name="Skribenter")
    person.groups.add(writers, readers)
    person.groups.remove(writers)
    person.groups.add(writers)
    person.groups.clear()
    person.groups.clear()  # nothing left: nothing logged
    assert _descriptions(person) == [
        "Tillagd i grupper: Läsare, Skribenter",
        "Borttagen ur grupper: Skribenter",
        "Tillagd i grupper: Skribenter",
        "Borttagen ur grupper: Läsare, Skribenter",
    ]


def test_groups_changed_from_the_groups_side_are_logged_for_each_person(people):
    group = Group.objects.create(name="Granskare")
    group.user_set.add(people.rector, people.contributor)
    group.user_set.remove(people.rector)
    group.user_set.add(people.secretary)
    group.user_set.clear()
    assert _descriptions(people.rector) == ["Tillagd i grupper: Granskare", "Borttagen ur grupper: Granskare"]
    assert _descriptions(people.contributor) == ["Tillagd i grupper: Granskare", "Borttagen ur grupper: Granskare"]
    assert _descriptions(people.secretary) == ["Tillagd i grupper: Granskare", "Borttagen ur grupper: Granskare"]


def test_permissions_given_taken_and_cleared_are_logged_from_either_side(people):
    person = people.contributor
    change, view = Permission.objects.get(codename="change_unit"), Permission.objects.get(codename="view_unit")
    with translation.override("sv"):
        change_name, view_name = str(change), str(view)
    person.user_permissions.add(change, view)
    person.user_permissions.remove(view)
    person.user_permissions.clear()
    view.user_set.add(person)
    view.user_set.clear()
    both = ", ".join(sorted([change_name, view_name]))
    assert _descriptions(person) == [
        f"Behörigheter givna: {both}",
        f"Behörigheter borttagna: {view_name}",
        f"Behörigheter borttagna: {change_name}",
        f"Behörigheter givna: {view_name}",
        f"Behörigheter borttagna: {view_name}",
    ]


# --- Reading the log -------------------------------------------------------------------------
def test_administrators_read_and_filter_the_log_and_nobody_can_change_it(people, login):
    Client(REMOTE_ADDR="10.1.2.3").post(reverse("login"), {"username": "rektor", "password": "fel"})
    Client().post(reverse("login"), {"username": "rektor2", "password": PASSWORD})
    failed = AuditEvent.objects.get(kind=Kind.LOGIN_FAILED)
    admin = login(people.sysadmin)
    changelist = reverse("admin:ska_auditevent_changelist")

    body = admin.get(changelist).content.decode()
    assert "10.1.2.3" in body and "rektor2" in body
    assert f"?person={people.rector.pk}" in body  # names lead to the person's events

    by_kind = admin.get(changelist, {"kind__exact": Kind.LOGIN_FAILED}).context["cl"].result_list
    assert list(by_kind) == [failed]
    by_person = admin.get(changelist, {"person": people.other_rector.pk}).context["cl"].result_list
    assert {e.kind for e in by_person} == {Kind.LOGIN, Kind.ROLE_ADDED} and len(by_person) == 2
    assert all(people.other_rector.pk in (e.actor_id, e.subject_id) for e in by_person)
    by_search = admin.get(changelist, {"q": "10.1.2.3"}).context["cl"].result_list
    assert list(by_search) == [failed]
    by_date = admin.get(changelist, {
        "occurred_at__gte": failed.occurred_at.date().isoformat(),
    }).context["cl"].result_list
    assert failed in by_date

    # Read-only for the administrator too.
    assert admin.get(reverse("admin:ska_auditevent_add")).status_code == 403
    assert admin.post(reverse("admin:ska_auditevent_delete", args=[failed.pk]), {"post": "yes"}).status_code == 403
    assert admin.post(reverse("admin:ska_auditevent_change", args=[failed.pk]), {"description": "x"}).status_code == 403
    assert admin.post(changelist, {"action": "delete_selected", "_selected_action": [failed.pk], "post": "yes"}).status_code in (200, 302)
    failed.refresh_from_db()
    assert failed.description.startswith("Fel lösenord") and AuditEvent.objects.filter(pk=failed.pk).exists()


@pytest.mark.parametrize("who", ["rector", "leadership", "secretary", "outsider"])
def test_no_one_but_administrators_sees_the_log(people, login, who):
    client = login(getattr(people, who))
    assert client.get(reverse("admin:ska_auditevent_changelist")).status_code == 403


def test_the_application_cannot_change_or_delete_a_row(people):
    Client().post(reverse("login"), {"username": "rektor", "password": "fel"})
    event = AuditEvent.objects.get(kind=Kind.LOGIN_FAILED)
    event.description = "ändrad"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(Q(pk=event.pk)).update(description="ändrad")
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).description.startswith("Fel lösenord")
