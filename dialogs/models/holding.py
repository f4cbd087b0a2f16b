"""Holding a dialogue: notes per agenda topic, the counterpart's comments on shared notes,
and the actions agreed (what, who, by when)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ska.models.base import RecordModel

from .rounds import Dialogue


class TopicNote(models.Model):
    """The notes (*minnesanteckningar*) on one topic of the dialogue's agenda."""

    dialogue = models.ForeignKey(Dialogue, models.CASCADE, related_name="topic_notes", verbose_name=_("dialogue"))
    position = models.PositiveSmallIntegerField(_("position"))
    topic = models.CharField(_("topic"), max_length=300)
    notes = models.TextField(_("notes"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("updated by")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("notes on a topic")
        verbose_name_plural = _("notes on topics")
        ordering = ["dialogue", "position"]
        constraints = [models.UniqueConstraint(fields=["dialogue", "position"], name="topic_note_unique_position")]

    def __str__(self):
        return self.topic


class NoteComment(models.Model):
    """A comment on shared notes, by either side; kept, never edited."""

    dialogue = models.ForeignKey(Dialogue, models.CASCADE, related_name="note_comments", verbose_name=_("dialogue"))
    topic_note = models.ForeignKey(
        TopicNote, models.CASCADE, null=True, blank=True, related_name="comments", verbose_name=_("topic")
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("author"))
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        verbose_name = _("comment on the notes")
        verbose_name_plural = _("comments on the notes")
        ordering = ["dialogue", "created_at", "pk"]

    def __str__(self):
        return self.text[:60]


class AgreedAction(RecordModel):
    """An action agreed at a dialogue. It is shown on its owner's start page and comes back
    on the agenda of the next dialogue with the same counterpart."""

    dialogue = models.ForeignKey(Dialogue, models.PROTECT, related_name="actions", verbose_name=_("dialogue"))
    what = models.TextField(_("what"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="dialogue_actions",
        verbose_name=_("who"),
    )
    owner_name = models.CharField(
        _("who (without an account)"), max_length=150, blank=True, help_text=_("When the owner has no account.")
    )
    due_on = models.DateField(_("by when"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    follow_up = models.TextField(_("follow-up"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("agreed action")
        verbose_name_plural = _("agreed actions")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["owner", "done_at"])]

    def __str__(self):
        return self.what[:80]

    @property
    def owner_label(self) -> str:
        return str(self.owner) if self.owner_id else self.owner_name
