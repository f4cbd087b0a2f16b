from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

from .models import AccessibilityReport
from .tasks import send_email


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("User name or e-mail address"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}),
    )
    error_messages = {
        "invalid_login": _("The user name or e-mail address and password do not match. Check both and try again."),
        "inactive": _("This account is not active. Contact your system administrator."),
    }


class UnitFilterForm(forms.Form):
    """The unit list's filters, read from the query string."""

    q = forms.CharField(label=_("Search by name or unit code"), max_length=100, required=False, strip=True)
    skolform = forms.SlugField(label=_("School form"), max_length=40, required=False)
    stangda = forms.BooleanField(label=_("Show closed units"), required=False)


class QueuedPasswordResetForm(PasswordResetForm):
    """Sends the reset link from a background job, so a slow mail server never slows the page."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None):
        from django.template import loader

        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        send_email.delay_on_commit(subject=subject, body=body, to=[to_email], from_email=from_email)


class AccessibilityReportForm(forms.ModelForm):
    class Meta:
        model = AccessibilityReport
        fields = ["description", "page", "name", "email"]
        labels = {
            "description": _("What did not work?"),
            "page": _("Which page or document (optional)"),
            "name": _("Your name (optional)"),
            "email": _("Your e-mail address, if you want an answer (optional)"),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}
