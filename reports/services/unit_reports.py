"""A unit's quality report: starting it, writing its sections and images, and its workflow
(DOMAIN.md, "Quality reports").

Rules:

- A report is started once per unit and school year. Its structure (headings, guidance,
  data parts, order; never the texts) is copied from the unit's latest earlier report, so
  next year's report starts from this year's structure; failing that, from the
  administration's template for the unit's school form; failing that, from the built-in
  structure (``reports.services.report_templates``).
- The unit's staff write while the report is a draft or has been returned. The rektor
  submits it once every section is marked done; förvaltningsledning approves it or returns
  it with comments. An approved report is locked: every service here refuses to change it
  (``ReportError``); the pages only hide the buttons.
- A section's text carries a ``version``: a save based on an older version is refused with
  ``ska.services.records.EditConflict``, so nobody's text is silently overwritten.
- An image is checked whole before anything is written: a real PNG or JPEG, within the size
  limit, with a text alternative (PDF/UA: every image has one).
"""

from __future__ import annotations

import io
import uuid
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError
from simple_history.utils import bulk_create_with_history

from ska.models import Unit, User
from ska.schoolyear import SchoolYear
from ska.services.records import record_delete, record_update

from ..models import ReportSection, SectionImage, UnitReport
from . import report_templates


class ReportError(Exception):
    """A change the report's state does not allow; the message is for the person who tried."""


class ImageRejected(ReportError):
    """An upload that is not an image the report can hold; the message says why."""


def _history_user(obj, user):
    if user is not None:
        obj._history_user = user
    return obj


# --- Starting ------------------------------------------------------------------------
def structure_for(unit: Unit, school_year: SchoolYear):
    """(template, [SectionSpec]): what a new report of the unit for the school year starts from."""
    earlier = (
        UnitReport.objects.filter(unit=unit, school_year__lt=school_year.start_year)
        .order_by("-school_year")
        .first()
    )
    if earlier is not None:
        sections = [
            report_templates.SectionSpec(s.title, s.guidance, s.data_part)
            for s in earlier.sections.order_by("sort_order", "pk")
        ]
        if sections:
            return earlier.template, sections
    template = report_templates.template_for(unit, school_year)
    if template is not None:
        sections = report_templates.template_sections(template)
        if sections:
            return template, sections
    return None, report_templates.default_sections()


def unit_report_start(*, unit: Unit, school_year: SchoolYear, user: User | None) -> UnitReport:
    """The unit's report for the school year, started with its structure if there is none
    yet. Safe to call twice, also at the same moment."""
    existing = UnitReport.objects.filter(unit=unit, school_year=school_year).first()
    if existing is not None:
        return existing
    if unit.administration_id is None:
        raise ReportError(_("Units of independent providers do not write the municipality's quality report."))
    template, sections = structure_for(unit, school_year)
    try:
        with transaction.atomic():
            report = _history_user(UnitReport(unit=unit, school_year=school_year, template=template), user)
            report.save()
            bulk_create_with_history(
                [
                    ReportSection(
                        report=report,
                        title=spec.title[:200],
                        guidance=spec.guidance,
                        data_part=spec.data_part,
                        sort_order=position * 10,
                    )
                    for position, spec in enumerate(sections, start=1)
                ],
                ReportSection,
                default_user=user,
            )
    except IntegrityError:  # someone started it at the same moment
        return UnitReport.objects.get(unit=unit, school_year=school_year)
    return report


# --- Writing -------------------------------------------------------------------------
def _locked_editable(report_id: int) -> UnitReport:
    """The report's row, locked for this transaction, if it may still be written in;
    ``ReportError`` otherwise."""
    report = UnitReport.all_objects.select_for_update().get(pk=report_id)
    if report.deleted_at is not None:
        raise ReportError(_("The report has been removed."))
    if report.is_locked:
        raise ReportError(_("The report has been approved and is locked: nothing in it can be changed."))
    if not report.is_editable:
        raise ReportError(
            _("The report has been submitted for approval. It can be changed again if it is returned.")
        )
    return report


def _check_done(section: ReportSection, text: str, done: bool) -> None:
    if done and not section.data_part and not text.strip():
        raise ReportError(
            _("Write something in “%(title)s” before marking it as done.") % {"title": section.title}
        )


def section_save(
    *, section: ReportSection, version: int, text: str, user: User, done: bool | None = None
) -> ReportSection:
    """Save a section's text (and, if given, whether it is done) if nobody has saved it since
    ``version``; otherwise ``EditConflict`` with who saved, when, and their text."""
    with transaction.atomic():
        _locked_editable(section.report_id)
        values = {"text": text}
        if done is not None:
            _check_done(section, text, done)
            values["done"] = done
        return record_update(record=section, version=version, values=values, user=user)


def _mark(section: ReportSection, version: int, done: bool, user: User) -> ReportSection:
    with transaction.atomic():
        _locked_editable(section.report_id)
        current = ReportSection.objects.get(pk=section.pk)
        _check_done(current, current.text, done)
        return record_update(record=section, version=version, values={"done": done}, user=user)


def section_mark_done(*, section: ReportSection, version: int, user: User) -> ReportSection:
    return _mark(section, version, True, user)


def section_mark_undone(*, section: ReportSection, version: int, user: User) -> ReportSection:
    return _mark(section, version, False, user)


# --- Images --------------------------------------------------------------------------
IMAGE_FORMATS = {"PNG": "png", "JPEG": "jpg"}
MAX_PIXELS = 40_000_000  # far above any photo or chart; refuses decompression bombs


def image_check(upload) -> tuple[bytes, str]:
    """The upload's bytes and file extension if it is a whole PNG or JPEG within the size
    limit; ``ImageRejected`` with the reason otherwise. Reads the file, writes nothing."""
    if upload is None:
        raise ImageRejected(_("Choose an image to upload."))
    if upload.size > settings.SKA_MAX_UPLOAD_BYTES:
        raise ImageRejected(
            _("The image is too large: at most %(size)s.") % {"size": filesizeformat(settings.SKA_MAX_UPLOAD_BYTES)}
        )
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    not_an_image = _("The file is not a PNG or JPEG image, or it is damaged.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(IMAGE_FORMATS)) as image:
                kind = image.format
                width, height = image.size
                image.verify()  # the whole file's structure, without decoding it
            if kind not in IMAGE_FORMATS:
                raise ImageRejected(not_an_image)
            if width * height > MAX_PIXELS:
                raise ImageRejected(_("The image has too many pixels. Make it smaller and try again."))
            with Image.open(io.BytesIO(data), formats=list(IMAGE_FORMATS)) as image:
                image.load()  # and decoded: verify misses truncated pixel data
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        raise ImageRejected(not_an_image)
    return data, IMAGE_FORMATS[kind]


def image_add(
    *, section: ReportSection, upload, alt_text: str, user: User, caption: str = ""
) -> SectionImage:
    """Add an image to a section. Everything is checked before anything is written."""
    alt_text = (alt_text or "").strip()
    if not alt_text:
        raise ImageRejected(_("Describe what the image shows: an image without a text alternative cannot be added."))
    data, extension = image_check(upload)
    with transaction.atomic():
        _locked_editable(section.report_id)
        last = section.images.order_by("-sort_order").values_list("sort_order", flat=True).first() or 0
        image = SectionImage(
            section=section, alt_text=alt_text[:500], caption=(caption or "").strip()[:300],
            sort_order=min(last + 10, 32000),
        )
        image.image.save(f"section-{section.pk}-{uuid.uuid4().hex}.{extension}", ContentFile(data), save=False)
        try:
            _history_user(image, user).save()
        except Exception:
            image.image.delete(save=False)  # no file left behind without its row
            raise
    return image


def image_remove(*, image: SectionImage, user: User) -> SectionImage:
    """Remove an image (soft: it stays in the history and in the storage)."""
    with transaction.atomic():
        _locked_editable(image.section.report_id)
        return record_delete(record=image, user=user)


# --- The workflow --------------------------------------------------------------------
def _locked(report: UnitReport) -> UnitReport:
    current = UnitReport.all_objects.select_for_update().get(pk=report.pk)
    if current.deleted_at is not None:
        raise ReportError(_("The report has been removed."))
    if current.is_locked:
        raise ReportError(_("The report has been approved and is locked: nothing in it can be changed."))
    return current


def _save_status(report: UnitReport, user: User, **values) -> UnitReport:
    for name, value in values.items():
        setattr(report, name, value)
    report.version += 1
    _history_user(report, user).save()
    return report


def unit_report_submit(*, report: UnitReport, user: User) -> UnitReport:
    """The rektor submits the report for approval; every section must be marked done."""
    with transaction.atomic():
        current = _locked(report)
        if not current.is_editable:
            raise ReportError(_("The report has already been submitted."))
        not_done = [s.title for s in current.sections.order_by("sort_order", "pk") if not s.done]
        if not_done:
            raise ReportError(
                _("Mark every section as done before submitting the report. Not done yet: %(titles)s.")
                % {"titles": "; ".join(not_done)}
            )
        return _save_status(
            current, user, status=UnitReport.Status.SUBMITTED, submitted_at=timezone.now(), submitted_by=user
        )


def unit_report_return(*, report: UnitReport, comment: str, user: User) -> UnitReport:
    """Förvaltningsledning returns a submitted report with comments for the rektor."""
    comment = (comment or "").strip()
    if not comment:
        raise ReportError(_("Write what the rektor should change before returning the report."))
    with transaction.atomic():
        current = _locked(report)
        if current.status != UnitReport.Status.SUBMITTED:
            raise ReportError(_("Only a submitted report can be returned."))
        return _save_status(
            current, user, status=UnitReport.Status.RETURNED, decided_at=timezone.now(), decided_by=user,
            return_comment=comment,
        )


def unit_report_approve(*, report: UnitReport, user: User) -> UnitReport:
    """Förvaltningsledning approves a submitted report; from then on it is locked."""
    with transaction.atomic():
        current = _locked(report)
        if current.status != UnitReport.Status.SUBMITTED:
            raise ReportError(_("Only a submitted report can be approved."))
        return _save_status(current, user, status=UnitReport.Status.APPROVED, decided_at=timezone.now(), decided_by=user)


# --- Reading -------------------------------------------------------------------------
@dataclass(frozen=True)
class Completeness:
    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    def __iter__(self):  # done, total, percent = completeness(report)
        return iter((self.done, self.total, self.percent))


def completeness(report: UnitReport) -> Completeness:
    """How many of the report's sections are marked done. Uses the counts annotated by
    ``with_completeness`` or prefetched sections when there are any; else one query."""
    if hasattr(report, "sections_total"):
        return Completeness(report.sections_done or 0, report.sections_total or 0)
    sections = list(report.sections.all())
    return Completeness(sum(s.done for s in sections), len(sections))


def with_completeness(reports):
    """A queryset of reports annotated with their sections' counts (for lists)."""
    live = Q(sections__deleted_at__isnull=True)
    return reports.annotate(
        sections_total=Count("sections", filter=live, distinct=True),
        sections_done=Count("sections", filter=live & Q(sections__done=True), distinct=True),
    )


def latest_shown_report(unit: Unit, school_year: SchoolYear) -> UnitReport | None:
    """The unit's latest submitted or approved report of the school year, else of the year
    before (material for a quality dialogue). One query."""
    return (
        UnitReport.objects.filter(
            unit=unit,
            school_year__in=[school_year.start_year, school_year.previous().start_year],
            status__in=[UnitReport.Status.SUBMITTED, UnitReport.Status.APPROVED],
        )
        .select_related("unit")
        .order_by("-school_year", "-pk")
        .first()
    )


def reports_of_units(units, school_years) -> dict[tuple[int, int], UnitReport]:
    """The units' reports of the school years, by (unit id, start year), with their
    completeness counted: one query, for the start page."""
    reports = with_completeness(
        UnitReport.objects.filter(unit__in=units, school_year__in=[y.start_year for y in school_years])
    )
    return {(r.unit_id, r.school_year.start_year): r for r in reports}


def awaiting_approval(reports) -> list[tuple[SchoolYear, int]]:
    """How many of ``reports`` (a queryset the person may see) wait for approval, per school
    year, latest first: one query."""
    rows = (
        reports.filter(status=UnitReport.Status.SUBMITTED)
        .values_list("school_year")
        .annotate(n=Count("pk"))
        .order_by("-school_year")
    )
    return [(SchoolYear(year) if isinstance(year, int) else year, n) for year, n in rows]
