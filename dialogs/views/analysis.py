"""A round's analysis: what came up across its dialogues, grouped by agenda topic, the actions
agreed, and the administration's analysis and proposed actions (seed 004). Hosts only."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from ska.access import get_visible_or_404
from ska.forms_chain import VersionedForm
from ska.services.records import EditConflict
from ska.views.conflicts import mark_conflict

from ..models import Round, RoundAnalysis
from ..services import analysis as services


class RoundAnalysisForm(VersionedForm):
    class Meta:
        model = RoundAnalysis
        fields = ["summary", "analysis", "proposed_actions"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "analysis": forms.Textarea(attrs={"rows": 10}),
            "proposed_actions": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {
            "summary": gettext_lazy("What the round was about and what came up, in short."),
            "analysis": gettext_lazy("Why things are as they are: patterns across the dialogues, strengths and challenges."),
        }


@require_http_methods(["GET", "POST"])
def round_analysis(request, pk):
    round_ = get_visible_or_404(request.user, Round.objects.select_related("administration"), "ska.view_round", pk=pk)
    if not request.user.has_perm("ska.host_round", round_):
        raise PermissionDenied
    analysis = services.analysis_of(round_)
    form = RoundAnalysisForm(request.POST or None, instance=analysis or RoundAnalysis(round=round_))
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in services.ANALYSIS_FIELDS}
        try:
            services.analysis_save(round_=round_, version=form.cleaned_data["version"], values=values, user=request.user)
        except EditConflict as conflict:
            mark_conflict(form, conflict)
        else:
            messages.success(request, _("The analysis has been saved."))
            return redirect("dialogs:round_analysis", pk=round_.pk)
    groups = services.notes_by_topic(round_)
    context = {
        "round": round_,
        "groups": groups,
        "actions": services.round_actions(round_),
        "form": form,
        "analysis": analysis,
        "title": _("Analysis of the round"),
    }
    return render(request, "dialogs/analysis/round_analysis.html", context)
