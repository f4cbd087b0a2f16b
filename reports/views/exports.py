"""Downloads of reports' data: one document's data as Excel, and a school year's approved and
published reports with their data as one ZIP for the municipality's e-archive."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from ska.access import get_visible_or_404, report_administrations, visible_documents
from ska.views.organisation import school_year_from, school_years_around

from ..services.exports import archive_name, archived_documents, document_workbook, year_archive

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_GET
def document_excel(request, pk):
    """The document's underlying data (its archived snapshot) as .xlsx, suppression applied."""
    documents = visible_documents(request.user).select_related("requested_by", "published_by")
    document = get_visible_or_404(request.user, documents, "ska.view_document", pk=pk)
    if not document.is_done:
        raise Http404
    response = HttpResponse(document_workbook(document), content_type=XLSX)
    name = f"{slugify(document.title) or document.kind}-v{document.version}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _archive_choice(request):
    """The administrations whose archive the person may take (förvaltningsledning, the
    committee's secretary), the chosen one and the school year; 403 for everyone else."""
    administrations = list(report_administrations(request.user))
    if not administrations:
        raise PermissionDenied
    chosen = request.GET.get("forvaltning")
    administration = next((a for a in administrations if str(a.pk) == chosen), None)
    if administration is None and chosen:
        raise Http404
    return administrations, administration or administrations[0], school_year_from(request)


@require_GET
def year_archive_page(request):
    """Choose an administration and a school year; see what the archive will hold."""
    administrations, administration, school_year = _archive_choice(request)
    documents = archived_documents(
        administration=administration, school_year=school_year, visible=visible_documents(request.user)
    )
    return render(
        request,
        "reports/exports/year_archive.html",
        {
            "administrations": administrations,
            "administration": administration,
            "school_year": school_year,
            "school_years": school_years_around(school_year),
            "documents": documents,
        },
    )


@require_GET
def year_archive_download(request):
    """The archive as a ZIP, written while it is sent."""
    _administrations, administration, school_year = _archive_choice(request)
    documents = archived_documents(
        administration=administration, school_year=school_year, visible=visible_documents(request.user)
    )
    stream = year_archive(documents=documents, administration=administration, school_year=school_year, user=request.user)
    response = StreamingHttpResponse(stream, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{archive_name(administration, school_year)}.zip"'
    return response
