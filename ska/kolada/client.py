"""A typed client of Kolada's REST API (v3): key figures, municipalities, groups of municipalities,
organisational units and their values.

Kolada is a free public service, so the client is polite: one request at a time per process at
most every KOLADA_MIN_INTERVAL seconds, retries with backoff only for answers that invite them
(and Retry-After respected), and metadata, which changes seldom, kept in Django's cache for a
day. Whatever goes wrong (no connection, timeout, an error status after the retries, a body
that is not Kolada's JSON) becomes ``KoladaUnavailable`` with a short reason, so callers handle
one exception and keep the values they already have.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote, urlencode, urljoin, urlsplit

import requests
from django.conf import settings
from django.core.cache import cache
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from .types import KoladaUnavailable, Kpi, Municipality, MunicipalityGroup, OrganisationalUnit, Value

USER_AGENT = "SKA (systematic quality work)"
DATA_CACHE_SECONDS = 10 * 60
MAX_RETRY_AFTER = 30.0  # seconds: a longer Retry-After is cut to this, so a refresh never hangs
MAX_PAGES = 1000
KPI_ID = re.compile(r"^[A-Za-z]\d{5}$")
# What Kolada's ids are made of (key figures, municipalities, groups, units): letters and
# digits only, so no id can step out of the path it is put into.
SAFE_ID = re.compile(r"^[A-Za-z0-9]{1,40}$")
# Searches by title are cached briefly: what people type varies without end.
SEARCH_CACHE_SECONDS = 10 * 60
# Kolada publishes values with a few decimals; kept to four (the stored precision), so that a
# value fetched again compares equal to the one stored.
PLACES = Decimal("0.0001")

# At most one request per KOLADA_MIN_INTERVAL in this process, whichever thread or client sends it.
_rate_lock = threading.Lock()
_next_request_at = 0.0


def _wait_for_turn(min_interval: float) -> None:
    global _next_request_at
    if min_interval <= 0:
        return
    with _rate_lock:
        now = time.monotonic()
        if _next_request_at > now:
            time.sleep(_next_request_at - now)
            now = _next_request_at
        _next_request_at = now + min_interval


class _Retry(Retry):
    """urllib3's retry, with a server's Retry-After capped at MAX_RETRY_AFTER seconds."""

    def get_retry_after(self, response: Any) -> float | None:
        seconds = super().get_retry_after(response)
        return None if seconds is None else min(seconds, MAX_RETRY_AFTER)


class KoladaClient:
    def __init__(
        self,
        base_url: str | None = None,
        *,
        timeout: float | None = None,
        retries: int | None = None,
        min_interval: float | None = None,
        per_page: int | None = None,
        backoff: float | None = None,
        use_cache: bool = True,
    ):
        self.base_url = (base_url or settings.KOLADA_URL).rstrip("/")
        self.timeout = float(settings.KOLADA_TIMEOUT if timeout is None else timeout)
        self.retries = int(settings.KOLADA_RETRIES if retries is None else retries)
        self.min_interval = float(settings.KOLADA_MIN_INTERVAL if min_interval is None else min_interval)
        self.per_page = int(settings.KOLADA_PER_PAGE if per_page is None else per_page)
        self.backoff = float(settings.KOLADA_BACKOFF if backoff is None else backoff)
        self.use_cache = use_cache
        self._origin = _origin(self.base_url)
        self.session = requests.Session()
        self.session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
        retry = _Retry(
            total=self.retries, backoff_factor=self.backoff, status_forcelist=(429, 500, 502, 503, 504),
            allowed_methods=frozenset({"GET"}), respect_retry_after_header=True, raise_on_status=False,
        )
        adapter = HTTPAdapter(max_retries=retry)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> KoladaClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- Key figures -------------------------------------------------------------
    def search_kpis(self, text: str) -> list[Kpi]:
        """Key figures whose title contains ``text``; an id such as "N15505" finds that one."""
        text = text.strip()
        if not text:
            return []
        if KPI_ID.match(text):
            return self.kpis([text.upper()])
        return [_kpi(item) for item in self._get("kpi", {"title": text}, ttl=SEARCH_CACHE_SECONDS)]

    def kpis(self, ids: list[str]) -> list[Kpi]:
        if not ids:
            return []
        return [_kpi(item) for item in self._get(f"kpi/{_ids(ids)}", by_id=True)]

    # --- Municipalities and groups -------------------------------------------------
    def municipalities(self, title: str = "") -> list[Municipality]:
        return [_municipality(item) for item in self._get("municipality", {"title": title.strip()})]

    def municipality(self, id: str) -> Municipality | None:
        found = [_municipality(item) for item in self._get(f"municipality/{_ids([id])}", by_id=True)]
        return found[0] if found else None

    def municipality_groups(self, member: str | None = None, title: str = "") -> list[MunicipalityGroup]:
        """Groups of municipalities (e.g. Kolada's "Liknande kommuner …"), only those with
        ``member`` among their members when it is given."""
        groups = [_group(item) for item in self._get("municipality_groups", {"title": title.strip()})]
        if member is not None:
            groups = [g for g in groups if any(m.id == member for m in g.members)]
        return groups

    # --- Organisational units ------------------------------------------------------
    def search_ous(self, municipality: str, title: str = "") -> list[OrganisationalUnit]:
        query = {"municipality": municipality, "title": title.strip()}
        ttl = SEARCH_CACHE_SECONDS if query["title"] else None
        return [_ou(item) for item in self._get("ou", query, ttl=ttl)]

    # --- Values ----------------------------------------------------------------
    def data(self, kpi: str, municipalities: list[str], years: list[int] | None = None) -> list[Value]:
        """Values of ``kpi`` for municipalities, groups or the country (``0000``), every year
        unless ``years`` is given."""
        if not municipalities:
            return []
        path = f"data/kpi/{_ids([kpi])}/municipality/{_ids(municipalities)}{_years(years)}"
        return [v for row in self._get(path, ttl=DATA_CACHE_SECONDS) for v in _values(row, "municipality")]

    def ou_data(self, kpi: str, ous: list[str], years: list[int] | None = None) -> list[Value]:
        if not ous:
            return []
        path = f"oudata/kpi/{_ids([kpi])}/ou/{_ids(ous)}{_years(years)}"
        return [v for row in self._get(path, ttl=DATA_CACHE_SECONDS) for v in _values(row, "ou")]

    # --- Requests ---------------------------------------------------------------
    def _get(self, path: str, query: dict[str, str] | None = None, *, by_id: bool = False,
             ttl: int | None = None) -> list[dict]:
        """Every value of a list answer, following next_page; from the cache when it has them
        (kept ``ttl`` seconds, by default KOLADA_CACHE_SECONDS). ``by_id``: a 404 means that
        nothing has that id (an empty list); elsewhere it is an error."""
        params = {name: value for name, value in (query or {}).items() if value}
        params["per_page"] = str(self.per_page)
        url = f"{self.base_url}/{path}?{urlencode(params)}"
        key = "kolada:" + hashlib.sha256(url.encode("utf-8")).hexdigest()
        if self.use_cache:
            cached = cache.get(key)
            if cached is not None:
                return cached
        values: list[dict] = []
        seen: set[str] = set()
        next_url: str | None = url
        while next_url:
            if next_url in seen or len(seen) >= MAX_PAGES:
                raise KoladaUnavailable("Kolada's pages do not end")
            seen.add(next_url)
            body = self._fetch(next_url, by_id=by_id)
            if body is None:  # nothing under that id
                break
            values.extend(body["values"])
            next_url = body.get("next_page") or None
            if next_url is not None:
                if not isinstance(next_url, str):
                    raise KoladaUnavailable("Kolada's answer has a bad next page")
                next_url = urljoin(url, next_url)
                if _origin(next_url) != self._origin:
                    raise KoladaUnavailable("Kolada's next page is on another server")
        if self.use_cache:
            cache.set(key, values, settings.KOLADA_CACHE_SECONDS if ttl is None else ttl)
        return values

    def _fetch(self, url: str, *, by_id: bool) -> dict | None:
        _wait_for_turn(self.min_interval)
        try:
            response = self.session.get(url, timeout=(min(self.timeout, 5.0), self.timeout))
        except requests.Timeout:
            raise KoladaUnavailable("Kolada did not answer in time") from None
        except requests.RequestException as error:
            raise KoladaUnavailable(f"Kolada could not be reached ({type(error).__name__})") from None
        if response.status_code == 404 and by_id:
            return None
        if response.status_code != 200:
            raise KoladaUnavailable(f"Kolada answered HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            raise KoladaUnavailable("Kolada's answer is not JSON") from None
        if not isinstance(body, dict) or not isinstance(body.get("values"), list):
            raise KoladaUnavailable("Kolada's answer has no values")
        if not all(isinstance(item, dict) for item in body["values"]):
            raise KoladaUnavailable("Kolada's answer is not in the expected form")
        return body


def _origin(url: str) -> tuple[str, str, int | None]:
    split = urlsplit(url)
    scheme = split.scheme.lower()
    try:
        port = split.port
    except ValueError:
        raise KoladaUnavailable("Kolada's answer has a bad address") from None
    return scheme, (split.hostname or "").lower(), port or {"http": 80, "https": 443}.get(scheme)


def _ids(ids: list[str]) -> str:
    ids = [str(i).strip() for i in ids]
    if not all(SAFE_ID.match(i) for i in ids):
        raise ValueError("Kolada's ids are letters and digits")
    return ",".join(quote(i, safe="") for i in ids)


def _years(years: list[int] | None) -> str:
    if not years:
        return ""
    if not all(isinstance(y, int) and not isinstance(y, bool) for y in years):
        raise ValueError("Years must be integers")
    return "/year/" + ",".join(str(y) for y in sorted(set(years)))


# --- Parsing: strict, anything unexpected is KoladaUnavailable -------------------------
def _text(item: dict, name: str, *, required: bool = True) -> str:
    value = item.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value):
        raise KoladaUnavailable(f"Kolada's answer lacks {name}")
    return value


def _flag(item: dict, name: str) -> bool:
    value = item.get(name, False)
    if not isinstance(value, bool):
        raise KoladaUnavailable(f"Kolada's answer has a bad {name}")
    return value


def _kpi(item: dict) -> Kpi:
    return Kpi(
        id=_text(item, "id"), title=_text(item, "title"), description=_text(item, "description", required=False),
        is_divided_by_gender=_flag(item, "is_divided_by_gender"), has_ou_data=_flag(item, "has_ou_data"),
        municipality_type=_text(item, "municipality_type", required=False),
        operating_area=_text(item, "operating_area", required=False),
    )


def _municipality(item: dict) -> Municipality:
    return Municipality(id=_text(item, "id"), title=_text(item, "title"), type=_text(item, "type", required=False))


def _group(item: dict) -> MunicipalityGroup:
    members = item.get("members", [])
    if not isinstance(members, list) or not all(isinstance(m, dict) for m in members):
        raise KoladaUnavailable("Kolada's answer has bad group members")
    return MunicipalityGroup(id=_text(item, "id"), title=_text(item, "title"),
                             members=tuple(Municipality(id=_text(m, "id"), title=_text(m, "title")) for m in members))


def _ou(item: dict) -> OrganisationalUnit:
    return OrganisationalUnit(id=_text(item, "id"), title=_text(item, "title"),
                              municipality=_text(item, "municipality", required=False))


def _values(row: dict, kind: str) -> list[Value]:
    period, values = row.get("period"), row.get("values")
    if not isinstance(period, int) or isinstance(period, bool) or not isinstance(values, list):
        raise KoladaUnavailable("Kolada's answer has a bad period or values")
    kpi, entity = _text(row, "kpi"), _text(row, kind)
    result = []
    for item in values:
        if not isinstance(item, dict):
            raise KoladaUnavailable("Kolada's answer has a bad value")
        count = item.get("count")
        if count is not None and (not isinstance(count, int) or isinstance(count, bool)):
            raise KoladaUnavailable("Kolada's answer has a bad count")
        result.append(Value(kpi=kpi, entity=entity, period=period, gender=_text(item, "gender"),
                            value=_decimal(item.get("value")), status=_text(item, "status", required=False),
                            count=count))
    return result


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise KoladaUnavailable("Kolada's answer has a value that is not a number")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise KoladaUnavailable("Kolada's answer has a value that is not a number") from None
    if not number.is_finite():
        raise KoladaUnavailable("Kolada's answer has a value that is not a number")
    return number.quantize(PLACES)
