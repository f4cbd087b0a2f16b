"""The app's URLs plus one bare page: a view that returns a fixed text without touching the
database or a template. It goes through the same middleware (session, login requirement, CSRF,
security headers) as every page, so the ratio of a page's latency to the bare page's is what the
page itself costs."""

from django.http import HttpResponse
from django.urls import path

from ska import urls as app_urls

BARE_PATH = "bench/bare/"


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path(BARE_PATH, bare, name="bench_bare"), *app_urls.urlpatterns]
handler500 = app_urls.handler500  # as in a deployment: the friendly 503 when the database is away
