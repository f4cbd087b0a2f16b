"""The administration's report templates per school form: list, create from the built-in
structure, edit the sections (heading, guidance, data part, order, remove)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ska.access import led_administrations, require_perm
from ska.models import SchoolForm
from ska.services.records import EditConflict
from ska.views.conflicts import mark_conflict

from ..forms_templates import TemplateCreateForm, TemplateForm, TemplateSectionForm
from ..models import ReportTemplate, TemplateSection
from ..services import report_templates as services
from ..services.report_templates import TemplateError

PERM = "ska.manage_report_templates"


def _template_for(request, pk) -> ReportTemplate:
    template = get_object_or_404(ReportTemplate.objects.select_related("administration", "school_form"), pk=pk)
    if not request.user.has_perm(PERM, template.administration):
        raise Http404
    return template


def _section_for(request, pk) -> TemplateSection:
    section = get_object_or_404(
        TemplateSection.objects.select_related("template__administration", "template__school_form"),
        pk=pk,
        template__deleted_at__isnull=True,
    )
    if not request.user.has_perm(PERM, section.template.administration):
        raise Http404
    return section


def _edit_url(template_id: int, anchor: str = "") -> str:
    url = reverse("reports:template_edit", args=[template_id])
    return f"{url}#{anchor}" if anchor else url


@require_GET
@require_perm(PERM)
def template_list(request):
    administrations = list(led_administrations(request.user))
    school_forms = list(SchoolForm.objects.all())
    templates = {
        (t.administration_id, t.school_form_id): t
        for t in ReportTemplate.objects.filter(administration__in=administrations).annotate(
            n_sections=Count("sections", filter=Q(sections__deleted_at__isnull=True))
        )
    }
    rows = [
        (administration, [(form, templates.get((administration.pk, form.pk))) for form in school_forms])
        for administration in administrations
    ]
    context = {"rows": rows, "default_count": len(services.DEFAULT_SECTIONS)}
    return render(request, "reports/templates/list.html", context)


@require_POST
@require_perm(PERM)
def template_create(request):
    form = TemplateCreateForm(request.POST, administrations=led_administrations(request.user))
    if not form.is_valid():
        messages.error(request, _("Choose an administration you lead and a school form."))
        return redirect("reports:template_list")
    try:
        template = services.template_create(user=request.user, **form.cleaned_data)
    except TemplateError as error:
        messages.error(request, str(error))
        return redirect("reports:template_list")
    messages.success(request, _("The template has been created from the built-in structure. Change it as you like."))
    return redirect(_edit_url(template.pk))


def _edit_context(template: ReportTemplate, *, form=None, section_form=None) -> dict:
    return {
        "template": template,
        "form": form or TemplateForm(instance=template),
        "sections": list(template.sections.order_by("sort_order", "pk")),
        "section_form": section_form or TemplateSectionForm(prefix="new"),
    }


@require_http_methods(["GET", "POST"])
@require_perm(PERM)
def template_edit(request, pk):
    template = _template_for(request, pk)
    form = TemplateForm(request.POST or None, instance=template)
    if request.method == "POST" and form.is_valid():
        try:
            services.template_update(
                template=template, version=form.cleaned_data["version"] or 0, values=form.changed_values(),
                user=request.user,
            )
        except EditConflict as conflict:
            mark_conflict(form, conflict)
        else:
            messages.success(request, _("The template has been saved."))
            return redirect(_edit_url(template.pk))
    status = 400 if request.method == "POST" else 200
    return render(request, "reports/templates/edit.html", _edit_context(template, form=form), status=status)


@require_POST
@require_perm(PERM)
def template_section_add(request, pk):
    template = _template_for(request, pk)
    section_form = TemplateSectionForm(request.POST, prefix="new")
    if section_form.is_valid():
        section = services.section_add(template=template, values=section_form.values(), user=request.user)
        messages.success(request, _("The section “%(title)s” has been added.") % {"title": section.title})
        return redirect(_edit_url(template.pk, f"template-section-{section.pk}"))
    return render(
        request, "reports/templates/edit.html", _edit_context(template, section_form=section_form), status=400
    )


@require_http_methods(["GET", "POST"])
@require_perm(PERM)
def template_section_edit(request, pk):
    section = _section_for(request, pk)
    form = TemplateSectionForm(request.POST or None, instance=section)
    if request.method == "POST" and form.is_valid():
        try:
            services.section_update(
                section=section, version=form.cleaned_data["version"] or 0, values=form.changed_values(),
                user=request.user,
            )
        except EditConflict as conflict:
            mark_conflict(form, conflict)
        else:
            messages.success(request, _("The section “%(title)s” has been saved.") % {"title": form.cleaned_data["title"]})
            return redirect(_edit_url(section.template_id, f"template-section-{section.pk}"))
    return render(request, "reports/templates/section_form.html", {"form": form, "section": section,
                                                                  "template": section.template})


@require_POST
@require_perm(PERM)
def template_section_move(request, pk):
    section = _section_for(request, pk)
    try:
        services.section_move(section=section, up=request.POST.get("direction") == "up", user=request.user)
    except TemplateError as error:
        messages.error(request, str(error))
    return redirect(_edit_url(section.template_id, f"template-section-{section.pk}"))


@require_POST
@require_perm(PERM)
def template_section_delete(request, pk):
    section = _section_for(request, pk)
    services.section_delete(section=section, user=request.user)
    messages.success(
        request,
        _("The section “%(title)s” has been removed from the template. Reports already started keep it.")
        % {"title": section.title},
    )
    return redirect(_edit_url(section.template_id, "sections-heading"))
