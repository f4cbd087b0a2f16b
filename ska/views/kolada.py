"""An indicator's Kolada figures in the page: fetching them now, and the block that follows a
fetch while it runs (htmx polls it until the fetch has been tried)."""

from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from ..access import get_changeable_or_404, get_visible_or_404
from ..kolada.services import request_refresh
from ..models import Indicator, KoladaSource
from .chain import indicator_block


# The indicator with everything its block shows, in a fixed number of queries.
WITH_VALUES = Indicator.objects.select_related("goal__unit", "kolada").prefetch_related("kolada__values")


@require_POST
def kolada_refresh(request, pk):
    """Fetch the indicator's figures from Kolada now (in the background)."""
    indicator = get_changeable_or_404(request.user, Indicator.objects.select_related("goal__unit", "kolada"), pk=pk)
    try:
        request_refresh(indicator.kolada)
    except KoladaSource.DoesNotExist:
        pass
    if not request.htmx:
        return redirect(indicator.goal.get_absolute_url().split("#")[0] + f"#indicator-{indicator.pk}")
    # Read again with its values: without a broker the fetch has already run.
    return indicator_block(request, WITH_VALUES.get(pk=indicator.pk))


@require_GET
def kolada_status(request, pk):
    """The indicator's block again: what htmx asks for while a fetch is under way."""
    indicator = get_visible_or_404(request.user, WITH_VALUES, "ska.view_chain", pk=pk)
    if not request.htmx:
        return redirect(indicator.goal.get_absolute_url().split("#")[0] + f"#indicator-{indicator.pk}")
    return indicator_block(request, indicator)
