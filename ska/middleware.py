"""The app's own middleware: language choice, the htmx-aware login requirement and keeping
logged-in pages out of caches."""

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django_htmx.http import HttpResponseClientRedirect
from django.utils import translation
from django.utils.cache import add_never_cache_headers
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


class NoStoreForSignedInMiddleware:
    """Pages shown to a logged-in person hold personal data: tell browsers and proxies not to
    keep them (``Cache-Control: no-store``), so that after logging out neither the back button
    (the browser's back-forward cache) nor a shared proxy shows them again. htmx's own history
    cache is switched off in ``base.html`` (``historyCacheSize: 0``). A view that chose its own
    caching (an image, a calendar feed) keeps it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        signed_in = request.user.is_authenticated
        response = self.get_response(request)
        if (signed_in or request.user.is_authenticated) and "Cache-Control" not in response:
            add_never_cache_headers(response)
        return response
