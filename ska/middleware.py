"""Swedish unless the person has chosen otherwise."""

from django.conf import settings
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
