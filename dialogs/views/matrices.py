"""The municipality's quality matrices: one per school form, kept by the leadership
(``ska.manage_dialogue_settings``). A matrix is created empty or from the built-in defaults
and edited as a whole, in one form."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ska.access import led_municipalities, require_perm
from ska.models import SchoolForm

from ..forms_preparation import MatrixCreateForm, MatrixForm
from ..models import QualityMatrix
from ..services import matrices as services


def _municipality(request):
    """The municipality asked for (?kommun=), among those the person leads, or their first."""
    municipalities = led_municipalities(request.user)
    chosen = request.GET.get("kommun") or request.POST.get("kommun")
    if chosen and chosen.isdigit():
        return get_object_or_404(municipalities, pk=int(chosen))
    return municipalities.first()


def _list_url(municipality) -> str:
    return f"{reverse('dialogs:matrices')}?kommun={municipality.pk}"


@require_http_methods(["GET"])
@require_perm("ska.manage_dialogue_settings")
def matrix_list(request):
    municipality = _municipality(request)
    context = {"municipality": municipality, "title": _("Quality matrices")}
    if municipality is not None:
        matrices = {
            m.school_form_id: m
            for m in QualityMatrix.objects.filter(municipality=municipality).prefetch_related("levels", "areas")
        }
        context.update(
            municipalities=list(led_municipalities(request.user)),
            rows=[
                {"school_form": form, "matrix": matrices.get(form.pk), "has_default": services.has_default(form)}
                for form in SchoolForm.objects.order_by("sort_order", "name")
            ],
            create_form=MatrixCreateForm(municipality=municipality),
        )
    return render(request, "dialogs/preparation/matrix_list.html", context)


@require_POST
@require_perm("ska.manage_dialogue_settings")
def matrix_create_default(request, school_form):
    municipality = _municipality(request)
    if municipality is None:
        return redirect("dialogs:matrices")
    school_form = get_object_or_404(SchoolForm, code=school_form)
    try:
        matrix = services.matrix_create_default(municipality=municipality, school_form=school_form, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_list_url(municipality))
    messages.success(request, _("“%(name)s” has been created from the built-in matrix. Change it as you like.") % {"name": matrix.name})
    return redirect("dialogs:matrix_edit", pk=matrix.pk)


@require_http_methods(["GET", "POST"])
@require_perm("ska.manage_dialogue_settings")
def matrix_create(request):
    municipality = _municipality(request)
    if municipality is None:
        return redirect("dialogs:matrices")
    form = MatrixCreateForm(request.POST or None, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        try:
            matrix = services.matrix_create(
                municipality=municipality,
                school_form=form.cleaned_data["school_form"],
                name=form.cleaned_data["name"],
                user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("“%(name)s” has been created. Add its areas.") % {"name": matrix.name})
            return redirect("dialogs:matrix_edit", pk=matrix.pk)
    context = {"municipality": municipality, "form": form, "title": _("New quality matrix")}
    return render(request, "dialogs/preparation/matrix_create.html", context)


@require_http_methods(["GET", "POST"])
@require_perm("ska.manage_dialogue_settings")
def matrix_edit(request, pk):
    queryset = services.matrices_with_parts(
        QualityMatrix.objects.filter(municipality__in=led_municipalities(request.user)).select_related("municipality")
    )
    matrix = get_object_or_404(queryset, pk=pk)
    form = MatrixForm(request.POST or None, matrix=matrix)
    if request.method == "POST" and form.is_valid():
        name, levels, areas = form.changes()
        try:
            services.matrix_save(matrix=matrix, name=name, levels=levels, areas=areas, user=request.user)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("The quality matrix has been saved."))
            return redirect("dialogs:matrix_edit", pk=matrix.pk)
    context = {
        "matrix": matrix,
        "form": form,
        "changes": services.matrix_changes(matrix),
        "list_url": _list_url(matrix.municipality),
        "title": _("Change the quality matrix"),
    }
    return render(request, "dialogs/preparation/matrix_edit.html", context)
