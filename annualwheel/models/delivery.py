"""How the wheel reaches people outside the app: calendar feeds and e-mail reminders."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .wheels import Occurrence, Wheel


def new_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A private address that calendar programs subscribe to, without logging in.

    Without a wheel it is the person's own feed (everything that concerns them); with one, that
    wheel's. The token is the only secret: revoking it stops the address for good, and a new
    feed gets a new token. What the feed shows is checked against the person's access each time.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="calendar_feeds", verbose_name=_("user"))
    wheel = models.ForeignKey(
        Wheel, models.CASCADE, null=True, blank=True, related_name="feeds", verbose_name=_("wheel")
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        ordering = ["-created_at"]

    def __str__(self):
        return str(self.wheel) if self.wheel_id else str(_("My calendar"))

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ReminderPreference(models.Model):
    """A person's choice about reminders; without a row, reminders are on and the digest off."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="reminder_preference", verbose_name=_("user")
    )
    reminders = models.BooleanField(_("e-mail reminders before deadlines"), default=True)
    weekly_digest = models.BooleanField(_("a weekly summary of the coming week"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reminder preference")
        verbose_name_plural = _("reminder preferences")

    def __str__(self):
        return str(self.user)


class ReminderSent(models.Model):
    """That a person has been reminded of an occurrence: the unique row makes it happen once."""

    occurrence = models.ForeignKey(Occurrence, models.CASCADE, related_name="reminders_sent")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [models.UniqueConstraint(fields=["occurrence", "user"], name="reminder_once_per_person")]


class DigestSent(models.Model):
    """That a person has had the weekly digest for the week starting ``week``."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    week = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("digest sent")
        verbose_name_plural = _("digests sent")
        constraints = [models.UniqueConstraint(fields=["user", "week"], name="digest_once_per_week")]
