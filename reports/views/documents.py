"""Generated report documents: the reports page (every report of a school year with its
versions), building a PDF and following its progress, downloading, publishing."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Min, Value, When
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from dialogs.models import Round
from ska.access import (
    get_visible_or_404,
    report_administrations,
    require_perm,
    visible_documents,
    visible_unit_reports,
)
from ska.models import Administration
from ska.views.organisation import school_year_from, school_years_around

from ..forms_documents import DocumentBuildForm
from ..models import ReportDocument, ReportKind
from ..services import jobs
from ..services.jobs import ReportRequestError
from ..services.listing import analysis_report_rounds

DOCUMENT_RELATED = ("requested_by", "published_by", "administration", "unit", "unit_report", "round")
KIND_ORDER = Case(*(When(kind=kind, then=Value(i)) for i, kind in enumerate(ReportKind.values)), output_field=IntegerField())
ADMINISTRATION_KINDS = [ReportKind(kind) for kind in jobs.ADMINISTRATION_KINDS]


def _is_fragment_request(request) -> bool:
    """htmx asks for the fragment, except when restoring history (then it needs the page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


# --- The reports page ------------------------------------------------------------------
@require_GET
@require_perm("ska.use_reports")
def index(request):
    user = request.user
    school_year = school_year_from(request)
    documents = visible_documents(user).filter(school_year=school_year)
    # One row per report (all its versions share the key), in the order of the kinds, then by title.
    reports = (
        documents.values("key")
        .annotate(kind_order=Min(KIND_ORDER), title=Min("title"))
        .order_by("kind_order", "title", "key")
    )
    page = Paginator(reports, settings.SKA_PAGE_SIZE).get_page(request.GET.get("sida"))
    keys = [report["key"] for report in page.object_list]
    versions: dict[str, list[ReportDocument]] = {key: [] for key in keys}
    for document in documents.filter(key__in=keys).select_related(*DOCUMENT_RELATED).order_by("-version"):
        versions[document.key].append(document)
    groups: list[dict] = []
    for key in keys:
        latest = versions[key][0]
        if not groups or groups[-1]["kind"] != latest.kind:
            groups.append({"kind": latest.kind, "label": latest.get_kind_display(), "reports": []})
        groups[-1]["reports"].append({"key": key, "title": latest.title, "versions": versions[key]})
    administrations = list(report_administrations(user))
    # The rounds whose analysis report the person may build (the rule of ``_build_target``).
    rounds = analysis_report_rounds(user, school_year).order_by("administration__name", "starts_on", "title")
    context = {
        "school_year": school_year,
        "school_years": school_years_around(school_year),
        "page": page,
        "groups": groups,
        "administrations": administrations,
        "administration_kinds": ADMINISTRATION_KINDS,
        "rounds": list(rounds),
    }
    return render(request, "reports/index.html", context)


# --- Building ------------------------------------------------------------------------
@require_POST
def document_build(request):
    form = DocumentBuildForm(request.POST)
    if not form.is_valid():
        errors = [error for field_errors in form.errors.values() for error in field_errors]
        return _back(request, _("The PDF could not be created: %(reason)s") % {"reason": " ".join(errors)})
    data = form.cleaned_data
    target = _build_target(request.user, data)
    try:
        document = jobs.document_request(kind=data["kind"], school_year=data["school_year"], user=request.user, **target)
    except ReportRequestError as error:
        return _back(request, _("The PDF could not be created: %(reason)s") % {"reason": error})
    url = document.get_absolute_url()
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _build_target(user, data) -> dict:
    """What the build is about, looked up as the person may see it: 404 for what they may not
    see, 403 for what they see but may not build."""
    kind = data["kind"]
    if kind == ReportKind.UNIT:
        reports = visible_unit_reports(user).select_related("unit__administration")
        report = get_visible_or_404(user, reports, "ska.view_unit_report", pk=data["unit_report"])
        if not (user.has_perm("ska.write_unit_report", report) or user.has_perm("ska.decide_unit_report", report)):
            raise PermissionDenied
        return {"unit_report": report}
    if kind == ReportKind.ANALYSIS:
        round_ = Round.objects.select_related("administration__committee", "unit").filter(pk=data["round"]).first()
        if round_ is None:
            raise Http404
        if not user.has_perm("ska.build_analysis_report", round_):
            if user.has_perm("ska.view_round", round_):
                raise PermissionDenied
            raise Http404
        return {"round_": round_}
    administrations = Administration.objects.select_related("committee", "municipality")
    administration = get_visible_or_404(
        user, administrations, "ska.build_administration_reports", pk=data["administration"]
    )
    return {"administration": administration}


def may_build(user, document: ReportDocument) -> bool:
    """Whether the person may build this document's report again (the rules of ``document_build``)."""
    if document.kind == ReportKind.UNIT:
        report = document.unit_report
        return user.has_perm("ska.view_unit_report", report) and (
            user.has_perm("ska.write_unit_report", report) or user.has_perm("ska.decide_unit_report", report)
        )
    if document.kind == ReportKind.ANALYSIS:
        return user.has_perm("ska.build_analysis_report", document.round)
    return user.has_perm("ska.build_administration_reports", document.administration)


def _back(request, message: str):
    """Back to the page the form was on, with the message."""
    messages.error(request, message)
    back = request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = reverse("reports:index")
    return HttpResponseClientRedirect(back) if request.htmx else redirect(back)


# --- One document ------------------------------------------------------------------------
def _visible_document(request, pk) -> ReportDocument:
    documents = ReportDocument.objects.select_related(
        *DOCUMENT_RELATED, "unit_report__unit", "administration__committee", "committee", "round__administration"
    )
    return get_visible_or_404(request.user, documents, "ska.view_document", pk=pk)


@require_GET
@vary_on_headers("HX-Request")
def document(request, pk):
    """The document's page; for htmx, its job fragment, which polls while the build runs."""
    document = _visible_document(request, pk)
    seen = request.GET.get("seen", "")
    publisher = (
        document.is_done and not document.is_published and request.user.has_perm("ska.publish_document", document)
    )
    context = {
        "document": document,
        # Whether to offer the publish button (jobs.may_publish: a unit's report only from a PDF
        # built after its approval); when the person publishes but this PDF may not be published,
        # publish_refusal says why.
        "can_publish": publisher and jobs.may_publish(document),
        "publish_refusal": jobs.publish_refusal(document) if publisher else "",
        "can_build": may_build(request.user, document),
        # The poll that sees the build finish starts the download (and says so); a later visit does not.
        "just_finished": seen in ReportDocument.ACTIVE and document.is_done,
        "status_changed": bool(seen) and seen != document.status,
        "step": min(document.progress_done + 1, document.progress_total),
    }
    fragment = _is_fragment_request(request)
    if not fragment or context["status_changed"]:
        # The versions list is redrawn with the page, and by the poll that sees the status change.
        context["versions"] = list(
            visible_documents(request.user).filter(key=document.key).select_related("requested_by").order_by("-version")
        )
    if fragment:
        return render(request, "reports/document.html#job", context)
    return render(request, "reports/document.html", context)


@require_POST
def document_retry(request, pk):
    document = _visible_document(request, pk)
    if not may_build(request.user, document):
        raise PermissionDenied
    try:
        document = jobs.document_retry(document, request.user)
    except ReportRequestError as error:
        messages.error(request, str(error))
    url = document.get_absolute_url()
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_POST
def document_publish(request, pk):
    document = _visible_document(request, pk)
    if not request.user.has_perm("ska.publish_document", document):
        raise PermissionDenied
    try:  # refused (a unit's report not approved, say): said as a message on the document's page
        jobs.document_publish(document, request.user)
    except ReportRequestError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The document has been published to the committee."))
    return redirect(document.get_absolute_url())


@require_POST
def document_verify(request, pk):
    document = _visible_document(request, pk)
    if jobs.document_verify(document):
        messages.success(request, _("The stored file matches its checksum: it is unchanged since it was built."))
    else:
        messages.error(request, _("The stored file does not match its checksum, or it is missing. Contact your system administrator."))
    return redirect(document.get_absolute_url())


@require_GET
def document_download(request, pk):
    document = _visible_document(request, pk)
    if not document.is_done or not document.file:
        raise Http404
    try:
        stored = default_storage.open(document.file.name, "rb")
    except FileNotFoundError:
        raise Http404
    response = FileResponse(stored, as_attachment=True, filename=download_name(document), content_type="application/pdf")
    response["X-Content-SHA256"] = document.sha256
    response["Cache-Control"] = "private, no-store"
    return response


def download_name(document: ReportDocument) -> str:
    return f"{slugify(document.title)[:120] or document.kind}-v{document.version}.pdf"
