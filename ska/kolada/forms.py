"""The Kolada part of the indicator form: which key figure, for the unit or the municipality,
which gender's values, and which reference lines.

The searches (key figures by title or id, Kolada's units by name) are buttons of the same
form: pressing one redraws the form with the hits as buttons to choose from, with or without
JavaScript. Saving checks the chosen figure and unit against Kolada, unless they are the ones
already stored (so an indicator can be edited while Kolada is down).
"""

from __future__ import annotations

from typing import NamedTuple

from django import forms
from django.core.cache import cache
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import KoladaSource
from ..suppression import municipality_of_goal
from .client import SAFE_ID, KoladaClient
from .types import KoladaUnavailable

UNREACHABLE = gettext_lazy("Kolada could not be reached just now. Try again in a while.")
GROUPS_DOWN = "kolada:groups-unreachable"
SEARCH_KPI, SEARCH_OU, PICK_KPI, PICK_OU = "kolada_search_kpi", "kolada_search_ou", "kolada_pick_kpi", "kolada_pick_ou"


class SearchHit(NamedTuple):
    """A hit of a search in the form, as its "Choose" button shows it."""

    id: str
    name: str
    note: str = ""


class KoladaSourceForm(forms.Form):
    kpi_query = forms.CharField(
        label=gettext_lazy("Key figure to search for"), required=False, max_length=200,
        help_text=gettext_lazy("A title or part of one, or an id such as N15505."),
    )
    kpi_id = forms.CharField(label=gettext_lazy("Key figure (Kolada's id)"), required=False, max_length=12)
    level = forms.ChoiceField(
        label=gettext_lazy("Values for"), choices=KoladaSource.Level.choices, initial=KoladaSource.Level.UNIT,
        widget=forms.RadioSelect,
    )
    ou_query = forms.CharField(label=gettext_lazy("Unit to search for in Kolada"), required=False, max_length=200)
    ou_id = forms.CharField(
        label=gettext_lazy("The unit in Kolada (id)"), required=False, max_length=20,
        help_text=gettext_lazy("Kept on the unit, so the next indicator finds it."),
    )
    gender = forms.ChoiceField(
        label=gettext_lazy("Gender"), choices=KoladaSource.Gender.choices, initial=KoladaSource.Gender.TOTAL,
        widget=forms.RadioSelect,
        help_text=gettext_lazy("Which values become check-ins, where Kolada divides the figure by gender."),
    )
    compare_municipality = forms.BooleanField(label=gettext_lazy("Compare with the municipality"), required=False, initial=True)
    group_id = forms.ChoiceField(label=gettext_lazy("Compare with a group of similar municipalities"), required=False)
    compare_country = forms.BooleanField(label=gettext_lazy("Compare with the whole country"), required=False, initial=True)

    def __init__(self, data=None, *, goal, instance: KoladaSource | None = None, client: KoladaClient | None = None,
                 with_groups: bool = True, **kwargs):
        unit = goal.unit
        self.instance = instance
        self.client = client or KoladaClient()
        municipality = municipality_of_goal(goal)
        self.municipality_id = instance.municipality_id if instance else (municipality.code if municipality else "")
        initial = kwargs.pop("initial", {})
        if instance is not None and not initial:
            initial.update(
                kpi_id=instance.kpi_id, level=instance.level, ou_id=instance.ou_id, gender=instance.gender,
                compare_municipality=instance.compare_municipality, group_id=instance.group_id,
                compare_country=instance.compare_country,
            )
        elif not initial:
            initial["ou_id"] = unit.kolada_ou_id if unit is not None else ""
            if unit is None:
                initial["level"] = KoladaSource.Level.MUNICIPALITY
        kwargs.setdefault("auto_id", "kolada-%s")
        super().__init__(data, initial=initial, **kwargs)
        self.goal = goal
        self.kpi_hits = []
        self.ou_hits = []
        self.search_error = ""
        self.kpi = None  # the chosen Kpi, once checked
        self.ou = None
        self._group_choices(with_groups)

    # --- Searching ------------------------------------------------------------------------
    def _group_choices(self, with_groups: bool):
        """Kolada's groups that hold the municipality; asked for only when the form is about
        Kolada, so opening an indicator form never waits for Kolada."""
        choices = [("", _("None"))]
        current = self.instance.group_id if self.instance else ""
        if with_groups and self.municipality_id and not cache.get(GROUPS_DOWN):
            try:
                choices += [(g.id, g.title) for g in self.client.municipality_groups(member=self.municipality_id)]
            except KoladaUnavailable:
                cache.set(GROUPS_DOWN, True, 60)  # the next form opens at once, without the groups
        if current and current not in dict(choices):
            choices.append((current, self.instance.group_title or current))
        self.group_titles = dict(choices)
        self.fields["group_id"].choices = choices

    def search(self, action: str, data) -> None:
        """Run the search a button asked for; hits (or why there are none) go to the form."""
        try:
            if action == SEARCH_KPI:
                query = (data.get("kpi_query") or "").strip()
                self.kpi_hits = self.client.search_kpis(query)[:25] if query else []
                if query and not self.kpi_hits:
                    self.search_error = _("No key figure matches “%(query)s”.") % {"query": query}
            elif action == SEARCH_OU:
                if not self.municipality_id:
                    self.search_error = _("The municipality's code is missing: an administrator enters it on the municipality first.")
                    return
                query = (data.get("ou_query") or "").strip()
                self.ou_hits = self.client.search_ous(self.municipality_id, query)[:25]
                if not self.ou_hits:
                    self.search_error = _("No unit in Kolada matches “%(query)s”.") % {"query": query}
        except KoladaUnavailable:
            self.search_error = str(UNREACHABLE)

    @staticmethod
    def initial_from(data) -> dict:
        """The form's values as posted, to redraw it unbound after a search (no errors yet)."""
        initial = {name: data.get(name, "") for name in ("kpi_query", "kpi_id", "level", "ou_query", "ou_id", "gender", "group_id")}
        initial["compare_municipality"] = bool(data.get("compare_municipality"))
        initial["compare_country"] = bool(data.get("compare_country"))
        return initial

    @property
    def kpi_choices(self) -> list[SearchHit]:
        return [SearchHit(k.id, f"{k.id} {k.title}", "" if k.has_ou_data else _("municipalities only")) for k in self.kpi_hits]

    @property
    def ou_choices(self) -> list[SearchHit]:
        return [SearchHit(ou.id, ou.title, ou.id) for ou in self.ou_hits]

    # --- Checking the choice --------------------------------------------------------------
    def clean_kpi_id(self):
        return self._kolada_id("kpi_id", "N15505")

    def clean_ou_id(self):
        return self._kolada_id("ou_id", "V15E128600101")

    def _kolada_id(self, name: str, example: str) -> str:
        value = (self.cleaned_data.get(name) or "").strip().upper()
        if value and not SAFE_ID.match(value):
            raise forms.ValidationError(_("Kolada's ids are letters and digits, e.g. %(example)s.") % {"example": example})
        return value

    def clean(self):
        data = super().clean()
        kpi_id, level, ou_id = data.get("kpi_id"), data.get("level"), data.get("ou_id")
        if not self.municipality_id:
            raise forms.ValidationError(
                _("The municipality's code is missing: an administrator enters it on the municipality first.")
            )
        if not kpi_id:
            self.add_error("kpi_id", _("Choose a key figure: search for it, or enter its id."))
            return data
        if level == KoladaSource.Level.UNIT and self.goal.unit_id is None:
            # Above the units the figure is the municipality's; an administration-wide indicator
            # gives each unit the same figure for the unit (ska.services.shared_indicators).
            self.add_error("level", _("A goal above the units follows the municipality's figure: choose the municipality."))
            return data
        if level == KoladaSource.Level.UNIT and not ou_id:
            self.add_error("ou_id", _("Choose the unit in Kolada: search for it, or enter its id."))
            return data
        unchanged = self.instance is not None and self.instance.kpi_id == kpi_id and (
            level != KoladaSource.Level.UNIT or self.instance.ou_id == ou_id
        )
        if not unchanged:
            try:
                self._check_kpi(kpi_id, level)
                if level == KoladaSource.Level.UNIT:
                    self._check_ou(ou_id)
            except KoladaUnavailable:
                raise forms.ValidationError(UNREACHABLE)
        divided = self.kpi.is_divided_by_gender if self.kpi is not None else (unchanged and self.instance.divided_by_gender)
        if data.get("gender") != KoladaSource.Gender.TOTAL and (self.kpi is not None or unchanged) and not divided:
            self.add_error("gender", _("Kolada does not divide this key figure by gender: choose the total."))
        return data

    def _check_kpi(self, kpi_id, level):
        found = self.client.kpis([kpi_id])
        if not found:
            self.add_error("kpi_id", _("Kolada has no key figure with the id %(id)s.") % {"id": kpi_id})
            return
        self.kpi = found[0]
        if level == KoladaSource.Level.UNIT and not self.kpi.has_ou_data:
            self.add_error("level", _("Kolada publishes this key figure for municipalities only, not per unit."))

    def _check_ou(self, ou_id):
        hits = [ou for ou in self.client.search_ous(self.municipality_id) if ou.id == ou_id]
        if not hits:
            self.add_error("ou_id", _("Kolada has no unit with the id %(id)s in this municipality.") % {"id": ou_id})
            return
        self.ou = hits[0]

    def source_values(self) -> dict:
        """The KoladaSource fields this form sets."""
        data = self.cleaned_data
        values = {
            "kpi_id": data["kpi_id"],
            "level": data["level"],
            "ou_id": data["ou_id"] if data["level"] == KoladaSource.Level.UNIT else "",
            "municipality_id": self.municipality_id,
            "gender": data["gender"],
            "compare_municipality": data["compare_municipality"],
            "group_id": data["group_id"],
            "group_title": self.group_titles.get(data["group_id"], "") if data["group_id"] else "",
            "compare_country": data["compare_country"],
        }
        if self.kpi is not None:
            values["kpi_title"] = self.kpi.title
            values["divided_by_gender"] = self.kpi.is_divided_by_gender
        if self.ou is not None:
            values["ou_title"] = self.ou.title
        return values
