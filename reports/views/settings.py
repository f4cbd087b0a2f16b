"""The municipality's report settings: the cover's logo (with its text alternative) and the
smallest group shown. Kept by förvaltningsledning and system administrators."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ska.access import led_municipalities

from ..forms_settings import ReportSettingsForm
from ..services import report_settings as services
from ..services.unit_reports import ImageRejected


def _municipalities(request):
    municipalities = list(led_municipalities(request.user))
    if not municipalities:
        raise PermissionDenied
    return municipalities


def _chosen(request, municipalities):
    wanted = request.POST.get("kommun") or request.GET.get("kommun")
    if not wanted:
        return municipalities[0]
    try:
        return next(m for m in municipalities if m.pk == int(wanted))
    except (ValueError, StopIteration):
        raise Http404


@require_http_methods(["GET", "POST"])
def report_settings(request):
    municipalities = _municipalities(request)
    municipality = _chosen(request, municipalities)
    current = services.settings_of(municipality)
    initial = {"logo_alt": current.logo_alt, "suppression_threshold": municipality.suppression_threshold}
    form = ReportSettingsForm(
        request.POST or None, request.FILES or None, initial=initial, has_logo=bool(current.logo)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.settings_save(
                municipality=municipality,
                user=request.user,
                logo=form.cleaned_data.get("logo"),
                remove_logo=form.cleaned_data.get("remove_logo", False),
                logo_alt=form.cleaned_data["logo_alt"],
                suppression_threshold=form.cleaned_data["suppression_threshold"],
            )
        except ImageRejected as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The report settings of %(name)s have been saved.") % {"name": municipality.name})
            return redirect(f"{reverse('reports:report_settings')}?kommun={municipality.pk}")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "municipality": municipality, "municipalities": municipalities, "current": current}
    return render(request, "reports/settings.html", context, status=status)


@require_GET
def report_settings_logo(request, pk):
    """The logo as stored, for those who keep the settings (media is not served publicly)."""
    municipalities = _municipalities(request)
    municipality = next((m for m in municipalities if m.pk == pk), None)
    if municipality is None:
        raise Http404
    current = services.settings_of(municipality)
    if not current.logo:
        raise Http404
    try:
        stream = current.logo.open("rb")
    except FileNotFoundError:
        raise Http404
    content_type = "image/png" if current.logo.name.lower().endswith(".png") else "image/jpeg"
    response = FileResponse(stream, content_type=content_type)
    response["Cache-Control"] = "private, max-age=300"
    return response
