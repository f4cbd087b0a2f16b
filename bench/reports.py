"""Benchmark: how fast quality reports are built, and where the time goes.

    .venv/bin/python bench/reports.py                 # a throwaway SQLite database under var/
    DATABASE_URL=postgres://... .venv/bin/python bench/reports.py --wipe

Seeds a fresh database with ``seed_demo --units 150`` (the demo gives every generated unit a
goal chain), starts the quality reports of 50 units, then builds the grundskola report and
the 50 unit reports exactly as the build job does — ``gather`` → ``render_html`` →
``write_pdf`` — and prints the seconds, pages, pages per second and peak memory, and the
ratio of the whole job to WeasyPrint rendering the same final HTML alone (``write_pdf`` is
timed a second time on the same HTML). Data gathering and templating should take less than
20 % of the render time.

A script, not a test: timings depend on the machine. Nothing is stored or sent to a worker.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
# This file is named like the reports app: import the app, not this script.
sys.path[:] = [str(BASE_DIR), *(p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent)]
DEFAULT_DB = BASE_DIR / "var" / "bench-reports.sqlite3"
GOAL_SHARE = 0.20


@dataclass
class Timing:
    """Seconds per step over some builds of one kind."""

    builds: int = 0
    pages: int = 0
    gather: float = 0.0
    template: float = 0.0
    render: float = 0.0  # write_pdf within the job
    render_alone: float = 0.0  # write_pdf again on the same HTML
    largest_html: int = 0

    @property
    def job(self) -> float:
        return self.gather + self.template + self.render

    def add(self, other: Timing) -> None:
        for name in ("builds", "pages", "gather", "template", "render", "render_alone"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.largest_html = max(self.largest_html, other.largest_html)


@dataclass
class Results:
    kinds: dict[str, Timing] = field(default_factory=dict)

    def timing(self, kind: str) -> Timing:
        return self.kinds.setdefault(kind, Timing())

    @property
    def total(self) -> Timing:
        total = Timing()
        for timing in self.kinds.values():
            total.add(timing)
        return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=150, help="Units the demo municipality gets (default 150).")
    parser.add_argument("--unit-reports", type=int, default=50, help="Unit reports to build (default 50).")
    parser.add_argument("--wipe", action="store_true", help="Empty the database named by DATABASE_URL first.")
    parser.add_argument("--keep", action="store_true", help="Reuse an already seeded database (skip seeding).")
    args = parser.parse_args()

    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{DEFAULT_DB}"
        if not args.keep:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{DEFAULT_DB}{suffix}").unlink(missing_ok=True)
    elif not (args.wipe or args.keep):
        print("DATABASE_URL is set: give --wipe to empty that database first (or --keep to reuse it).", file=sys.stderr)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ska.settings")

    seconds_seeding = 0.0 if args.keep else seed(args.units, wipe=bool(args.wipe))
    import django

    django.setup()
    for name in ("weasyprint.progress", "reports.services.pdf"):  # a line per page or per PDF otherwise
        logging.getLogger(name).setLevel(logging.WARNING)
    print(f"Seeded {args.units} units in {seconds_seeding:.1f} s; database {describe_database()}.")

    administration, school_year, reports = prepare(args.unit_reports)
    memory_before = peak_memory_mb()
    results = build_all(administration, school_year, reports)
    print_results(results, memory_before)
    return 0


def seed(units: int, *, wipe: bool) -> float:
    """Migrate and seed in a process of its own, so that its memory is not counted."""
    python = sys.executable
    started = time.perf_counter()
    run = lambda *command: subprocess.run([python, "manage.py", *command], cwd=BASE_DIR, check=True)  # noqa: E731
    run("migrate", "--noinput", "--verbosity", "0")
    if wipe:
        run("flush", "--noinput", "--verbosity", "0")
    run("seed_demo", "--units", str(units))
    return time.perf_counter() - started


def describe_database() -> str:
    from django.db import connection

    return f"{connection.vendor} {connection.settings_dict['NAME']}"


def prepare(count: int):
    """The demo administration, the school year, and ``count`` unit reports started on units
    that have a goal chain this school year."""
    from ska.models import Administration, Goal, Unit
    from ska.schoolyear import SchoolYear

    from reports.services.unit_reports import unit_report_start  # written with the reports app

    school_year = SchoolYear.current()
    administration = Administration.objects.select_related("municipality").order_by("pk").first()
    units = list(Unit.objects.filter(administration=administration).open().order_by("name", "pk"))
    with_chain = set(
        Goal.objects.filter(unit__in=units, school_year=school_year).values_list("unit_id", flat=True).distinct()
    )
    print(f"{len(with_chain)} of {len(units)} units of {administration} have a goal chain for {school_year}.")
    chosen = [unit for unit in units if unit.pk in with_chain][:count]
    if len(chosen) < count:
        print(f"Only {len(chosen)} units have a chain: building {len(chosen)} unit reports.")
    reports = [unit_report_start(unit=unit, school_year=school_year, user=None) for unit in chosen]
    return administration, school_year, reports


def build_all(administration, school_year, reports) -> Results:
    """The grundskola report, then each unit report, timed step by step."""
    results = Results()
    build(results.timing("grundskola"), "grundskola", school_year=school_year, administration=administration)
    for report in reports:
        build(results.timing("unit"), "unit", school_year=school_year, unit_report=report)
    return results


def build(timing: Timing, kind: str, **arguments) -> None:
    from reports.services.data import gather
    from reports.services.pdf import render_html, write_pdf

    started = time.perf_counter()
    data = gather(kind, **arguments)
    gathered = time.perf_counter()
    html = render_html(data)
    templated = time.perf_counter()
    _pdf, pages = write_pdf(html)
    rendered = time.perf_counter()
    gc.collect()
    again = time.perf_counter()
    write_pdf(html)
    alone = time.perf_counter() - again
    timing.builds += 1
    timing.pages += pages
    timing.gather += gathered - started
    timing.template += templated - gathered
    timing.render += rendered - templated
    timing.render_alone += alone
    timing.largest_html = max(timing.largest_html, len(html))


def peak_memory_mb() -> float:
    """The process's peak resident memory (ru_maxrss: kilobytes on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def print_results(results: Results, memory_before: float) -> None:
    print()
    print(f"{'':12} {'builds':>6} {'pages':>6} {'gather s':>9} {'template s':>10} {'render s':>9} "
          f"{'alone s':>8} {'job/alone':>9} {'share':>6}")
    for name, timing in [*results.kinds.items(), ("total", results.total)]:
        print(f"{name:12} {timing.builds:6d} {timing.pages:6d} {timing.gather:9.2f} {timing.template:10.2f} "
              f"{timing.render:9.2f} {timing.render_alone:8.2f} {ratio(timing.job, timing.render_alone):9.2f} "
              f"{share(timing):6.1%}")
    total = results.total
    print()
    print(f"Seconds total (gather + template + render): {total.job:.1f}")
    print(f"Pages: {total.pages}; pages per second: {total.pages / total.job if total.job else 0:.2f}")
    print(f"Peak memory: {peak_memory_mb():.0f} MB (before building: {memory_before:.0f} MB); "
          f"largest HTML {max(t.largest_html for t in results.kinds.values()) / 1024:.0f} KB")
    print(f"Whole job / WeasyPrint alone on the same HTML: {ratio(total.job, total.render_alone):.2f}")
    verdict = "within" if share(total) < GOAL_SHARE else "OVER"
    print(f"Gathering + templating: {share(total):.1%} of the render time ({verdict} the {GOAL_SHARE:.0%} aim)")


def ratio(a: float, b: float) -> float:
    return a / b if b else float("nan")


def share(timing: Timing) -> float:
    """Gathering and templating as a share of WeasyPrint's time alone."""
    return ratio(timing.gather + timing.template, timing.render_alone)


if __name__ == "__main__":
    sys.exit(main())
