"""Single sign-on addresses, under /oidc/. Always present; they answer 404 unless single
sign-on is configured (see ska/oidc.py)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from .oidc import CALLBACK_URL_NAME, AuthenticateView, CallbackView

urlpatterns = [
    path("authenticate/", login_not_required(AuthenticateView.as_view()), name="oidc_authentication_init"),
    path("callback/", login_not_required(CallbackView.as_view()), name=CALLBACK_URL_NAME),
]
