"""The unit report in the browser: the report's page (sections written and saved one by one,
images, how complete it is, a preview of what the goal chain fills in), starting it, the
workflow (submit, return with comments, approve), and förvaltningsledning's overview."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, prefetch_related_objects
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from ska.access import get_visible_or_404, led_administrations, scope_of, visible_unit_reports
from ska.models import Unit
from ska.schoolyear import SchoolYear
from ska.services.records import EditConflict

from ..forms_unit_reports import NOT_STARTED, OverviewFilterForm, ReturnForm, SectionForm, SectionImageForm
from ..models import ReportSection, SectionImage, UnitReport
from ..services import unit_reports as services
from ..services.deadlines import passed_report_deadlines
from ..services.unit_report_preview import report_preview
from ..services.unit_reports import ReportError

REPORT_RELATED = ("unit__administration__municipality", "template", "submitted_by", "decided_by")


def _is_fragment_request(request) -> bool:
    """htmx asks for the fragment, except when restoring history (then it needs the page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def _visible(request, pk) -> UnitReport:
    reports = visible_unit_reports(request.user).select_related(*REPORT_RELATED)
    return get_visible_or_404(request.user, reports, "ska.view_unit_report", pk=pk)


def _report_url(report_id: int, anchor: str = "") -> str:
    url = reverse("reports:unit_report", args=[report_id])
    return f"{url}#{anchor}" if anchor else url


def _section_for(request, pk: int, perm: str = "ska.write_unit_report") -> ReportSection:
    """A section of a report the person may see (404 otherwise) and ``perm`` on (403 otherwise)."""
    section = get_object_or_404(
        ReportSection.objects.select_related(*(f"report__{name}" for name in REPORT_RELATED)),
        pk=pk,
        report__deleted_at__isnull=True,
    )
    if not request.user.has_perm("ska.view_unit_report", section.report):
        raise Http404
    if not request.user.has_perm(perm, section.report):
        raise PermissionDenied
    return section


def _conflict_message(conflict: EditConflict) -> str:
    who = str(conflict.changed_by) if conflict.changed_by else _("someone else")
    when = date_format(localtime(conflict.changed_at), "j F Y H:i") if conflict.changed_at else ""
    return _(
        "%(who)s saved this section %(when)s, while you were writing. Your text has not been saved: it is "
        "still in the field. Their text is shown below; combine the two and save again to keep yours."
    ) % {"who": who, "when": when}


def _sees_overview(user) -> bool:
    scope = scope_of(user)
    return bool(scope.is_sysadmin or scope.led_administrations)


# --- The report's page ---------------------------------------------------------------
def _permissions(user, report: UnitReport) -> dict:
    return {
        "can_edit": report.is_editable and user.has_perm("ska.write_unit_report", report),
        "can_submit": report.is_editable and user.has_perm("ska.submit_unit_report", report),
        "can_decide": report.status == UnitReport.Status.SUBMITTED and user.has_perm("ska.decide_unit_report", report),
    }


def _sections(report: UnitReport) -> list[ReportSection]:
    images = Prefetch("images", queryset=SectionImage.objects.order_by("sort_order", "pk"))
    return list(report.sections.prefetch_related(images).order_by("sort_order", "pk"))


def _item(section: ReportSection, *, can_edit: bool, preview=None, form=None, image_form=None, **extra) -> dict:
    return {
        "section": section,
        "form": form or (SectionForm(section=section) if can_edit else None),
        "image_form": image_form or (SectionImageForm(section=section) if can_edit else None),
        "images": list(section.images.all()),
        "data": preview.part(section.data_part) if preview is not None and section.data_part else None,
        **extra,
    }


def _report_context(request, report: UnitReport, *, items: dict | None = None, image_forms: dict | None = None,
                    return_form: ReturnForm | None = None) -> dict:
    """Everything on the report's page, in a fixed number of queries. ``items`` replaces a
    section's item (a form with a conflict), ``image_forms`` a section's upload form."""
    permissions = _permissions(request.user, report)
    sections = _sections(report)
    preview = report_preview(report) if any(s.data_part for s in sections) else None
    image_forms = image_forms or {}
    other_years = list(
        UnitReport.objects.filter(unit_id=report.unit_id).exclude(pk=report.pk).order_by("-school_year")
    )
    return {
        "report": report,
        **permissions,
        "items": [
            (items or {}).get(s.pk)
            or _item(s, can_edit=permissions["can_edit"], preview=preview, image_form=image_forms.get(s.pk))
            for s in sections
        ],
        "completeness": services.Completeness(sum(s.done for s in sections), len(sections)),
        "preview": preview,
        "return_form": return_form or (ReturnForm() if permissions["can_decide"] else None),
        "other_years": other_years,
        "can_see_overview": _sees_overview(request.user),
    }


@require_GET
def unit_report(request, pk):
    report = _visible(request, pk)
    return render(request, "reports/unit_report.html", _report_context(request, report))


@require_POST
def unit_report_start(request, unit_pk, year):
    """Start the unit's report for the school year (or open it, if it has been started)."""
    unit = get_object_or_404(Unit.objects.select_related("administration"), pk=unit_pk)
    current = SchoolYear.current()
    if not current.start_year - 1 <= year <= current.start_year + 1:
        raise Http404
    probe = UnitReport(unit=unit, school_year=SchoolYear(year))
    if not request.user.has_perm("ska.view_unit_report", probe):
        raise Http404
    if not request.user.has_perm("ska.write_unit_report", probe):
        raise PermissionDenied
    try:
        report = services.unit_report_start(unit=unit, school_year=SchoolYear(year), user=request.user)
    except ReportError as error:
        messages.error(request, str(error))
        return redirect("start")
    return redirect(report.get_absolute_url())


# --- Sections ------------------------------------------------------------------------
@require_POST
@vary_on_headers("HX-Request")
def section_save(request, pk):
    section = _section_for(request, pk)
    report = section.report
    form = SectionForm(request.POST, section=section)
    item_extra: dict = {}
    if form.is_valid():
        try:
            saved = services.section_save(
                section=section,
                version=form.cleaned_data["version"],
                text=form.cleaned_data["text"],
                done=form.cleaned_data["done"],
                user=request.user,
            )
        except EditConflict as conflict:
            form.keep_yours_on(conflict.current.version)
            section = conflict.current
            item_extra = {"conflict": _conflict_message(conflict), "theirs": conflict.current.text}
        except ReportError as error:
            if not _is_fragment_request(request):
                messages.error(request, str(error))
                return redirect(_report_url(report.pk, f"section-{section.pk}"))
            item_extra = {"error": str(error)}
        else:
            if not _is_fragment_request(request):
                messages.success(request, _("“%(title)s” has been saved.") % {"title": section.title})
                return redirect(_report_url(report.pk, f"section-{section.pk}"))
            section, form, item_extra = saved, None, {"saved": True}
    report = UnitReport.objects.select_related(*REPORT_RELATED).get(pk=report.pk)
    permissions = _permissions(request.user, report)
    if not _is_fragment_request(request):
        context = _report_context(request, report)
        preview = context["preview"]
        item = _item(section, can_edit=permissions["can_edit"], preview=preview, form=form, **item_extra)
        context["items"] = [item if i["section"].pk == section.pk else i for i in context["items"]]
        return render(request, "reports/unit_report.html", context)
    sections = _sections(report)
    fresh = next((s for s in sections if s.pk == section.pk), section)
    preview = report_preview(report) if fresh.data_part else None
    item = _item(fresh, can_edit=permissions["can_edit"], preview=preview, form=form, **item_extra)
    context = {
        "report": report,
        **permissions,
        "item": item,
        "completeness": services.Completeness(sum(s.done for s in sections), len(sections)),
        "oob": True,
    }
    return render(request, "reports/unit_reports/section_saved.html", context)


@require_POST
def image_add(request, pk):
    section = _section_for(request, pk)
    form = SectionImageForm(request.POST, request.FILES, section=section)
    if form.is_valid():
        try:
            services.image_add(
                section=section,
                upload=form.cleaned_data["image"],
                alt_text=form.cleaned_data["alt_text"],
                caption=form.cleaned_data["caption"],
                user=request.user,
            )
        except ReportError as error:  # the report was locked meanwhile, or the file is refused after all
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The image has been added to “%(title)s”.") % {"title": section.title})
            return redirect(_report_url(section.report_id, f"section-{section.pk}"))
    report = UnitReport.objects.select_related(*REPORT_RELATED).get(pk=section.report_id)
    context = _report_context(request, report, image_forms={section.pk: form})
    return render(request, "reports/unit_report.html", context, status=400)


def _image_for(request, pk, perm: str) -> SectionImage:
    image = get_object_or_404(
        SectionImage.objects.select_related("section__report__unit"), pk=pk, section__deleted_at__isnull=True,
        section__report__deleted_at__isnull=True,
    )
    report = image.section.report
    if not request.user.has_perm("ska.view_unit_report", report):
        raise Http404
    if not request.user.has_perm(perm, report):
        raise PermissionDenied
    return image


@require_GET
def image_file(request, pk):
    """The image itself, for those who may see the report (media is not served publicly)."""
    image = _image_for(request, pk, "ska.view_unit_report")
    content_type = "image/png" if image.image.name.lower().endswith(".png") else "image/jpeg"
    try:
        stream = image.image.open("rb")
    except FileNotFoundError:
        raise Http404
    response = FileResponse(stream, content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_POST
def image_remove(request, pk):
    image = _image_for(request, pk, "ska.write_unit_report")
    try:
        services.image_remove(image=image, user=request.user)
    except ReportError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The image “%(alt)s” has been removed.") % {"alt": image.alt_text[:80]})
    return redirect(_report_url(image.section.report_id, f"section-{image.section_id}"))


# --- The workflow --------------------------------------------------------------------
def _report_for(request, pk, perm: str) -> UnitReport:
    report = _visible(request, pk)
    if not request.user.has_perm(perm, report):
        raise PermissionDenied
    return report


def _workflow_step(request, report: UnitReport, step, done: str):
    """Take one step of the workflow (``step()`` calls the service); say how it went and go back
    to the report."""
    try:
        step()
    except ReportError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect(_report_url(report.pk))


@require_POST
def unit_report_submit(request, pk):
    report = _report_for(request, pk, "ska.submit_unit_report")
    return _workflow_step(
        request, report, lambda: services.unit_report_submit(report=report, user=request.user),
        _("The report has been submitted to förvaltningsledning for approval."),
    )


@require_POST
def unit_report_return(request, pk):
    report = _report_for(request, pk, "ska.decide_unit_report")
    form = ReturnForm(request.POST)
    if form.is_valid():
        return _workflow_step(
            request, report,
            lambda: services.unit_report_return(report=report, comment=form.cleaned_data["comment"], user=request.user),
            _("The report has been returned to the unit with your comments."),
        )
    return render(request, "reports/unit_report.html", _report_context(request, report, return_form=form), status=400)


@require_POST
def unit_report_approve(request, pk):
    report = _report_for(request, pk, "ska.decide_unit_report")
    return _workflow_step(
        request, report, lambda: services.unit_report_approve(report=report, user=request.user),
        _("The report has been approved. It is now locked."),
    )


# --- Förvaltningsledning's overview --------------------------------------------------
def _overview_years() -> list[SchoolYear]:
    current = SchoolYear.current()
    return [current - n for n in range(0, 5)]


def _overdue(deadline, report):
    """The report deadline of the annual wheel that has passed without the report being
    submitted (or approved), if any."""
    if deadline is None:
        return None
    if report is not None and report.status in (UnitReport.Status.SUBMITTED, UnitReport.Status.APPROVED):
        return None
    return deadline


@require_GET
def unit_report_overview(request):
    """Every unit's report of a school year, with its status and how complete it is."""
    if not _sees_overview(request.user):
        raise PermissionDenied
    years = _overview_years()
    filters = OverviewFilterForm(request.GET, years=years)
    wanted = filters.cleaned_data if filters.is_valid() else {}
    school_year = SchoolYear(wanted["lasar"]) if wanted.get("lasar") else years[0]
    status = wanted.get("status") or ""
    all_units = Unit.objects.open().filter(administration__in=led_administrations(request.user))
    units = all_units
    reports_of_year = UnitReport.objects.filter(unit_id=OuterRef("pk"), school_year=school_year)
    if status == NOT_STARTED:
        units = units.filter(~Exists(reports_of_year))
    elif status:
        units = units.filter(Exists(reports_of_year.filter(status=status)))
    page = Paginator(units.order_by("name", "pk"), settings.SKA_PAGE_SIZE).get_page(request.GET.get("sida"))
    page_units = list(page.object_list)
    prefetch_related_objects(page_units, "school_forms")
    deadlines = passed_report_deadlines(page_units, school_year)
    reports = {
        report.unit_id: report
        for report in services.with_completeness(
            UnitReport.objects.filter(unit__in=page_units, school_year=school_year)
        )
    }
    rows = [
        (
            unit,
            reports.get(unit.pk),
            services.completeness(reports[unit.pk]) if unit.pk in reports else None,
            _overdue(deadlines.get(unit.pk), reports.get(unit.pk)),
        )
        for unit in page_units
    ]
    by_status = dict(
        UnitReport.objects.filter(unit__in=all_units, school_year=school_year)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = [(value, label, by_status.get(value, 0)) for value, label in UnitReport.Status.choices]
    counts.append((NOT_STARTED, _("Not started"), all_units.count() - sum(by_status.values())))
    return render(
        request,
        "reports/unit_reports/overview.html",
        {
            "filters": filters,
            "school_year": school_year,
            "status": status,
            "page": page,
            "rows": rows,
            "counts": counts,
        },
    )
