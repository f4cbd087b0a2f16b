"""Every free-text field people can type into, and a way to fill all of them with hostile text.

The list is derived from the models of the four apps: every character, text, e-mail, URL and
JSON field that is editable and has no fixed choices. A field is either poisoned (and must then
come out escaped on some page) or listed in ``NOT_FREE_TEXT`` / ``NOT_ON_PAGES`` with the reason.
A text field added later is poisoned automatically, so the page test fails until some page shows
it escaped — or until someone reviews it into one of those lists.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db import IntegrityError, models, transaction

from .payloads import tagged

APPS = ("ska", "dialogs", "reports", "annualwheel")

# Fields that hold no free text anyone types, so there is nothing to inject.
NOT_FREE_TEXT = {
    "ska.Municipality.code": "four characters (SCB's municipality code); no markup fits",
    "ska.Unit.unit_code": "eight characters (Skolverket's school unit code); no markup fits",
    "ska.SchoolForm.code": "slug (reference data), validated as a slug",
    "ska.CurriculumArea.code": "slug (reference data), validated as a slug",
    "ska.User.password": "a password hash, never shown",
    "ska.User.username": "Django's username validator allows letters, digits and @.+-_ only",
    "ska.Analysis.participants": "codes from a fixed list (shown as their translated labels)",
    "annualwheel.Event.concerns_roles": "role codes from a fixed list",
    "annualwheel.Event.follow_up_parts": "codes from a fixed list (shown as their translated labels)",
    "annualwheel.Event.dates": "ISO dates, parsed by the form",
    "reports.ReportDocument.key": "made by the app from the report kind and ids",
    "reports.ReportDocument.sha256": "a checksum the app computes",
    "reports.ReportDocument.progress_label": "set by the build job from the translation catalogue",
    "reports.ReportDocument.snapshot": "gathered data: its texts reach the PDF, see test_pdf_injection",
    "reports.ReportDocument.error": "written by the build job; shown only as a generic message",
    "ska.KoladaSource.municipality_id": "the municipality's code (four digits) copied from Municipality.code; no markup fits",
    "ska.KoladaSource.last_error": "written by the refresh from the client's own messages; pages say only that Kolada could not be reached",
    "ska.KoladaValue.status": "Kolada's status word, kept for the record; pages show the value's state from a fixed list",
}

# Free text that no page of the app shows (the admin's forms escape everything by design).
NOT_ON_PAGES = {
    "ska.IndependentProvider.organisation_number": "kept for the admin and the registers; not shown on pages",
    "dialogs.EvaluationResponse.answers": "anonymous answers, shown only as counts per question",
    "ska.ActivityFollowUp.process_data": "in the unit report's PDF and the Excel export only; see test_injection_pdf",
    "ska.ActivityFollowUp.comment": "in the unit report's PDF and the Excel export only; see test_injection_pdf",
    "ska.ValidityReview.reliability": "in the unit report's PDF only; see test_injection_pdf",
    "ska.ValidityReview.measures_intended": "in the unit report's PDF only; see test_injection_pdf",
    "ska.ValidityReview.reflects_reality": "in the unit report's PDF only; see test_injection_pdf",
    "ska.DevelopmentArea.description": "in the unit report's PDF only; see test_injection_pdf",
    "ska.KoladaSource.group_id": "Kolada's id of the group, only a select option's value in the indicator form",
    "ska.KoladaSource.ou_id": "Kolada's id of the unit, only a field's value in the indicator form",
    "ska.Unit.kolada_ou_id": "Kolada's id of the unit, only a field's value in the indicator form and the admin",
}


@dataclass(frozen=True)
class TextField:
    number: int
    model: type[models.Model]
    name: str

    @property
    def label(self) -> str:
        return f"{self.model._meta.app_label}.{self.model.__name__}.{self.name}"

    @property
    def field(self) -> models.Field:
        return self.model._meta.get_field(self.name)

    @property
    def tag_prefix(self) -> str:
        return f"{self.number}."

    def payload(self, pk, index: int | None = None) -> str:
        tag = f"{self.number}.{_short(pk)}" + (f".{index}" if index is not None else "")
        field = self.field
        if isinstance(field, models.URLField):
            return "https://x.example/?" + tagged(tag)
        max_length = field.max_length if isinstance(field, models.CharField) else None
        try:
            return tagged(tag, max_length)
        except ValueError:  # a very short field: the field's own tag alone still finds it
            return tagged(self.tag_prefix, max_length)


def text_fields() -> list[TextField]:
    """Every editable field without choices that can hold text, on the apps' own models."""
    found = []
    for app in APPS:
        for model in apps.get_app_config(app).get_models():
            if model.__name__.startswith("Historical"):
                continue
            for field in model._meta.concrete_fields:
                if isinstance(field, (models.CharField, models.TextField, models.JSONField)) and field.editable and not field.choices:
                    found.append((f"{app}.{model.__name__}.{field.name}", model, field.name))
    return [TextField(number, model, name) for number, (_label, model, name) in enumerate(sorted(found, key=lambda f: f[0]), start=1)]


def poisoned_fields() -> list[TextField]:
    return [f for f in text_fields() if f.label not in NOT_FREE_TEXT]


def poison_everything() -> list[TextField]:
    """Fill every poisoned field of every row (and of its history rows) with its payload."""
    fields = poisoned_fields()
    for text_field in fields:
        for model in (text_field.model, _history_model(text_field.model)):
            if model is None:
                continue
            pk_name = model._meta.pk.attname
            for pk, value in model._base_manager.values_list(pk_name, text_field.name):
                try:
                    with transaction.atomic():
                        model._base_manager.filter(**{pk_name: pk}).update(**{text_field.name: _poisoned(text_field, pk, value)})
                except IntegrityError:
                    if value:  # an empty value may have a meaning a constraint guards (no group name)
                        raise
    return fields


def _poisoned(text_field: TextField, pk, value):
    if isinstance(text_field.field, models.JSONField):
        if isinstance(value, dict):
            return {key: text_field.payload(pk, i) if isinstance(item, str) else item for i, (key, item) in enumerate(value.items())}
        return [text_field.payload(pk, i) for i in range(max(1, len(value or [])))]
    return text_field.payload(pk)


def _history_model(model):
    history = getattr(model, "history", None)
    return getattr(history, "model", None) if history is not None else None


def _short(pk) -> str:
    """A row's key in base 36, so that tags stay short in small fields whatever the database's
    sequences have reached (PostgreSQL does not reset them between tests)."""
    if not isinstance(pk, int):
        return str(pk)
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        pk, rest = divmod(pk, 36)
        text = digits[rest] + text
        if not pk:
            return text
