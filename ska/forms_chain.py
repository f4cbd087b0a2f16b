"""Forms of the goal chain. Forms validate; services save."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import CheckIn


class CheckInForm(forms.ModelForm):
    class Meta:
        model = CheckIn
        fields = ["value", "date", "group_size", "comment"]
        # Typed as Swedes write numbers (75,5) or with a point; a text field, since a number
        # field would refuse the comma in some browsers.
        localized_fields = ["value"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "comment": forms.TextInput(),
            "value": forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        }

    def __init__(self, *args, indicator, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("date", timezone.localdate())
        # Many of these forms share a page: ids of their own for labels and error messages.
        kwargs.setdefault("auto_id", f"checkin-{indicator.pk}-%s")
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        if indicator.unit_of_measure:
            self.fields["value"].label = _("Value (%(unit)s)") % {"unit": indicator.unit_of_measure}
        self.fields["date"].required = False

    def clean_date(self):
        return self.cleaned_data.get("date") or timezone.localdate()
