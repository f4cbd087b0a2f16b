"""Creating and editing an indicator, which may be fed from Kolada.

The indicator form and its Kolada part are one HTML form. The Kolada searches are buttons of
that form: they redraw it with the hits and save nothing. Saving stores the indicator and its
Kolada source in one transaction and asks for the figures in the background.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from ..forms_chain import IndicatorForm, UnitCopyIndicatorForm
from ..kolada.client import SAFE_ID, KoladaClient
from ..kolada.forms import PICK_KPI, PICK_OU, SEARCH_KPI, SEARCH_OU, KoladaSourceForm
from ..kolada.services import remove_source, save_source
from ..kolada.types import KoladaUnavailable
from ..models import Indicator, KoladaSource
from ..services import chain_edit
from ..services.records import EditConflict
from ..services.shared_indicators import roll_out
from .conflicts import mark_conflict

ACTIONS = (SEARCH_KPI, SEARCH_OU, PICK_KPI, PICK_OU)
# Someone waits for these answers in the browser: no retries (nor waiting for Retry-After),
# a short timeout, then the form says that Kolada could not be reached.
INTERACTIVE = {"retries": 0, "timeout": 5}


def indicator_form(request, *, goal, indicator: Indicator | None, title: str):
    from .chain_edit import _form_response, _goal_response

    post = request.POST if request.method == "POST" else None
    context = {"title": title, "unit": goal.unit, "record": indicator, "back_url": goal.get_absolute_url()}
    if indicator is not None and indicator.is_unit_copy:
        return _unit_copy_form(request, goal=goal, indicator=indicator, context=context)
    source = KoladaSource.objects.filter(indicator=indicator).first() if indicator else None
    client = KoladaClient(**INTERACTIVE)
    action = next((a for a in ACTIONS if post and a in post), None)
    if action:
        form, kolada = _redrawn(post, action, goal=goal, indicator=indicator, source=source, client=client)
        return _form_response(request, {**context, "form": form, "kolada_form": kolada, "kolada_open": True})

    chosen = (post.get("source_kind") if post else (indicator.source_kind if indicator else "")) == Indicator.Source.KOLADA
    form = IndicatorForm(post, instance=indicator, goal=goal)
    kolada = KoladaSourceForm(post if chosen else None, goal=goal, instance=source, client=client,
                              with_groups=chosen or source is not None)
    if post and form.is_valid() and (not chosen or kolada.is_valid()):
        try:
            with transaction.atomic():
                saved = chain_edit.indicator_create(goal=goal, form=form, user=request.user) if indicator is None \
                    else chain_edit.form_update(form=form, user=request.user)
                if chosen:
                    save_source(indicator=saved, values=kolada.source_values(), user=request.user)
                elif source is not None:
                    remove_source(indicator=saved, user=request.user)
                if saved.administration_wide or (indicator is not None and indicator.administration_wide):
                    roll_out(definition=saved, user=request.user)
            return _goal_response(request, goal)
        except EditConflict as conflict:
            mark_conflict(form, conflict)
        except ValidationError as error:
            form.add_error(None, error)
    return _form_response(request, {**context, "form": form, "kolada_form": kolada, "kolada_open": chosen})


def _unit_copy_form(request, *, goal, indicator, context):
    """A unit's copy of an administration-wide indicator: only its own current and desired state."""
    from .chain_edit import _form_response, _goal_response, _save_edit

    form = UnitCopyIndicatorForm(request.POST if request.method == "POST" else None, instance=indicator)
    if request.method == "POST" and form.is_valid() and _save_edit(form, request.user):
        return _goal_response(request, goal)
    # No "remove" on the form: the administration decides which units measure it.
    return _form_response(request, {**context, "form": form, "record": None})


def _redrawn(post, action, *, goal, indicator, source, client):
    """The form again after a search or a choice, unbound: it shows no errors before saving."""
    data = post.copy()
    data["source_kind"] = Indicator.Source.KOLADA
    picked = post.get(action, "")[:40]
    if action in (PICK_KPI, PICK_OU) and not SAFE_ID.match(picked):
        action = ""  # not one of the buttons' values: redraw as it was
    if action == PICK_KPI:
        data["kpi_id"] = picked
        if not data.get("title", "").strip():
            try:
                found = client.kpis([picked])
            except KoladaUnavailable:
                found = []
            if found:
                data["title"] = found[0].title[:300]
    elif action == PICK_OU:
        data["ou_id"] = picked
        data["level"] = KoladaSource.Level.UNIT
    names = list(IndicatorForm.base_fields) + ["version"]
    form = IndicatorForm(instance=indicator, goal=goal, initial={name: data.get(name, "") for name in names if name in data})
    kolada = KoladaSourceForm(goal=goal, instance=source, client=client, initial=KoladaSourceForm.initial_from(data))
    if action in (SEARCH_KPI, SEARCH_OU):
        kolada.search(action, data)
    return form, kolada
