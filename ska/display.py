"""Stored values as a person reads them in the interface: 90 rather than 90.00, dates and times
the Swedish way, times in the site's time zone (``TIME_ZONE``) rather than the database's UTC."""

import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _


def display_datetime(value: datetime.datetime) -> str:
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return date_format(value, "j F Y H:i")


def display_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, Decimal):
        # normalize() alone would write 100 as 1E+2
        return number_format(value.quantize(1) if value == value.to_integral() else value.normalize(), use_l10n=True)
    if isinstance(value, datetime.datetime):  # before date: a datetime is a date too
        return display_datetime(value)
    if isinstance(value, datetime.date):
        return date_format(value, "j F Y")
    return str(value)
