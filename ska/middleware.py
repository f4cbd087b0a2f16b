"""The app's own middleware: language choice and the htmx-aware login requirement."""

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django_htmx.http import HttpResponseClientRedirect
from django.utils import translation
from django.utils.translation import check_for_language


class LocaleMiddleware:
    """Like Django's LocaleMiddleware, but the browser's Accept-Language is not consulted:
    the product speaks Swedish by default, and English only to those who pick it (cookie)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen and check_for_language(chosen) and chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch = response.get("Vary", "")
        if "Cookie" not in patch:
            response["Vary"] = f"{patch}, Cookie" if patch else "Cookie"
        return response


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    """Django's login requirement, aware of htmx: when a session has expired, an htmx request
    is told to load the login page as a whole page (HX-Redirect), instead of having the login
    page swapped into the middle of the current one."""

    def handle_no_permission(self, request, view_func):
        htmx = getattr(request, "htmx", None)
        if htmx:
            back_to = htmx.current_url_abs_path or request.get_full_path()
            return HttpResponseClientRedirect(redirect_to_login(back_to).url)
        return super().handle_no_permission(request, view_func)
