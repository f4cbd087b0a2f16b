"""The audit log: logins, failed logins, lock-outs, logouts and changes to roles and permissions.

Rows are written by ``ska.audit`` from Django's authentication signals and from the signals of
the role and person models, whatever made the change (the admin, a command, a service). They are
only ever added: the model refuses to update or delete one, and the admin shows them read-only.
Who acted and whom it concerned are kept both as a link and as a name, so that a row still
says who it was about if the person's account is ever removed.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Audit events are never changed.")

    def delete(self):
        raise TypeError("Audit events are never deleted.")


class AuditEvent(models.Model):
    class Kind(models.TextChoices):
        LOGIN = "login", _("Login")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOCKED_OUT = "locked_out", _("Locked out after failed logins")
        LOGOUT = "logout", _("Logout")
        ROLE_ADDED = "role_added", _("Role added")
        ROLE_CHANGED = "role_changed", _("Role changed")
        ROLE_REMOVED = "role_removed", _("Role removed")
        ACCOUNT_CHANGED = "account_changed", _("Account status changed")
        PERMISSIONS_CHANGED = "permissions_changed", _("Groups or permissions changed")

    occurred_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    kind = models.CharField(_("event"), max_length=30, choices=Kind.choices, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who acted"),
    )
    actor_name = models.CharField(_("who acted (name)"), max_length=150, blank=True)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("whom it concerned"),
    )
    subject_name = models.CharField(_("whom it concerned (name)"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    description = models.CharField(_("description"), max_length=500, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["actor", "-occurred_at"], name="audit_actor_time"),
            models.Index(fields=["subject", "-occurred_at"], name="audit_subject_time"),
        ]

    def __str__(self):
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.get_kind_display()}: {self.subject_name or self.actor_name}"

    def save(self, *args, **kwargs):
        if self.pk is not None or not self._state.adding:
            raise TypeError("Audit events are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit events are never deleted.")
