"""Visit every page a person can reach by following links from the start page, as a browser
would: plain links, htmx fragments (``hx-get``, requested with the ``HX-Request`` header) and
the pages' own forms' GET targets. Returns each HTML page's text by URL."""

from __future__ import annotations

import html
import re
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.test import Client
from django.urls import Resolver404, resolve

LINK = re.compile(r'\s(href|hx-get)="([^"]+)"')
SKIP = re.compile(r"^/(static|media)/|/logga-ut/|^/i18n/|/admin/logout/")
# Pages of one view worth visiting: every object's page of a kind is drawn by the same template.
PER_VIEW = 6


@dataclass
class Crawl:
    pages: dict[str, str] = field(default_factory=dict)  # URL (with " [htmx]" for fragments) → HTML
    downloads: dict[str, str] = field(default_factory=dict)  # URL → content type
    errors: dict[str, int] = field(default_factory=dict)  # URL → status (5xx)


def crawl(client: Client, start: str = "/", *, limit: int = 3000, per_view: int = PER_VIEW, allow: re.Pattern | None = None,
          deny: re.Pattern | None = None) -> Crawl:
    result = Crawl()
    queue: deque[tuple[str, bool]] = deque([(start, False)])
    seen: set[tuple[str, bool]] = {(start, False)}
    counts: dict[tuple[str, bool], int] = {}
    while queue and len(result.pages) < limit:
        url, htmx = queue.popleft()
        headers = {"HX-Request": "true"} if htmx else {}
        response = client.get(url, headers=headers)
        key = url + (" [htmx]" if htmx else "")
        if response.status_code >= 500:
            result.errors[key] = response.status_code
            continue
        if response.status_code != 200:
            continue
        content_type = response.get("Content-Type", "")
        if not content_type.startswith("text/html"):
            result.downloads[url] = content_type
            continue
        text = response.content.decode()
        result.pages[key] = text
        for kind, link in LINK.findall(text):
            link = html.unescape(link).split("#", 1)[0]
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or not link.startswith("/") or SKIP.search(parts.path):
                continue
            if allow and not allow.search(parts.path) or deny and deny.search(parts.path):
                continue
            item = (link, kind == "hx-get")
            if item in seen:
                continue
            seen.add(item)
            view = (_view_name(parts.path), item[1])
            counts[view] = counts.get(view, 0) + 1
            if counts[view] <= per_view:
                queue.append(item)
    return result


def _view_name(path: str) -> str:
    try:
        return resolve(path).view_name
    except Resolver404:
        return path
