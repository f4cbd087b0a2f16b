"""Saving the municipality's report settings: the logo (checked whole, like every uploaded
image) with its text alternative, and the suppression threshold. With history."""

from __future__ import annotations

import uuid

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from ska.models import Municipality, User

from ..models import ReportSettings
from .unit_reports import ImageRejected, image_check


def settings_of(municipality: Municipality) -> ReportSettings:
    """The municipality's settings (unsaved defaults if it has none yet)."""
    found = ReportSettings.objects.filter(municipality=municipality).first()
    return found or ReportSettings(municipality=municipality)


def settings_save(
    *, municipality: Municipality, user: User, logo_alt: str, suppression_threshold: int, logo=None,
    remove_logo: bool = False,
) -> ReportSettings:
    """Save the settings. A new logo replaces the old one; the old file stays in the storage
    (and its name in the history), so reports built with it can still be explained."""
    logo_alt = (logo_alt or "").strip()
    data = extension = None
    if logo:
        data, extension = image_check(logo)
    if suppression_threshold < 2:
        raise ValueError("The suppression threshold is at least 2.")
    with transaction.atomic():
        settings, _created = ReportSettings.objects.select_for_update().get_or_create(municipality=municipality)
        keeps_logo = data is not None or (bool(settings.logo) and not remove_logo)
        if keeps_logo and not logo_alt:
            raise ImageRejected(_("Give the logo a text alternative."))
        if data is not None:
            settings.logo.save(f"logo-{municipality.pk}-{uuid.uuid4().hex}.{extension}", ContentFile(data), save=False)
        elif remove_logo:
            settings.logo = ""
        settings.logo_alt = logo_alt
        settings._history_user = user
        settings.full_clean()
        settings.save()
        if municipality.suppression_threshold != suppression_threshold:
            current = Municipality.objects.select_for_update().get(pk=municipality.pk)
            current.suppression_threshold = suppression_threshold
            current._history_user = user
            current.save(update_fields=["suppression_threshold"])
            municipality.suppression_threshold = suppression_threshold
    return settings
