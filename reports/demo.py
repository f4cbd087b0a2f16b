"""The demo municipality's quality reports: templates, unit reports in every state.

- The administration has its own templates for grundskola and förskola (in Swedish: they are
  the administration's text, not the product's).
- Österportskolan (the `rektor` demo user's unit) has an approved report for last school year
  and a draft for this one, some sections written and done, started from last year's.
- The municipality has a (made-up) logo for the report covers.
- Västervångskolan has submitted this year's report, so `skolchef` has one to approve.
"""

from __future__ import annotations

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from ska.models import Administration, Committee, SchoolForm, Unit, User
from ska.schoolyear import SchoolYear

from .models import DataPart, ReportSettings, ReportTemplate, TemplateSection, UnitReport
from .services.report_settings import settings_save
from .services.unit_reports import unit_report_start

# (heading, guidance, data part)
GRUNDSKOLA_SECTIONS = [
    ("Sammanfattning", "Sammanfatta årets arbete: vad enheten arbetat med, vad det gav och vad ni utvecklar nästa år.", ""),
    ("Förutsättningar", "Beskriv enhetens förutsättningar: elever, personal och kompetens, organisation och lokaler.", ""),
    ("Förvaltningsgemensamma mål", "Hur har enheten arbetat mot de förvaltningsgemensamma målen?", DataPart.ADMINISTRATION_GOALS),
    ("Lokala mål", "Varför valde enheten sina lokala mål, och hur gick arbetet?", DataPart.LOCAL_GOALS),
    ("Indikatorer", "Kommentera förflyttningen från nuläge mot önskat läge.", DataPart.INDICATORS),
    ("Aktiviteter och uppföljning", "Vilka aktiviteter gjorde skillnad, och vilka gjorde det inte?", DataPart.ACTIVITIES),
    ("Analys och måluppfyllelse", "Analysera resultaten: orsaker, indikatorernas validitet och måluppfyllelse.", DataPart.ANALYSIS),
    (
        "Så har personal, elever och vårdnadshavare deltagit (Skollagen 4 kap. 4 §)",
        "Beskriv hur personal, elever och vårdnadshavare fått möjlighet att delta i uppföljning och analys.",
        DataPart.PARTICIPATION,
    ),
    ("Nya utvecklingsområden", "Vilka utvecklingsområden pekar analysen ut inför nästa läsår, och varför?", DataPart.DEVELOPMENT_AREAS),
]
FORSKOLA_SECTIONS = [
    (title.replace("elever", "barn"), guidance.replace("elever", "barn"), part)
    for title, guidance, part in GRUNDSKOLA_SECTIONS
]
TEMPLATES = [("grundskola", "Kvalitetsrapport grundskola", GRUNDSKOLA_SECTIONS), ("forskola", "Kvalitetsrapport förskola", FORSKOLA_SECTIONS)]

# What the rektor has written, by data part ("" for the written sections, in order).
TEXTS = {
    "Sammanfattning": "Läsåret har präglats av arbetet med trygghet och studiero och av den gemensamma satsningen "
    "på läsförståelse. Elevenkäten visar en tydlig förflyttning i tryggheten, medan resultaten i läsförståelse "
    "förbättrats mer i de yngre årskurserna än i de äldre.",
    "Förutsättningar": "Österportskolan har 410 elever i förskoleklass till årskurs 9 och 38 lärare, varav 34 med "
    "legitimation. Två lärartjänster i matematik har varit vakanta under hösten. Skolgården har rustats upp.",
    DataPart.ADMINISTRATION_GOALS: "Enheten har arbetat mot alla tre förvaltningsgemensamma mål, med störst kraft "
    "på trygghet och studiero.",
    DataPart.LOCAL_GOALS: "Det lokala målet om utomhuspedagogik valdes efter elevrådets önskemål.",
    DataPart.INDICATORS: "Andelen elever som känner sig trygga har ökat sedan förra mätningen. Där gruppen är för "
    "liten för att redovisas visas “..”.",
    DataPart.ACTIVITIES: "Rastvärdarna och de kollegiala observationerna har gett tydligast effekt.",
    DataPart.ANALYSIS: "Vi bedömer att målet om trygghet till stor del är uppnått. Resultaten i läsförståelse "
    "behöver analyseras vidare per årskurs.",
    DataPart.PARTICIPATION: "Arbetslagen analyserade resultaten på analysdagen i juni. Elevrådet och skolrådet "
    "med vårdnadshavare har fått ta del av och kommentera resultaten.",
    DataPart.DEVELOPMENT_AREAS: "Inför nästa läsår prioriterar vi trygghet i omklädningsrummen och läsförståelse i "
    "årskurs 7–9.",
}


def _text_for(section, unit: Unit) -> str:
    return TEXTS.get(section.data_part or section.title, "").replace("Österportskolan", unit.name)


def _templates(administration: Administration, user: User | None) -> None:
    forms = {form.code: form for form in SchoolForm.objects.filter(code__in=[code for code, _, _ in TEMPLATES])}
    have = set(ReportTemplate.objects.filter(administration=administration).values_list("school_form__code", flat=True))
    for code, name, sections in TEMPLATES:
        if code in have or code not in forms:
            continue
        template = ReportTemplate.objects.create(
            administration=administration, school_form=forms[code], name=name,
            introduction="Skriv kort och konkret. Rapporten lämnas till förvaltningen senast den 30 september.",
        )
        TemplateSection.objects.bulk_create(
            TemplateSection(template=template, title=title, guidance=guidance, data_part=part, sort_order=i * 10)
            for i, (title, guidance, part) in enumerate(sections, start=1)
        )


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())


def _write(report: UnitReport, user: User | None, *, done_count: int | None = None, written_count: int | None = None) -> None:
    """Write the report's sections: the first ``written_count`` get text, the first
    ``done_count`` are marked done (all, when None)."""
    for index, section in enumerate(report.sections.order_by("sort_order", "pk")):
        if written_count is None or index < written_count:
            section.text = _text_for(section, report.unit)
        section.done = done_count is None or index < done_count
        section.version += 1
        section._history_user = user
        section.save()


def _set_status(report: UnitReport, **values) -> None:
    for name, value in values.items():
        setattr(report, name, value)
    report.version += 1
    report.save()


def _new_report(unit: Unit | None, school_year: SchoolYear, user: User | None) -> UnitReport | None:
    """A newly started report, or None if the unit has one that year already (idempotent)."""
    if unit is None or UnitReport.all_objects.filter(unit=unit, school_year=school_year).exists():
        return None
    return unit_report_start(unit=unit, school_year=school_year, user=user)


@transaction.atomic
def _logo_png() -> bytes:
    """Ekvalla's made-up coat of arms, drawn for the demo's report covers (which print the name)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (120, 150), "white")
    draw = ImageDraw.Draw(image)
    draw.polygon([(10, 10), (110, 10), (110, 80), (60, 140), (10, 80)], fill="#1d3557")
    for y in (45, 70, 95):
        draw.line([(24, y), (44, y - 10), (64, y), (84, y - 10), (98, y)], fill="white", width=5)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _logo(municipality, user: User | None) -> None:
    if user is None or ReportSettings.objects.filter(municipality=municipality).exclude(logo="").exists():
        return
    settings_save(
        municipality=municipality, user=user, logo_alt="Ekvalla kommuns vapen",
        suppression_threshold=municipality.suppression_threshold,
        logo=SimpleUploadedFile("ekvalla.png", _logo_png(), content_type="image/png"),
    )


def seed_demo_reports(administration: Administration, committee: Committee) -> None:
    """Idempotent, like the rest of the demo."""
    users = {u.username: u for u in User.objects.filter(username__in=["rektor", "rektor2", "skolchef"])}
    rektor, rektor2, skolchef = users.get("rektor"), users.get("rektor2"), users.get("skolchef")
    _templates(administration, skolchef)
    _logo(administration.municipality, skolchef)
    units = {u.name: u for u in Unit.objects.filter(administration=administration, name__in=["Österportskolan", "Västervångskolan"])}
    current = SchoolYear.current()
    previous = current.previous()

    # Österportskolan: last year's approved, this year's draft started from it.
    if report := _new_report(units.get("Österportskolan"), previous, rektor):
        _write(report, rektor)
        _set_status(
            report, status=UnitReport.Status.APPROVED,
            submitted_at=_at(previous.end - datetime.timedelta(days=14), 15), submitted_by=rektor,
            decided_at=_at(previous.end - datetime.timedelta(days=7), 10), decided_by=skolchef,
        )
    if report := _new_report(units.get("Österportskolan"), current, rektor):
        _write(report, rektor, written_count=5, done_count=3)

    # Västervångskolan: submitted, waiting for skolchef.
    if report := _new_report(units.get("Västervångskolan"), current, rektor2):
        _write(report, rektor2)
        _set_status(
            report, status=UnitReport.Status.SUBMITTED,
            submitted_at=timezone.now() - datetime.timedelta(days=2), submitted_by=rektor2,
        )
