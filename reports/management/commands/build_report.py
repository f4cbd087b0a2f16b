"""Build a report's PDF from the command line, exactly as the "Skapa PDF" job does (gather the
snapshot, render the HTML, write the PDF), without the web UI, the job row or the archive.

    python manage.py build_report --kind grundskola --year 2025/26 --out grundskola.pdf
    python manage.py build_report --kind unit --unit 3 --out osterport.pdf
    python manage.py build_report --kind analysis --round 1 --out analys.pdf
"""

from __future__ import annotations

import importlib
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.models import ReportKind, UnitReport
from reports.services.data import gather, validate_snapshot
from reports.services.pdf import render_html, write_pdf
from reports.services.progress import Progress
from ska.models import Administration, Unit
from ska.schoolyear import SchoolYear


class Command(BaseCommand):
    help = "Build a report's PDF without the web UI (the same document the web's build job makes)."

    def add_arguments(self, parser):
        parser.add_argument("--kind", required=True, choices=[k.value for k in ReportKind], help="Which report.")
        parser.add_argument("--unit", type=int, dest="unit_id", help="The unit's id (--kind unit).")
        parser.add_argument("--round", type=int, dest="round_id", help="The dialogue round's id (--kind analysis).")
        parser.add_argument("--year", help="School year, e.g. 2025/26 (default: the current one).")
        parser.add_argument(
            "--administration", type=int, dest="administration_id",
            help="The administration's id (default: the only one, if there is only one).",
        )
        parser.add_argument("--out", required=True, help="Where to write the PDF.")

    def handle(self, *args, kind, unit_id=None, round_id=None, year=None, administration_id=None, out, **options):
        kind = ReportKind(kind)
        out_path = _out_path(out)
        if unit_id is not None and kind != ReportKind.UNIT:
            raise CommandError("--unit is only for --kind unit.")
        if round_id is not None and kind != ReportKind.ANALYSIS:
            raise CommandError("--round is only for --kind analysis.")
        school_year = _school_year(year)
        arguments = {"school_year": school_year}
        if kind == ReportKind.UNIT:
            arguments.update(self._unit_arguments(unit_id, school_year, administration_id))
        elif kind == ReportKind.ANALYSIS:
            arguments.update(_round_arguments(round_id, year, administration_id))
        else:
            arguments["administration"] = _administration(administration_id)

        # With -v 2, the build's steps as the progress bar would show them.
        say = (lambda done, total, label: self.stdout.write(f"  {done}/{total} {label}")) if options["verbosity"] >= 2 else None
        progress = Progress(say)
        started = time.perf_counter()
        data = validate_snapshot(gather(kind.value, progress=progress, **arguments))
        pdf, pages = write_pdf(render_html(data))
        seconds = time.perf_counter() - started
        try:
            out_path.write_bytes(pdf)
        except OSError as error:
            raise CommandError(f"Could not write {out_path}: {error.strerror or error}.") from error
        self.stdout.write(self.style.SUCCESS(
            f"Wrote {out_path}: {data['title']} ({data['school_year']}), {pages} pages in {seconds:.1f} seconds."
        ))

    def _unit_arguments(self, unit_id, school_year, administration_id) -> dict:
        if unit_id is None:
            raise CommandError("--kind unit needs --unit ID.")
        unit = Unit.objects.select_related("administration").filter(pk=unit_id).first()
        if unit is None:
            raise CommandError(f"There is no unit with id {unit_id}.")
        if unit.administration_id is None:
            raise CommandError(f"{unit} belongs to an independent provider: it has no quality report of the municipality.")
        if administration_id is not None and unit.administration_id != administration_id:
            raise CommandError(f"{unit} does not belong to the administration with id {administration_id}.")
        report = UnitReport.objects.filter(unit=unit, school_year=school_year).first()
        if report is None:
            report = _start_unit_report(unit, school_year)
            self.stdout.write(f"{unit} had no quality report for {school_year}; started one (a draft).")
        return {"administration": unit.administration, "unit_report": report}


def _out_path(out: str) -> Path:
    path = Path(out).expanduser()
    if path.is_dir():
        raise CommandError(f"--out {out} is a folder; give the PDF's file name.")
    if not path.parent.is_dir():
        raise CommandError(f"The folder {path.parent} does not exist.")
    return path


def _school_year(text: str | None) -> SchoolYear:
    if text is None:
        return SchoolYear.current()
    try:
        return SchoolYear.parse(text)
    except ValueError:
        raise CommandError(f"--year {text!r} is not a school year; write it like 2025/26.") from None


def _administration(administration_id: int | None) -> Administration:
    queryset = Administration.objects.select_related("municipality", "committee").order_by("pk")
    if administration_id is not None:
        administration = queryset.filter(pk=administration_id).first()
        if administration is None:
            raise CommandError(f"There is no administration with id {administration_id}.")
        return administration
    administrations = list(queryset[:2])
    if not administrations:
        raise CommandError("There is no administration yet.")
    if len(administrations) > 1:
        listed = ", ".join(f"{a.pk} ({a})" for a in queryset)
        raise CommandError(f"There is more than one administration; choose one with --administration: {listed}.")
    return administrations[0]


def _round_arguments(round_id: int | None, year: str | None, administration_id: int | None) -> dict:
    from dialogs.models import Round

    if round_id is None:
        raise CommandError("--kind analysis needs --round ID.")
    round_ = Round.objects.select_related("administration__committee", "municipality").filter(pk=round_id).first()
    if round_ is None:
        raise CommandError(f"There is no dialogue round with id {round_id}.")
    if administration_id is not None and round_.administration_id != administration_id:
        raise CommandError(f"The round {round_} does not belong to the administration with id {administration_id}.")
    if year is not None and _school_year(year) != round_.school_year:
        raise CommandError(f"The round {round_} is in the school year {round_.school_year}, not {year}.")
    return {"school_year": round_.school_year, "administration": round_.administration, "round_": round_}


def _start_unit_report(unit, school_year) -> UnitReport:
    """The unit's report for the year, started as the web does when the rektor opens it."""
    try:
        services = importlib.import_module("reports.services.unit_reports")
        start = services.unit_report_start
    except (ImportError, AttributeError):
        raise CommandError(f"{unit} has no quality report for {school_year}.") from None
    try:
        return start(unit=unit, school_year=school_year, user=None)
    except getattr(services, "ReportError", ValueError) as error:
        raise CommandError(str(error)) from error
