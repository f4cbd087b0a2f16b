"""A unit report over the ``report_chain`` fixture's chain: written sections, one section
for each part filled from data, and an image with its text alternative."""

import io

from django.core.files.base import ContentFile
from PIL import Image

from reports.models import DataPart, ReportSection, SectionImage, UnitReport

WRITTEN = [
    ("Sammanfattning", "Året har präglats av arbetet med tryggheten.\n\nVi ser en tydlig förflyttning."),
    ("Förutsättningar", "Skolan har 410 elever och 38 lärare."),
]


def png_bytes(size=(120, 60), colour=(11, 83, 148)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def make_unit_report(chain, *, status=UnitReport.Status.APPROVED, with_image=True) -> UnitReport:
    report = UnitReport.objects.create(unit=chain.unit, school_year=chain.school_year, status=status)
    order = 0
    for title, text in WRITTEN:
        order += 10
        ReportSection.objects.create(report=report, title=title, text=text, done=True, sort_order=order)
    for part in DataPart:
        order += 10
        ReportSection.objects.create(
            report=report, title=str(part.label)[:60], data_part=part.value, done=part != DataPart.PARTICIPATION,
            text=f"Rektorns kommentar om {part.value}.", sort_order=order,
        )
    if with_image:
        section = report.sections.order_by("sort_order").first()
        image = SectionImage(section=section, alt_text="Elever på skolgården under rasten", caption="Rastvärdar i arbete")
        image.image.save("rast.png", ContentFile(png_bytes()), save=True)
    return report
