"""The goal chain in the browser: the unit's chain and editing it in place with htmx."""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ..access import get_changeable_or_404
from ..chain_status import IndicatorState
from ..forms_chain import CheckInForm
from ..models import CheckIn, Indicator
from ..services.check_ins import check_in_record


@require_POST
def check_in_create(request, indicator_pk):
    """Record a check-in: value, Enter. Answers htmx with the indicator's block, redrawn."""
    indicator = get_changeable_or_404(request.user, Indicator.objects.select_related("goal__unit"), pk=indicator_pk)
    form = CheckInForm(request.POST, indicator=indicator)
    if form.is_valid():
        check_in_record(indicator=indicator, values=form.cleaned_data, user=request.user)
        form = CheckInForm(indicator=indicator)
        saved = True
    else:
        saved = False
    if not request.htmx:
        return redirect(indicator.goal.unit.get_absolute_url() + f"#indicator-{indicator.pk}")
    state = IndicatorState(indicator, list(CheckIn.objects.filter(indicator=indicator).order_by("date", "pk")))
    state.check_in_form = form
    return render(request, "ska/chain/indicator.html", {"state": state, "can_change": True, "saved": saved})
