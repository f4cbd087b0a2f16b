"""Writing the audit log (``ska.models.AuditEvent``) from signals.

Logins, failed logins and logouts come from Django's authentication signals, lock-outs from
django-axes; role assignments, a person's account status (active, staff, superuser) and their
groups and permissions are followed through model signals, so every way of changing them is
logged — the admin, a management command or a service. Who acted and from which address is
read from the request that is being served (simple_history's middleware keeps it for the
thread); outside a request the change is logged without them. A refused single sign-on login is
logged by ``ska.oidc`` with the provider's e-mail address and the reason. The descriptions are
written in the product's language, as the record of what happened. A password is never logged,
only that an administrator set one.
"""

from __future__ import annotations

import ipaddress
from contextvars import ContextVar

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from simple_history.models import HistoricalRecords

from .auth_backends import client_ip
from .models import AuditEvent, RoleAssignment, User

TYPED_NAME_LENGTH = 64  # how much of an unknown login name is kept
# Set on the request by the single sign-on callback (``ska.oidc``), which logs its refusals
# itself: Django's generic failed-login signal knows no name or reason there.
SINGLE_SIGN_ON_MARK = "ska_single_sign_on"
SINGLE_SIGN_ON_LOGGED = "ska_single_sign_on_logged"
ACCOUNT_FIELDS = ("is_active", "is_staff", "is_superuser")

# Accounts being deleted right now: their roles go with them, and the rows that say so must not
# point at an account that is about to disappear.
_deleting_users: ContextVar[frozenset[int]] = ContextVar("ska_audit_deleting_users", default=frozenset())


def _current_request():
    return getattr(HistoricalRecords.context, "request", None)


def _ip(request) -> str | None:
    if request is None:
        return None
    try:
        return str(ipaddress.ip_address(client_ip(request)))
    except ValueError:
        return None


def _name(user) -> str:
    if user is None:
        return ""
    full = user.get_full_name()
    return f"{full} ({user.username})" if full else user.username


def record(kind, *, request=None, actor=None, subject=None, subject_name="", description="") -> AuditEvent:
    """Add one row to the audit log. ``actor`` defaults to the person making the request."""
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if getattr(user, "is_authenticated", False) else None
    deleting = _deleting_users.get()
    actor_name = _name(actor)
    if actor is not None and actor.pk in deleting:  # a person deleting their own account
        actor = None
    if subject is not None and subject.pk in deleting:
        subject_name, subject = subject_name or _name(subject), None
    return AuditEvent.objects.create(
        kind=kind,
        actor=actor,
        actor_name=actor_name[:150],
        subject=subject,
        subject_name=(subject_name or _name(subject))[:150],
        ip_address=_ip(request),
        description=description[:500],
    )


def _in_product_language():
    return translation.override(settings.LANGUAGE_CODE)


# --- Logins -----------------------------------------------------------------------
def _account_for(typed: str):
    """The account a typed login name means, as the login backend reads it."""
    typed = typed.strip()
    if not typed:
        return None
    users = list(get_user_model()._default_manager.filter(Q(username__iexact=typed) | Q(email__iexact=typed))[:2])
    exact = [user for user in users if user.username.lower() == typed.lower()]
    return exact[0] if exact else (users[0] if len(users) == 1 else None)


def on_login(sender, request, user, **kwargs):
    record(AuditEvent.Kind.LOGIN, request=request, actor=user, subject=user)


def on_logout(sender, request, user, **kwargs):
    if user is not None:
        record(AuditEvent.Kind.LOGOUT, request=request, actor=user, subject=user)


def on_login_failed(sender, credentials, request=None, **kwargs):
    if getattr(request, SINGLE_SIGN_ON_MARK, False):
        return  # logged with its reason by single_sign_on_refused()
    # Django has already replaced the password in ``credentials``; only the name is read.
    typed = str((credentials or {}).get("username") or "")
    account = _account_for(typed)
    with _in_product_language():
        if account is None:
            shown = typed.strip()
            if len(shown) > TYPED_NAME_LENGTH:
                shown = shown[:TYPED_NAME_LENGTH] + "…"
            record(AuditEvent.Kind.LOGIN_FAILED, request=request, actor=None, subject_name=shown,
                   description=_("Unknown login name."))
        else:
            record(AuditEvent.Kind.LOGIN_FAILED, request=request, actor=None, subject=account,
                   description=_("Wrong password, or the account is not active."))


def single_sign_on_refused(request, reason: str, email: str = "", account=None) -> None:
    """A refused single sign-on login (``ska.oidc``): the e-mail address the provider gave, or
    the account it belongs to, and why. ``reason`` is an untranslated message."""
    if getattr(request, SINGLE_SIGN_ON_LOGGED, False):
        return  # one row per attempt
    setattr(request, SINGLE_SIGN_ON_LOGGED, True)
    shown = email if len(email) <= TYPED_NAME_LENGTH else email[:TYPED_NAME_LENGTH] + "…"
    with _in_product_language():
        record(AuditEvent.Kind.LOGIN_FAILED, request=request, actor=None, subject=account,
               subject_name="" if account else shown, description=_(reason))


def on_locked_out(sender, request, username, ip_address=None, **kwargs):
    account = _account_for(username or "")
    with _in_product_language():
        description = _("Too many failed logins: further tries from this address are refused for a while.")
        record(AuditEvent.Kind.LOCKED_OUT, request=request, actor=None, subject=account,
               subject_name="" if account else (username or "")[:TYPED_NAME_LENGTH], description=description)


def on_password_set_in_admin(user) -> None:
    """An administrator set a person's password in the admin (or turned password login off)."""
    with _in_product_language():
        if user.has_usable_password():
            description = _("Password set by an administrator.")
        else:
            description = _("Password login turned off by an administrator.")
        record(AuditEvent.Kind.ACCOUNT_CHANGED, request=_current_request(), subject=user, description=description)


# --- Roles ------------------------------------------------------------------------
def _describe_role(assignment: RoleAssignment) -> str:
    text = assignment.get_role_display()
    scope = assignment.scope
    if scope is not None:
        text += f", {scope}"
    if assignment.title:
        text += f" ({assignment.title})"
    return text


def before_role_saved(sender, instance, raw=False, **kwargs):
    instance._audit_before = None
    if raw or instance.pk is None:
        return
    old = RoleAssignment.objects.select_related("user", "unit", "administration", "committee", "provider").filter(
        pk=instance.pk).first()
    if old is not None:
        with _in_product_language():
            instance._audit_before = (old.user, _describe_role(old))


def on_role_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    request = _current_request()
    with _in_product_language():
        now = _describe_role(instance)
        before = getattr(instance, "_audit_before", None)
        if created or before is None:
            record(AuditEvent.Kind.ROLE_ADDED, request=request, subject=instance.user, description=now)
            return
        old_user, then = before
        if old_user.pk != instance.user_id:
            record(AuditEvent.Kind.ROLE_REMOVED, request=request, subject=old_user, description=then)
            record(AuditEvent.Kind.ROLE_ADDED, request=request, subject=instance.user, description=now)
        elif then != now:
            record(AuditEvent.Kind.ROLE_CHANGED, request=request, subject=instance.user, description=f"{then} → {now}")


def on_role_deleted(sender, instance, **kwargs):
    user = User.objects.filter(pk=instance.user_id).first()
    with _in_product_language():
        record(AuditEvent.Kind.ROLE_REMOVED, request=_current_request(), subject=user,
               description=_describe_role(instance))


# --- Accounts, groups and permissions -----------------------------------------------
def before_user_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    instance._audit_before = None
    if raw or instance.pk is None:
        return
    if update_fields is not None and not set(update_fields) & set(ACCOUNT_FIELDS):
        return  # e.g. the last login time: nothing to compare
    instance._audit_before = User.objects.filter(pk=instance.pk).values(*ACCOUNT_FIELDS).first()


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def on_user_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    before = getattr(instance, "_audit_before", None)
    with _in_product_language():
        labels = {field: User._meta.get_field(field).verbose_name for field in ACCOUNT_FIELDS}
        if created:
            granted = [str(labels[field]) for field in ACCOUNT_FIELDS if field != "is_active" and getattr(instance, field)]
            if granted or not instance.is_active:
                changes = [f"{labels[f]}: {_yes_no(getattr(instance, f))}" for f in ACCOUNT_FIELDS]
                record(AuditEvent.Kind.ACCOUNT_CHANGED, request=_current_request(), subject=instance,
                       description=_("New account") + ": " + "; ".join(changes))
            return
        if not before:
            return
        changes = [
            f"{labels[field]}: {_yes_no(before[field])} → {_yes_no(getattr(instance, field))}"
            for field in ACCOUNT_FIELDS
            if before[field] != getattr(instance, field)
        ]
        if changes:
            record(AuditEvent.Kind.ACCOUNT_CHANGED, request=_current_request(), subject=instance,
                   description="; ".join(changes))


def before_user_deleted(sender, instance, **kwargs):
    _deleting_users.set(_deleting_users.get() | {instance.pk})


def on_user_deleted(sender, instance, **kwargs):
    with _in_product_language():
        record(AuditEvent.Kind.ACCOUNT_CHANGED, request=_current_request(), subject=instance,
               description=_("Account deleted"))
    _deleting_users.set(_deleting_users.get() - {instance.pk})


def _on_m2m(field: str, added: str, removed: str):
    """A handler for a person's ``groups`` or ``user_permissions``, changed from either side.
    ``added`` and ``removed`` are the messages (with ``%(names)s``)."""

    def handler(sender, instance, action, reverse, model, pk_set, **kwargs):
        if action not in ("post_add", "post_remove", "pre_clear"):
            return
        request = _current_request()
        with _in_product_language():
            message = _(added) if action == "post_add" else _(removed)
            if not reverse:  # user.groups.add(group, ...)
                if action == "pre_clear":
                    pk_set = set(getattr(instance, field).values_list("pk", flat=True))
                # A permission's name reads its content type: fetched with it, not one query each.
                named = model._default_manager.filter(pk__in=pk_set or ())
                if model is Permission:
                    named = named.select_related("content_type")
                names = ", ".join(sorted(str(obj) for obj in named))
                if names:
                    record(AuditEvent.Kind.PERMISSIONS_CHANGED, request=request, subject=instance,
                           description=message % {"names": names})
                return
            # group.user_set.add(user, ...)
            if action == "pre_clear":
                pk_set = set(instance.user_set.values_list("pk", flat=True))
            for user in User.objects.filter(pk__in=pk_set or ()):
                record(AuditEvent.Kind.PERMISSIONS_CHANGED, request=request, subject=user,
                       description=message % {"names": str(instance)})

    return handler


# The messages, marked for translation where they are written.
GROUPS_ADDED = gettext_noop("Added to groups: %(names)s")
GROUPS_REMOVED = gettext_noop("Removed from groups: %(names)s")
PERMISSIONS_ADDED = gettext_noop("Permissions given: %(names)s")
PERMISSIONS_REMOVED = gettext_noop("Permissions taken away: %(names)s")


def connect() -> None:
    """Called once from the app's ``ready()``."""
    uid = "ska.audit."
    user_logged_in.connect(on_login, dispatch_uid=uid + "login")
    user_logged_out.connect(on_logout, dispatch_uid=uid + "logout")
    user_login_failed.connect(on_login_failed, dispatch_uid=uid + "login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid=uid + "locked_out")
    pre_save.connect(before_role_saved, sender=RoleAssignment, dispatch_uid=uid + "role_pre_save")
    post_save.connect(on_role_saved, sender=RoleAssignment, dispatch_uid=uid + "role_post_save")
    post_delete.connect(on_role_deleted, sender=RoleAssignment, dispatch_uid=uid + "role_post_delete")
    pre_save.connect(before_user_saved, sender=User, dispatch_uid=uid + "user_pre_save")
    post_save.connect(on_user_saved, sender=User, dispatch_uid=uid + "user_post_save")
    pre_delete.connect(before_user_deleted, sender=User, dispatch_uid=uid + "user_pre_delete")
    post_delete.connect(on_user_deleted, sender=User, dispatch_uid=uid + "user_post_delete")
    m2m_changed.connect(_on_m2m("groups", GROUPS_ADDED, GROUPS_REMOVED), sender=User.groups.through,
                        dispatch_uid=uid + "groups")
    m2m_changed.connect(_on_m2m("user_permissions", PERMISSIONS_ADDED, PERMISSIONS_REMOVED),
                        sender=User.user_permissions.through, dispatch_uid=uid + "permissions")
