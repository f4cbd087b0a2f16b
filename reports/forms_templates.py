"""Forms of the administration's report templates. Forms validate; services
(``reports.services.report_templates``) save."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ska.forms_chain import VersionedForm
from ska.models import SchoolForm

from .models import ReportTemplate, TemplateSection


class TemplateCreateForm(forms.Form):
    """Which administration and school form a new template is for (from the list's buttons)."""

    administration = forms.ModelChoiceField(queryset=None, label=_("Administration"))
    school_form = forms.ModelChoiceField(queryset=SchoolForm.objects.all(), label=_("School form"))

    def __init__(self, *args, administrations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["administration"].queryset = administrations


class TemplateForm(VersionedForm):
    class Meta:
        model = ReportTemplate
        fields = ["name", "introduction"]
        widgets = {"introduction": forms.Textarea(attrs={"rows": 3})}


class TemplateSectionForm(VersionedForm):
    class Meta:
        model = TemplateSection
        fields = ["title", "guidance", "data_part"]
        widgets = {"guidance": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["data_part"].choices = [("", _("Nothing: only written")), *self.fields["data_part"].choices[1:]]
        self.fields["guidance"].max_length = 5000

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("title", "guidance", "data_part")}
