"""Model and form fields for school years and terms (see ``ska.schoolyear``)."""

from django import forms
from django.core import validators
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .schoolyear import SchoolYear, Term


class _ValueFormField(forms.CharField):
    """A text field whose cleaned value is a school year or term: ``max_length`` only sets the
    input's size, as the length validators cannot measure the value."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.validators = [
            v for v in self.validators if not isinstance(v, (validators.MaxLengthValidator, validators.MinLengthValidator))
        ]


class SchoolYearFormField(_ValueFormField):
    default_error_messages = {"invalid": _("Enter a school year such as 2025/26.")}

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        if isinstance(value, SchoolYear):
            return value
        try:
            return SchoolYear.parse(value)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid")

    def prepare_value(self, value):
        return str(value) if isinstance(value, SchoolYear) else value


class TermFormField(_ValueFormField):
    default_error_messages = {"invalid": _("Enter a term such as HT 2025 or VT 2026.")}

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        if isinstance(value, Term):
            return value
        try:
            return Term.parse(value)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid")

    def prepare_value(self, value):
        return str(value) if isinstance(value, Term) else value


class SchoolYearField(models.PositiveSmallIntegerField):
    """A school year, stored as the calendar year it starts in (2025 for 2025/26)."""

    description = _("School year")

    @cached_property
    def validators(self):
        # Not the integer range validators: they would compare a SchoolYear with an int.
        return [*self.default_validators, *self._validators]

    def from_db_value(self, value, expression, connection):
        return None if value is None else SchoolYear(value)

    def to_python(self, value):
        if value is None or isinstance(value, SchoolYear):
            return value
        if isinstance(value, int):
            return SchoolYear(value)
        try:
            return SchoolYear.parse(value)
        except ValueError:
            raise ValidationError(SchoolYearFormField.default_error_messages["invalid"], code="invalid")

    def get_prep_value(self, value):
        if isinstance(value, SchoolYear):
            return value.start_year
        if isinstance(value, str):
            return self.to_python(value).start_year
        return super().get_prep_value(value)

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return "" if value is None else str(value)

    def formfield(self, **kwargs):
        # Skip the integer field's form field: the user types "2025/26", not 2025.
        return models.Field.formfield(self, **{"form_class": SchoolYearFormField, "max_length": 9, **kwargs})


class TermField(models.PositiveIntegerField):
    """A term, stored as year * 10 + season (VT=1, HT=2) so that order is time order."""

    description = _("Term")

    @cached_property
    def validators(self):
        return [*self.default_validators, *self._validators]

    def from_db_value(self, value, expression, connection):
        return None if value is None else Term.from_code(value)

    def to_python(self, value):
        if value is None or isinstance(value, Term):
            return value
        if isinstance(value, int):
            return Term.from_code(value)
        try:
            return Term.parse(value)
        except ValueError:
            raise ValidationError(TermFormField.default_error_messages["invalid"], code="invalid")

    def get_prep_value(self, value):
        if isinstance(value, Term):
            return value.code
        if isinstance(value, str):
            return self.to_python(value).code
        return super().get_prep_value(value)

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return "" if value is None else str(value)

    def formfield(self, **kwargs):
        return models.Field.formfield(self, **{"form_class": TermFormField, "max_length": 8, **kwargs})
