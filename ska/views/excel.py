"""Excel export of the chain and import of check-ins."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ..access import led_administrations, require_perm, visible_units
from ..excel.check_in_import import check_ins_import
from ..excel.export import chain_workbook, check_in_template
from ..excel.upload import UploadRejected, read_upload
from ..forms_chain import CheckInImportForm
from ..models import Goal, Indicator
from .organisation import school_year_from

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{slugify(name)}.xlsx"'
    return response


def _unit_for_chain(request, unit_pk):
    unit = get_object_or_404(visible_units(request.user), pk=unit_pk)
    if not request.user.has_perm("ska.work_on_unit_chain", unit):
        raise Http404
    return unit


@require_GET
def unit_export(request, unit_pk):
    unit = _unit_for_chain(request, unit_pk)
    year = school_year_from(request)
    goals = Goal.objects.filter(unit=unit, school_year=year)
    return _xlsx(chain_workbook(goals), f"styrkedjan {unit.name} {year.start_year}")


@require_GET
@require_perm("ska.view_matrix")
def administration_export(request):
    administrations = list(led_administrations(request.user))
    administration = next((a for a in administrations if str(a.pk) == request.GET.get("forvaltning")), None)
    administration = administration or (administrations[0] if administrations else None)
    if administration is None:
        raise Http404
    year = school_year_from(request)
    goals = Goal.objects.filter(Q(administration=administration) | Q(unit__administration=administration), school_year=year)
    return _xlsx(chain_workbook(goals), f"styrkedjan {administration.name} {year.start_year}")


def _unit_indicators(unit, year):
    return Indicator.objects.filter(goal__unit=unit, goal__school_year=year)


@require_GET
def check_in_template_download(request, unit_pk):
    unit = _unit_for_chain(request, unit_pk)
    year = school_year_from(request)
    return _xlsx(check_in_template(_unit_indicators(unit, year)), f"avstamningar {unit.name} {year.start_year}")


@require_http_methods(["GET", "POST"])
def check_in_import_view(request, unit_pk):
    unit = _unit_for_chain(request, unit_pk)
    year = school_year_from(request)
    form = CheckInImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            data = read_upload(form.cleaned_data["file"])
            indicators = [i for i in _unit_indicators(unit, year).select_related("goal__unit")
                          if request.user.has_perm("ska.change_chain", i)]
            if not indicators and _unit_indicators(unit, year).exists():
                raise PermissionDenied
            result = check_ins_import(data=data, indicators=indicators, user=request.user)
        except UploadRejected as error:
            form.add_error("file", str(error))
        if result and result.ok:
            messages.success(request, _("Imported: %(created)s new check-ins, %(updated)s changed, %(unchanged)s unchanged.") % {
                "created": result.created, "updated": result.updated, "unchanged": result.unchanged})
            return redirect(f"{unit.get_absolute_url()}?lasar={year.start_year}#chain")
    return render(request, "ska/chain/import.html", {"unit": unit, "school_year": year, "form": form, "result": result})
