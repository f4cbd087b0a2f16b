"""A fake Kolada (REST API v3) on loopback, for tests and for running SKA without the internet.

It answers the routes SKA uses in Kolada's own format, from a small recorded dataset
(``fake_data.json``: a fictional municipality, Ekvalla, ``1299``, beside real Skåne
municipalities, two groups of similar municipalities, the country and some school units), with
Kolada's paging. Tests can revise a value (as Kolada does when a figure is corrected), make the
next requests fail, and see which requests were served. ``manage.py fake_kolada`` serves it.
"""

from __future__ import annotations

import copy
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

DATA_FILE = Path(__file__).with_name("fake_data.json")
MAX_PER_PAGE = 5000


class _Answer(Exception):
    """An error answer (status and message), raised while handling a request."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def load_data() -> dict[str, Any]:
    with DATA_FILE.open(encoding="utf-8") as file:
        return json.load(file)


class FakeKolada:
    """The fake server. ``data`` has the shape of ``fake_data.json``; by default a fresh copy of
    it, so each instance can be changed on its own."""

    def __init__(self, data: dict | None = None):
        self.data: dict[str, Any] = copy.deepcopy(data if data is not None else load_data())
        self.requests: list[str] = []
        # When set, the base URL written into next_page/previous_page instead of the address
        # the request came to (a test of a client that must not follow links elsewhere).
        self.link_base: str | None = None
        self._failures: list[tuple[int, str | None]] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- Running -------------------------------------------------------------
    def start(self, port: int = 0, host: str = "127.0.0.1") -> str:
        """Serve in a daemon thread; the base URL to use as KOLADA_URL."""
        fake = self

        class Handler(_Handler):
            kolada = fake

        self._server = ThreadingHTTPServer((host, port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-kolada", daemon=True)
        self._thread.start()
        return self.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = self._thread = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("The fake Kolada is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v3"

    def __enter__(self) -> FakeKolada:
        if self._server is None:
            self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # --- What tests change --------------------------------------------------------
    def set_value(self, kpi: str, entity: str, period: int, gender: str, value: float | None, status: str = "") -> None:
        """Add or revise one value; ``entity`` is a municipality, group or unit id (units are
        told apart by being in the dataset's ``ous``)."""
        kind = "ou" if any(ou["id"] == entity for ou in self.data["ous"]) else "municipality"
        with self._lock:
            row = next((r for r in self.data["data"] if r["kpi"] == kpi and r.get(kind) == entity
                        and r["period"] == period), None)
            if row is None:
                row = {"kpi": kpi, kind: entity, "period": period, "values": {}}
                self.data["data"].append(row)
            row["values"][gender] = value
            statuses = row.setdefault("status", {})
            if status:
                statuses[gender] = status
            else:
                statuses.pop(gender, None)

    def fail_next(self, n: int, status: int = 503, body: str | None = None) -> None:
        """Answer the next ``n`` requests with ``status`` (and ``body`` instead of a JSON error)."""
        with self._lock:
            self._failures.extend([(status, body)] * n)

    def _take_failure(self) -> tuple[int, str | None] | None:
        with self._lock:
            return self._failures.pop(0) if self._failures else None

    # --- Answers ----------------------------------------------------------------
    def answer(self, path: str, query: dict[str, list[str]]) -> list[dict]:
        """The values for a GET of ``path`` (below /v3); raises _Answer for 404 and 400."""
        parts = [unquote(p) for p in path.strip("/").split("/")]
        if not parts or parts[0] != "v3":
            raise _Answer(404, "Unknown route")
        parts = parts[1:]
        title = _param(query, "title").lower()
        route = parts[0] if parts else ""
        if route in ("kpi", "municipality", "municipality_groups", "ou") and len(parts) <= 2:
            items = {"kpi": self.data["kpis"], "municipality": self.data["municipalities"],
                     "municipality_groups": self._groups(), "ou": self.data["ous"]}[route]
            if len(parts) == 2:
                ids = parts[1].split(",")
                found = [item for item in items if item["id"] in ids]
                if not found:
                    raise _Answer(404, "Not found")
                return found
            if route == "ou" and _param(query, "municipality"):
                wanted = _param(query, "municipality").split(",")
                items = [item for item in items if item["municipality"] in wanted]
            return [item for item in items if title in item["title"].lower()]
        if route in ("data", "oudata") and len(parts) in (5, 7) and parts[1] == "kpi":
            kind = "municipality" if route == "data" else "ou"
            if parts[3] != kind or (len(parts) == 7 and parts[5] != "year"):
                raise _Answer(404, "Unknown route")
            years = None
            if len(parts) == 7:
                try:
                    years = {int(year) for year in parts[6].split(",")}
                except ValueError:
                    raise _Answer(400, "Bad year") from None
            return self._values(parts[2].split(","), kind, parts[4].split(","), years)
        raise _Answer(404, "Unknown route")

    def _groups(self) -> list[dict]:
        titles = {m["id"]: m["title"] for m in self.data["municipalities"]}
        return [{"id": g["id"], "title": g["title"],
                 "members": [{"id": m, "title": titles.get(m, m)} for m in g["members"]]}
                for g in self.data["municipality_groups"]]

    def _values(self, kpis: list[str], kind: str, entities: list[str], years: set[int] | None) -> list[dict]:
        with self._lock:
            rows = [r for r in self.data["data"] if r["kpi"] in kpis and r.get(kind) in entities
                    and (years is None or r["period"] in years)]
            rows.sort(key=lambda r: (kpis.index(r["kpi"]), entities.index(r[kind]), r["period"]))
            return [{"kpi": r["kpi"], kind: r[kind], "period": r["period"], "values": [
                {"gender": gender, "count": r.get("count", 1 if value is not None else 0),
                 "status": r.get("status", {}).get(gender, ""), "value": value}
                for gender, value in r["values"].items()]} for r in rows]


def _param(query: dict[str, list[str]], name: str) -> str:
    return query.get(name, [""])[0].strip()


class _Handler(BaseHTTPRequestHandler):
    kolada: FakeKolada
    server_version = "FakeKolada/3"

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        self.kolada.requests.append(self.path)
        failure = self.kolada._take_failure()
        if failure:
            status, body = failure
            self._send(status, body if body is not None else json.dumps({"error": "Service unavailable"}))
            return
        split = urlsplit(self.path)
        query = parse_qs(split.query)
        try:
            page, per_page = _int(query, "page", 1), _int(query, "per_page", MAX_PER_PAGE)
            if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
                raise _Answer(400, "page must be 1 or more, per_page 1 to 5000")
            values = self.kolada.answer(split.path, query)
        except _Answer as answer:
            self._send(answer.status, json.dumps({"error": answer.message}))
            return
        body: dict[str, Any] = {"count": len(values), "values": values[(page - 1) * per_page:page * per_page]}
        base = self.kolada.link_base or f"http://{self.headers.get('Host') or '127.0.0.1'}/v3"
        link = base.rstrip("/") + split.path.removeprefix("/v3")
        if page * per_page < len(values):
            body["next_page"] = f"{link}?{urlencode({**_flat(query), 'page': page + 1, 'per_page': per_page})}"
        if page > 1:
            body["previous_page"] = f"{link}?{urlencode({**_flat(query), 'page': page - 1, 'per_page': per_page})}"
        self._send(200, json.dumps(body, ensure_ascii=False))

    def _send(self, status: int, text: str) -> None:
        payload = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:  # quiet: no line per request
        pass


def _int(query: dict[str, list[str]], name: str, default: int) -> int:
    try:
        return int(query[name][0]) if name in query else default
    except ValueError:
        raise _Answer(400, f"{name} must be a number") from None


def _flat(query: dict[str, list[str]]) -> dict[str, str]:
    return {name: values[0] for name, values in query.items()}
