"""Rolling the chain over into the next school year: förvaltningsledning decides for the goals
above the units, then each unit for its own goals. Both in two steps: choose, see the preview
of what will be created and closed, carry it out. Nothing changes before the last step, and
doing it again changes nothing (ska.services.rollover)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..access import require_perm, visible_units
from .chain import led_administration_from
from ..forms_rollover import RolloverForm
from ..services import rollover
from .organisation import school_year_from, school_years_around

PREVIEW, CONFIRM = "preview", "confirm"


def _step(request, form, run):
    """The form's step: a preview when asked for it, the run when confirmed. Returns the
    context for the page, or None when it ran (the caller redirects)."""
    if request.method != "POST" or not form.is_valid():
        return {"form": form, "preview": False}
    if CONFIRM not in request.POST:
        return {"form": form, "preview": True, "planned": form.planned()}
    try:
        run(form.decisions())
    except ValidationError as error:
        form.add_error(None, error)
        return {"form": form, "preview": False}
    return None


@require_http_methods(["GET", "POST"])
@require_perm("ska.view_matrix")
def levels_rollover(request):
    """The goal areas, committee goals and administration-wide goals of a school year into the next."""
    administration = led_administration_from(request)
    if not request.user.has_perm("ska.keep_chain_settings", administration):
        raise PermissionDenied
    school_year = school_year_from(request)
    rows = rollover.levels_preview(administration, school_year)
    form = RolloverForm(request.POST or None, rows=rows, replace=True)

    def run(decisions):
        rollover.levels_roll_over(administration=administration, school_year=school_year, decisions=decisions,
                                  user=request.user)

    context = _step(request, form, run)
    if context is None:
        messages.success(request, _("The goals have been carried into %(year)s.") % {"year": school_year.next()})
        return redirect(f"{reverse('levels_rollover')}?forvaltning={administration.pk}&lasar={school_year.start_year}")
    return render(request, "ska/chain/rollover_levels.html", {
        **context, "rows": rows, "administration": administration, "school_year": school_year,
        "next_year": school_year.next(), "school_years": school_years_around(school_year),
    })


@require_http_methods(["GET", "POST"])
def unit_rollover(request, unit_pk):
    """A unit's goals of a school year into the next, under the goals above as they continue."""
    unit = get_object_or_404(visible_units(request.user).select_related("administration"), pk=unit_pk)
    if not request.user.has_perm("ska.work_on_unit_chain", unit):
        raise Http404
    school_year = school_year_from(request)
    rows = rollover.unit_preview(unit, school_year)
    form = RolloverForm(request.POST or None, rows=rows, replace=False)

    def run(decisions):
        rollover.unit_roll_over(unit=unit, school_year=school_year, decisions=decisions, user=request.user)

    context = _step(request, form, run)
    if context is None:
        messages.success(request, _("The unit's goals have been carried into %(year)s.") % {"year": school_year.next()})
        return redirect(f"{unit.get_absolute_url()}?lasar={school_year.next().start_year}#chain")
    return render(request, "ska/chain/rollover_unit.html", {
        **context, "rows": rows, "unit": unit, "school_year": school_year, "next_year": school_year.next(),
    })
