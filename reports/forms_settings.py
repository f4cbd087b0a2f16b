"""The municipality's report settings: the cover's logo with its text alternative, and the
smallest group whose values are shown (small-number suppression)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .services.unit_reports import ImageRejected, image_check


class ReportSettingsForm(forms.Form):
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("A PNG or JPEG file. It is shown on the cover of every report."),
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    logo_alt = forms.CharField(
        label=_("Text alternative of the logo"),
        max_length=200,
        required=False,
        help_text=_("What the logo says, for those who cannot see it, e.g. “Ystads kommun”. Required with a logo."),
    )
    suppression_threshold = forms.IntegerField(
        label=_("Smallest group shown"),
        min_value=2,
        max_value=1000,
        help_text=_(
            "A value from a smaller group is shown as “..” in pages, reports and exports, as in Skolverket's "
            "official statistics. Skolverket uses 10."
        ),
    )

    def __init__(self, *args, has_logo: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_logo = has_logo
        if not has_logo:
            del self.fields["remove_logo"]

    def clean_logo(self):
        upload = self.cleaned_data.get("logo")
        if upload:
            try:
                image_check(upload)
            except ImageRejected as rejected:
                raise forms.ValidationError(str(rejected))
        return upload

    def clean(self):
        cleaned = super().clean()
        keeps_logo = bool(cleaned.get("logo")) or (self.has_logo and not cleaned.get("remove_logo"))
        cleaned["logo_alt"] = (cleaned.get("logo_alt") or "").strip()
        if keeps_logo and not cleaned["logo_alt"] and "logo_alt" not in self.errors:
            self.add_error("logo_alt", _("Give the logo a text alternative."))
        return cleaned
