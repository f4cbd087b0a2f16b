"""Texts of third-party apps that ship no Swedish translation (django-axes, whose admin lists
login attempts), marked here so that `make messages` puts them in SKA's own catalogue.
Nothing imports this module; it exists for the catalogue."""

from django.utils.translation import gettext_noop

AXES_TEXTS = [
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("User Agent"),
    gettext_noop("IP Address"),
    gettext_noop("Username"),
    gettext_noop("Path"),
    gettext_noop("Attempt Time"),
    gettext_noop("Failed Logins"),
    gettext_noop("Locked Out"),
    gettext_noop("Logout Time"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Form Data"),
    gettext_noop("Meta Data"),
    gettext_noop("Expires At"),
]
