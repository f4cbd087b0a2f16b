"""A report's snapshot as a PDF: HTML from the kind's template, then WeasyPrint.

The document is PDF/UA-1 (tagged, with language, title and outline), in Swedish. WeasyPrint
fetches nothing but what ``ReportFetcher`` serves: the app's own static files and the images
stored for reports (section images, the municipality's logo), all under one made-up origin
that no network request can reach. Everything else — other hosts, ``file:`` paths, paths
outside those folders — is refused, so no user content can make the renderer read a file
or call a server.

``render_html`` (gathered data → HTML) and ``write_pdf`` (HTML → PDF) are separate so the
time WeasyPrint takes can be measured on its own.
"""

from __future__ import annotations

import logging
import mimetypes
import posixpath
import time
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

log = logging.getLogger(__name__)

BASE_URL = "https://ska.invalid/"
STATIC_URL = BASE_URL + "static/"
MEDIA_URL = BASE_URL + "media/"
# Stored files a report may show: the rektor's section images and the municipality's logo.
MEDIA_FOLDERS = ("reports/images/", "reports/logos/")
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1", "pdf_tags": True, "custom_metadata": False}


class ResourceRefused(ValueError):
    """WeasyPrint asked for something a report may not load."""


def render_html(data: dict) -> str:
    """The report's HTML, in Swedish, from ``templates/reports/pdf/<kind>.html``."""
    with translation.override("sv"):
        return render_to_string(f"reports/pdf/{data['kind']}.html", {"doc": data})


def write_pdf(html: str) -> tuple[bytes, int]:
    """The PDF of ``html`` and its number of pages. Only WeasyPrint's work: time this call
    to know what rendering alone costs."""
    started = time.perf_counter()
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=ReportFetcher()).render(**PDF_OPTIONS)
    content = document.write_pdf(**PDF_OPTIONS)
    log.info("Report PDF: %d pages, %d bytes in %.2f s", len(document.pages), len(content), time.perf_counter() - started)
    return content, len(document.pages)


def static_url(path: str) -> str:
    return STATIC_URL + path.lstrip("/")


def media_url(name: str) -> str:
    return MEDIA_URL + name.lstrip("/")


class ReportFetcher(URLFetcher):
    """Serves the app's static files and reports' stored images; refuses everything else."""

    def fetch(self, url, headers=None):
        if url.startswith(STATIC_URL):
            body = _read_static(_safe_path(url, STATIC_URL))
        elif url.startswith(MEDIA_URL):
            body = _read_media(_safe_path(url, MEDIA_URL))
        else:
            log.warning("Report PDF: refused to fetch %s", url[:200])
            raise ResourceRefused(f"A report may not load {url[:200]}")
        mime_type = mimetypes.guess_type(urlsplit(url).path)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": mime_type})


def _safe_path(url: str, prefix: str) -> str:
    """The path under ``prefix``, refused if it could step outside it."""
    parts = urlsplit(url)
    path = unquote(url[len(prefix):].split("?", 1)[0].split("#", 1)[0])
    normal = posixpath.normpath(path)
    if parts.query or not path or normal != path or normal.startswith(("/", "..")) or "\\" in path or "\x00" in path:
        raise ResourceRefused(f"A report may not load {url[:200]}")
    return normal


def _read_static(path: str) -> bytes:
    found = finders.find(path)
    if found:
        with open(found, "rb") as file:
            return file.read()
    if settings.STATIC_ROOT and staticfiles_storage.exists(path):
        with staticfiles_storage.open(path) as file:
            return file.read()
    raise ResourceRefused(f"No static file {path}")


def _read_media(name: str) -> bytes:
    if not name.startswith(MEDIA_FOLDERS):
        raise ResourceRefused(f"A report may not load the stored file {name}")
    with default_storage.open(name) as file:
        return file.read()
