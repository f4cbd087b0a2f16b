"""The "Create PDF" form: which report to build. Its fields are hidden; the page that shows the
button decides what it builds, and the view checks the person may build it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ska.fields import SchoolYearFormField

from .models import ReportKind


class DocumentBuildForm(forms.Form):
    kind = forms.ChoiceField(label=_("Report"), choices=ReportKind.choices)
    school_year = SchoolYearFormField(label=_("School year"), required=False)
    unit_report = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
    administration = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
    round = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        needed = {ReportKind.UNIT: "unit_report", ReportKind.ANALYSIS: "round"}.get(kind, "administration")
        if kind and not data.get(needed):
            raise forms.ValidationError(_("The form does not say which report to build. Reload the page and try again."))
        if kind and needed == "administration" and not data.get("school_year"):
            self.add_error("school_year", _("Choose the school year of the report."))
        return data
