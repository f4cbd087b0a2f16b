"""An indicator's Kolada figures in the page: fetching them now, and the block that follows a
fetch while it runs (htmx polls it until the fetch has been tried)."""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from ..access import get_changeable_or_404, get_visible_or_404
from ..chain_status import IndicatorState
from ..forms_chain import CheckInForm
from ..kolada.services import request_refresh
from ..models import CheckIn, Indicator, KoladaSource


# The indicator with everything its block shows, in a fixed number of queries.
WITH_VALUES = Indicator.objects.select_related("goal__unit", "kolada").prefetch_related("kolada__values")


def _block(request, indicator):
    state = IndicatorState(indicator, list(CheckIn.objects.filter(indicator=indicator).order_by("date", "pk")))
    can_change = request.user.has_perm("ska.change_chain", indicator)
    if can_change:
        state.check_in_form = CheckInForm(indicator=indicator)
    return render(request, "ska/chain/indicator.html", {"state": state, "can_change": can_change})


@require_POST
def kolada_refresh(request, pk):
    """Fetch the indicator's figures from Kolada now (in the background)."""
    indicator = get_changeable_or_404(request.user, Indicator.objects.select_related("goal__unit", "kolada"), pk=pk)
    source = KoladaSource.objects.filter(indicator=indicator).first()
    if source is not None:
        request_refresh(source)
    if not request.htmx:
        return redirect(indicator.goal.unit.get_absolute_url() + f"#indicator-{indicator.pk}")
    return _block(request, WITH_VALUES.get(pk=indicator.pk))


@require_GET
def kolada_status(request, pk):
    """The indicator's block again: what htmx asks for while a fetch is under way."""
    indicator = get_visible_or_404(request.user, WITH_VALUES, "ska.view_chain", pk=pk)
    if not request.htmx:
        return redirect(indicator.goal.unit.get_absolute_url() + f"#indicator-{indicator.pk}")
    return _block(request, indicator)
