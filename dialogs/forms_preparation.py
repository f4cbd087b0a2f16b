"""Forms of a dialogue's preparation: the question guide, the quality matrices, the unit's
self-assessment and turning an assessed area into a goal or an activity. Forms validate;
services save."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ska.models import Goal, SchoolForm

from .models import QualityMatrix
from .services.matrices import MAX_LEVELS, AreaChange, LevelChange

TEXTAREA = {"rows": 4}


# --- The question guide ----------------------------------------------------------------------
class GuideForm(forms.Form):
    """One answer per question of the guide, each with the version it was opened on."""

    def __init__(self, *args, items, **kwargs):
        kwargs.setdefault("auto_id", "guide-%s")
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[f"answer_{item.position}"] = forms.CharField(
                label=item.question, required=False, widget=forms.Textarea(attrs=TEXTAREA), initial=item.text
            )
            self.fields[f"version_{item.position}"] = forms.IntegerField(
                widget=forms.HiddenInput, required=False, initial=item.version, min_value=0
            )

    def answers(self) -> dict[int, tuple[str, int]]:
        return {
            item.position: (self.cleaned_data[f"answer_{item.position}"], self.cleaned_data[f"version_{item.position}"] or 0)
            for item in self.items
        }

    def set_version(self, position: int, version: int) -> None:
        """After a save or a conflict: the form now knows the stored version of the answer."""
        data = self.data.copy()
        data[f"version_{position}"] = version
        self.data = data

    def rows(self):
        """(item, answer field) for the template."""
        return [(item, self[f"answer_{item.position}"]) for item in self.items]


# --- Quality matrices --------------------------------------------------------------------------
class MatrixCreateForm(forms.Form):
    school_form = forms.ModelChoiceField(queryset=SchoolForm.objects.none(), label=_("School form"))
    name = forms.CharField(label=_("Name"), max_length=150)

    def __init__(self, *args, municipality, **kwargs):
        kwargs.setdefault("auto_id", "matrix-new-%s")
        super().__init__(*args, **kwargs)
        taken = QualityMatrix.objects.filter(municipality=municipality).values("school_form_id")
        self.fields["school_form"].queryset = SchoolForm.objects.exclude(pk__in=taken).order_by("sort_order", "name")


class MatrixForm(forms.Form):
    """The whole matrix in one form: its name, its levels (plus one new), and each area (plus
    one new) with a descriptor per level, as a grid."""

    name = forms.CharField(label=_("Name"), max_length=150)

    def __init__(self, *args, matrix: QualityMatrix, **kwargs):
        kwargs.setdefault("auto_id", "matrix-%s")
        super().__init__(*args, **kwargs)
        self.matrix = matrix
        self.levels = list(matrix.levels.all())
        self.areas = list(matrix.areas.all())
        self.fields["name"].initial = matrix.name
        number = {"min_value": 1, "max_value": MAX_LEVELS * 10}
        for level in self.levels:
            self.fields[f"level_{level.pk}_number"] = forms.IntegerField(label=_("Number"), initial=level.number, **number)
            self.fields[f"level_{level.pk}_name"] = forms.CharField(label=_("Name"), max_length=100, initial=level.name)
            self.fields[f"level_{level.pk}_delete"] = forms.BooleanField(label=_("Remove"), required=False)
        self.fields["level_new_number"] = forms.IntegerField(label=_("Number"), required=False, **number)
        self.fields["level_new_name"] = forms.CharField(label=_("Name"), max_length=100, required=False)
        for area in self.areas:
            descriptors = {d.level_id: d.text for d in area.descriptors.all()}
            self._area_fields(str(area.pk), area.title, area.description, area.position, descriptors)
            self.fields[f"area_{area.pk}_delete"] = forms.BooleanField(label=_("Remove"), required=False)
        self._area_fields("new", "", "", (max((a.position for a in self.areas), default=0) + 1), {})
        self.fields["area_new_title"].required = False
        self.fields["area_new_position"].required = False

    def _area_fields(self, key, title, description, position, descriptors):
        self.fields[f"area_{key}_title"] = forms.CharField(label=_("Area"), max_length=200, initial=title)
        self.fields[f"area_{key}_description"] = forms.CharField(
            label=_("Description"), required=False, initial=description, widget=forms.Textarea(attrs={"rows": 2})
        )
        self.fields[f"area_{key}_position"] = forms.IntegerField(
            label=_("Order"), min_value=0, max_value=999, initial=position
        )
        for level in self.levels:
            self.fields[f"area_{key}_level_{level.pk}"] = forms.CharField(
                label=_("Level %(level)s") % {"level": level},
                required=False,
                initial=descriptors.get(level.pk, ""),
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    # For the template
    def level_rows(self):
        return [
            (level, self[f"level_{level.pk}_number"], self[f"level_{level.pk}_name"], self[f"level_{level.pk}_delete"])
            for level in self.levels
        ]

    def new_level_row(self):
        return self["level_new_number"], self["level_new_name"]

    def area_rows(self):
        rows = [(area, str(area.pk)) for area in self.areas] + [(None, "new")]
        return [
            {
                "area": area,
                "key": key,
                "title": self[f"area_{key}_title"],
                "description": self[f"area_{key}_description"],
                "position": self[f"area_{key}_position"],
                "delete": self[f"area_{key}_delete"] if area else None,
                "descriptors": [(level, self[f"area_{key}_level_{level.pk}"]) for level in self.levels],
            }
            for area, key in rows
        ]

    def clean(self):
        data = super().clean()
        new_number, new_name = data.get("level_new_number"), (data.get("level_new_name") or "").strip()
        if new_number and not new_name:
            self.add_error("level_new_name", _("Name the new level, or leave its number empty."))
        if new_name and not new_number:
            self.add_error("level_new_number", _("Give the new level a number."))
        seen: dict[int, str] = {}
        for level in self.levels:
            if data.get(f"level_{level.pk}_delete"):
                continue
            number = data.get(f"level_{level.pk}_number")
            if number is None:
                continue
            if number in seen:
                self.add_error(f"level_{level.pk}_number", _("Two levels cannot have the same number."))
            seen[number] = f"level_{level.pk}_number"
        if new_number and new_number in seen:
            self.add_error("level_new_number", _("Two levels cannot have the same number."))
        new_area_text = any(
            (data.get(f"area_new_{part}") or "").strip() for part in ["description"] + [f"level_{lv.pk}" for lv in self.levels]
        )
        if new_area_text and not (data.get("area_new_title") or "").strip():
            self.add_error("area_new_title", _("Give the new area a title, or leave its fields empty."))
        return data

    def changes(self) -> tuple[str, list[LevelChange], list[AreaChange]]:
        data = self.cleaned_data
        levels = [
            LevelChange(
                pk=level.pk,
                number=data[f"level_{level.pk}_number"],
                name=data[f"level_{level.pk}_name"].strip(),
                delete=data[f"level_{level.pk}_delete"],
            )
            for level in self.levels
        ]
        if data.get("level_new_number"):
            levels.append(LevelChange(pk=None, number=data["level_new_number"], name=data["level_new_name"].strip()))
        areas = []
        for area, key in [(area, str(area.pk)) for area in self.areas] + [(None, "new")]:
            title = (data.get(f"area_{key}_title") or "").strip()
            if area is None and not title:
                continue
            areas.append(
                AreaChange(
                    pk=area.pk if area else None,
                    title=title,
                    description=data[f"area_{key}_description"].strip(),
                    position=data[f"area_{key}_position"] if data[f"area_{key}_position"] is not None else len(self.areas) + 1,
                    descriptors={level.pk: data[f"area_{key}_level_{level.pk}"] for level in self.levels},
                    delete=bool(area and data[f"area_{key}_delete"]),
                )
            )
        return data["name"].strip(), levels, areas


# --- The self-assessment --------------------------------------------------------------------
class SelfAssessmentForm(forms.Form):
    """Per area: a level (radio buttons, each with its descriptor) and a justification."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, page, **kwargs):
        kwargs.setdefault("auto_id", "assessment-%s")
        super().__init__(*args, **kwargs)
        self.page = page
        self.levels = {level.pk: level for level in page.levels}
        self.fields["version"].initial = page.assessment.version if page.assessment else 0
        choices = [(str(pk), str(level)) for pk, level in self.levels.items()]
        for row in page.rows:
            current = row.current
            self.fields[f"level_{row.area.pk}"] = forms.ChoiceField(
                label=_("Level in “%(area)s”") % {"area": row.area.title},
                choices=choices,
                required=False,
                widget=forms.RadioSelect,
                initial=str(current.level_id) if current and current.level_id else None,
            )
            self.fields[f"justification_{row.area.pk}"] = forms.CharField(
                label=_("Justification for “%(area)s”") % {"area": row.area.title},
                required=False,
                widget=forms.Textarea(attrs=TEXTAREA),
                initial=current.justification if current else "",
            )

    def bind_rows(self) -> None:
        """Put each area's fields and radio choices (with descriptors) on its row."""
        for row in self.page.rows:
            field = self[f"level_{row.area.pk}"]
            chosen = str(field.value() or "")
            row.level_field = field
            row.justification_field = self[f"justification_{row.area.pk}"]
            row.choices = [
                {
                    "level": level,
                    "descriptor": descriptor,
                    "id": f"{field.auto_id}_{level.pk}",
                    "checked": chosen == str(level.pk),
                }
                for level, descriptor in row.levels
            ]

    def values(self):
        data = self.cleaned_data
        return {
            row.area.pk: (self.levels.get(int(data[f"level_{row.area.pk}"])) if data[f"level_{row.area.pk}"] else None,
                          data[f"justification_{row.area.pk}"])
            for row in self.page.rows
        }

    def set_version(self, version: int) -> None:
        data = self.data.copy()
        data["version"] = version
        self.data = data


# --- From an area to the chain ---------------------------------------------------------------------
class AreaToGoalForm(forms.Form):
    title = forms.CharField(label=_("Goal"), max_length=300)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs=TEXTAREA))
    parent = forms.ModelChoiceField(
        queryset=Goal.objects.none(),
        required=False,
        label=_("Administration-wide goal it concretises"),
        empty_label=_("None: a local goal from the unit's own needs"),
    )
    origin = forms.ChoiceField(
        label=_("Origin"),
        choices=[(Goal.Origin.SHORTFALL, Goal.Origin.SHORTFALL.label), (Goal.Origin.DEVELOPMENT, Goal.Origin.DEVELOPMENT.label)],
        initial=Goal.Origin.DEVELOPMENT,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, parents, **kwargs):
        kwargs.setdefault("auto_id", "to-goal-%s")
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parents


class AreaToActivityForm(forms.Form):
    goal = forms.ModelChoiceField(queryset=Goal.objects.none(), label=_("The unit's goal it works towards"))
    title = forms.CharField(label=_("Activity"), max_length=300)
    purpose = forms.CharField(
        label=_("Purpose"), required=False, widget=forms.Textarea(attrs=TEXTAREA), help_text=_("Why the activity is done.")
    )

    def __init__(self, *args, goals, **kwargs):
        kwargs.setdefault("auto_id", "to-activity-%s")
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = goals
