"""The benchmark's results as a Markdown table in docs/benchmarks.md: the pure part of `make bench`
(no Django, no load generator), so it can be tested on its own.

``results`` maps a number of concurrent users to the load generator's output for that run
(bench/locustfile.py: per page requests, failures, p50/p95 in ms, requests per second);
``queries`` maps a page to the number of SQL queries it made, measured once outside the load.
"""

from __future__ import annotations

import platform
from pathlib import Path

BEGIN = "<!-- bench:begin (written by `make bench`; edits here are lost) -->"
END = "<!-- bench:end -->"
BARE = "bare"
RATIO_AIM = 3.0


def ratio(p50: float | None, bare_p50: float | None) -> float | None:
    """A page's median latency as a multiple of the bare page's in the same run."""
    if p50 is None or not bare_p50:
        return None
    return p50 / bare_p50


def page_rows(result: dict, queries: dict[str, int], page_names: list[str]) -> list[dict]:
    """One row per page of the mix, in the mix's order, with its ratio to the bare page."""
    pages = result["pages"]
    bare_p50 = (pages.get(BARE) or {}).get("p50_ms")
    rows = []
    for name in page_names:
        page = pages.get(name) or {"requests": 0, "failures": 0, "p50_ms": None, "p95_ms": None, "rps": 0.0}
        rows.append({
            "page": name,
            "requests": page["requests"],
            "failures": page["failures"],
            "p50_ms": page["p50_ms"],
            "p95_ms": page["p95_ms"],
            "rps": page["rps"],
            "queries": queries.get(name),
            "ratio": ratio(page["p50_ms"], bare_p50),
        })
    return rows


def _number(value, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:.{digits}f}"


def _ratio_cell(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.1f}×" + (" ⚠" if value > RATIO_AIM else "")


def results_table(results: dict[int, dict], queries: dict[str, int], page_names: list[str],
                  memory_mb: dict[int, float]) -> str:
    """A table per level of concurrency."""
    parts = []
    for users in sorted(results):
        result = results[users]
        rows = page_rows(result, queries, page_names)
        total = sum(row["requests"] for row in rows)
        failures = sum(row["failures"] for row in rows)
        parts.append(
            f"### {users} concurrent user{'s' if users != 1 else ''}\n\n"
            f"{total} requests in {result['seconds']:.0f} s ({total / result['seconds'] if result['seconds'] else 0:.1f} req/s), "
            f"{failures} errors; peak memory of gunicorn (master + workers): {_number(memory_mb.get(users))} MB.\n\n"
            "| page | requests | errors | p50 ms | p95 ms | req/s | queries | p50 / bare |\n"
            "|---|---:|---:|---:|---:|---:|---:|---:|\n"
            + "\n".join(
                f"| {row['page']} | {row['requests']} | {row['failures']} | {_number(row['p50_ms'])} | "
                f"{_number(row['p95_ms'])} | {_number(row['rps'], 2)} | {_number(row['queries'])} | "
                f"{_ratio_cell(row['ratio']) if row['page'] != BARE else '1.0×'} |"
                for row in rows
            )
        )
        if result.get("errors"):
            parts.append("Errors:\n\n" + "\n".join(
                f"- {error['name']}: {error['error']} ({error['count']}×)" for error in result["errors"]
            ))
    return "\n\n".join(parts)


def machine_lines(machine: dict) -> str:
    return "\n".join(f"- **{label}:** {value}" for label, value in machine.items())


def section(*, machine: dict, setup: dict, results: dict[int, dict], queries: dict[str, int],
            page_names: list[str], memory_mb: dict[int, float], pdf: str | None) -> str:
    """The generated part of docs/benchmarks.md, markers included."""
    body = [
        BEGIN,
        "## Latest run\n",
        "### Machine\n\n" + machine_lines(machine),
        "### Set-up\n\n" + machine_lines(setup),
        results_table(results, queries, page_names, memory_mb),
        "### PDF throughput (bench/reports.py)\n\n" + (f"```\n{pdf.strip()}\n```" if pdf else "Not run (`--skip-pdf`)."),
        END,
    ]
    return "\n\n".join(body) + "\n"


def replace_section(document: str, new_section: str) -> str:
    """``document`` with the generated section replaced (or appended when it has none yet)."""
    start, end = document.find(BEGIN), document.find(END)
    if start == -1 or end == -1 or end < start:
        return document.rstrip("\n") + "\n\n" + new_section
    return document[:start] + new_section.rstrip("\n") + document[end + len(END):]


def describe_machine(proc: Path = Path("/proc")) -> dict[str, str]:
    """CPU model and cores, memory and Python, from /proc where there is one."""
    machine = {}
    try:
        cpuinfo = (proc / "cpuinfo").read_text()
        models = [line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")]
        machine["CPU"] = f"{models[0] if models else platform.processor() or 'unknown'}, {sum(line.startswith('processor') for line in cpuinfo.splitlines())} cores"
    except OSError:
        machine["CPU"] = platform.processor() or "unknown"
    try:
        meminfo = (proc / "meminfo").read_text()
        kib = next(int(line.split()[1]) for line in meminfo.splitlines() if line.startswith("MemTotal"))
        machine["RAM"] = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        pass
    try:
        load = (proc / "loadavg").read_text().split()[:3]
        machine["Load average at start"] = " / ".join(load)
    except OSError:
        pass
    machine["OS"] = platform.platform()
    machine["Python"] = platform.python_version()
    return machine
