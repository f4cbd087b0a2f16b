"""Forms of the unit report. Forms validate; services (``reports.services.unit_reports``) save."""

from __future__ import annotations

from django import forms
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from ska.schoolyear import SchoolYear

from .models import ReportSection, UnitReport
from .services.unit_reports import ImageRejected, image_check

MAX_TEXT = 50_000


class SectionForm(forms.Form):
    """One section's text and whether it is done, with the version it was written on."""

    text = forms.CharField(label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 8}), max_length=MAX_TEXT)
    done = forms.BooleanField(label=_("The section is done"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, section: ReportSection, **kwargs):
        kwargs.setdefault("prefix", f"section-{section.pk}")
        kwargs.setdefault("initial", {"text": section.text, "done": section.done, "version": section.version})
        super().__init__(*args, **kwargs)
        self.section = section
        self.fields["text"].label = _("Text of “%(title)s”") % {"title": section.title}
        self.fields["done"].label = _("“%(title)s” is done") % {"title": section.title}
        if section.guidance:
            # Django prints a field's help text as HTML: the template's guidance is plain text.
            self.fields["text"].help_text = escape(section.guidance)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("done") and not self.section.data_part and not (cleaned.get("text") or "").strip():
            self.add_error("done", _("Write something in the section before marking it as done."))
        return cleaned

    def keep_yours_on(self, version: int) -> None:
        """After a conflict: the person's text stays, and saving again is based on ``version``."""
        data = self.data.copy()
        data[self.add_prefix("version")] = version
        self.data = data


class SectionImageForm(forms.Form):
    image = forms.FileField(
        label=_("Image"),
        help_text=_("A PNG or JPEG file, for example a chart or a photo without identifiable people."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    alt_text = forms.CharField(
        label=_("Text alternative"),
        max_length=500,
        help_text=_("What the image shows, for those who cannot see it. Required."),
        error_messages={
            "required": _("Describe what the image shows: an image without a text alternative cannot be added.")
        },
    )
    caption = forms.CharField(label=_("Caption"), max_length=300, required=False)

    def __init__(self, *args, section: ReportSection, **kwargs):
        kwargs.setdefault("prefix", f"image-{section.pk}")
        super().__init__(*args, **kwargs)
        self.section = section

    def clean_alt_text(self):
        text = (self.cleaned_data.get("alt_text") or "").strip()
        if not text:
            raise forms.ValidationError(self.fields["alt_text"].error_messages["required"])
        return text

    def clean_image(self):
        upload = self.cleaned_data.get("image")
        try:
            image_check(upload)
        except ImageRejected as rejected:
            raise forms.ValidationError(str(rejected))
        return upload


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("What should the rektor change?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10_000,
        error_messages={"required": _("Write what the rektor should change before returning the report.")},
    )

    def clean_comment(self):
        comment = (self.cleaned_data.get("comment") or "").strip()
        if not comment:
            raise forms.ValidationError(self.fields["comment"].error_messages["required"])
        return comment


NOT_STARTED = "not_started"


class OverviewFilterForm(forms.Form):
    """The overview's filters: the school year and the report's status."""

    lasar = forms.TypedChoiceField(label=_("School year"), required=False, coerce=int)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, years: list[SchoolYear], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lasar"].choices = [(y.start_year, str(y)) for y in years]
        self.fields["status"].choices = [
            ("", _("All")), *UnitReport.Status.choices, (NOT_STARTED, _("Not started"))
        ]
