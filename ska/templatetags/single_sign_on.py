from django import template
from django.conf import settings
from django.utils.translation import gettext as _

from ..oidc import oidc_enabled

register = template.Library()


@register.inclusion_tag("registration/single_sign_on.html", takes_context=True)
def single_sign_on_button(context):
    """The login page's "log in with the municipality's account" button, when single sign-on
    is configured; ``OIDC_LOGIN_LABEL`` may name the provider the way people know it."""
    return {
        "enabled": oidc_enabled(),
        "label": settings.OIDC_LOGIN_LABEL or _("Log in with the municipality's account"),
        "next": context.get("next", ""),
    }
