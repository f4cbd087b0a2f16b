"""Making a draft goal active, closing a goal with its outcome and reason, reopening it.

Whoever may change the goal may change its status (``ska.change_chain``). Activating and
reopening are buttons that come back to the goal with a message; closing asks how the goal
ended and why, in place like the chain's other forms.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ..access import get_changeable_or_404
from ..forms_chain import GoalCloseForm
from ..models import Goal
from ..services import goal_lifecycle
from ..services.records import EditConflict
from .chain_edit import _form_response, _goal_response
from .conflicts import conflict_message, mark_conflict

GOALS = Goal.objects.select_related("unit", "administration", "committee")


def _posted_version(request, goal) -> int:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return goal.version


def _status_step(request, pk, step, done_message):
    goal = get_changeable_or_404(request.user, GOALS, pk=pk)
    try:
        goal = step(goal=goal, version=_posted_version(request, goal), user=request.user)
        messages.success(request, done_message % {"title": goal.title})
    except EditConflict as conflict:
        messages.error(request, conflict_message(conflict))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(goal.get_absolute_url())


@require_POST
def goal_activate(request, pk):
    return _status_step(request, pk, goal_lifecycle.goal_activate, _("“%(title)s” is now an active goal."))


@require_POST
def goal_reopen(request, pk):
    return _status_step(request, pk, goal_lifecycle.goal_reopen, _("“%(title)s” is active again."))


@require_http_methods(["GET", "POST"])
def goal_close(request, pk):
    goal = get_changeable_or_404(request.user, GOALS, pk=pk)
    form = GoalCloseForm(request.POST or None, goal=goal)
    if request.method == "POST" and form.is_valid():
        try:
            goal_lifecycle.goal_close(
                goal=goal,
                version=form.cleaned_data["version"],
                outcome=form.cleaned_data["outcome"],
                reason=form.cleaned_data["closing_reason"],
                closed_on=form.closed_on(),
                user=request.user,
            )
            return _goal_response(request, Goal.objects.get(pk=goal.pk))
        except EditConflict as conflict:
            mark_conflict(form, conflict)
        except ValidationError as error:
            form.add_error(None, error)
    title = _("Close the goal “%(title)s”") % {"title": goal.title}
    return _form_response(request, {"form": form, "title": title, "unit": goal.unit, "back_url": goal.get_absolute_url()})
