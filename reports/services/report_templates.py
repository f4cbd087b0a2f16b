"""The administration's report templates, one per school form, and the built-in structure a
unit report falls back on (Ystad 5.1).

A template is a list of sections: a heading, guidance for the rektor and, where the section
is filled from the goal chain, which part of it. The administration starts a template from
the built-in structure and changes it from there. Changing a template never changes reports
already started: a report copies its structure when it is started
(``reports.services.unit_reports.unit_report_start``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ska.models import Administration, SchoolForm, Unit, User
from ska.schoolyear import SchoolYear
from ska.services.records import record_delete, record_update

from ..models import DataPart, ReportTemplate, TemplateSection


class TemplateError(Exception):
    """A change the templates do not allow; the message is for the person who tried."""


@dataclass(frozen=True)
class SectionSpec:
    """One section of a structure, as copied into a template or a report."""

    title: str
    guidance: str = ""
    data_part: str = ""


# The built-in structure of a unit report: written sections first, then the parts filled
# from the goal chain, each with the rektor's own text above the data.
DEFAULT_SECTIONS = [
    (
        gettext_lazy("Summary"),
        gettext_lazy(
            "Summarise the year in a few paragraphs: what the unit worked on, what it achieved, "
            "and what it will develop next year. Write it last, for a reader who reads nothing else."
        ),
        "",
    ),
    (
        gettext_lazy("Conditions"),
        gettext_lazy(
            "Describe the unit's conditions this school year: children or pupils, staff and "
            "competence, organisation, premises, and anything that affected the work."
        ),
        "",
    ),
    (
        gettext_lazy("Administration-wide goals"),
        gettext_lazy(
            "How has the unit worked towards the administration-wide goals? The goals and the "
            "unit's goals under them are filled in from the goal chain below your text."
        ),
        DataPart.ADMINISTRATION_GOALS,
    ),
    (
        gettext_lazy("Local goals"),
        gettext_lazy("Why did the unit choose its own local goals, and how did the work go?"),
        DataPart.LOCAL_GOALS,
    ),
    (
        gettext_lazy("Indicators"),
        gettext_lazy(
            "Comment on the movement from the current state towards the desired state. Values "
            "from groups that are too small to show are replaced by “..”."
        ),
        DataPart.INDICATORS,
    ),
    (
        gettext_lazy("Activities and follow-ups"),
        gettext_lazy("Which activities made a difference, and which did not? What did the follow-ups show?"),
        DataPart.ACTIVITIES,
    ),
    (
        gettext_lazy("Analysis and goal attainment"),
        gettext_lazy(
            "Analyse the results: what are the causes, how valid are the indicators, and to "
            "what extent were the goals attained?"
        ),
        DataPart.ANALYSIS,
    ),
    (
        gettext_lazy(
            "How staff, children or pupils and guardians took part (Skollagen 4 kap. 4 §)"
        ),
        gettext_lazy(
            "Describe how staff, children or pupils and guardians were given the opportunity to "
            "take part in the follow-up and analysis, as the Education Act requires."
        ),
        DataPart.PARTICIPATION,
    ),
    (
        gettext_lazy("New development areas"),
        gettext_lazy(
            "Which development areas does the analysis point to for next year, and why? They "
            "are the starting point of next year's goals."
        ),
        DataPart.DEVELOPMENT_AREAS,
    ),
]


def default_sections() -> list[SectionSpec]:
    """The built-in structure, in the active language."""
    return [SectionSpec(str(title), str(guidance), str(part)) for title, guidance, part in DEFAULT_SECTIONS]


def template_for(unit: Unit, school_year: SchoolYear | None = None) -> ReportTemplate | None:
    """The administration's template for the unit: the one for the first of the unit's school
    forms (in the school forms' order) that has one. Templates do not vary by school year; the
    year is accepted so callers need not know that. One query."""
    if unit.administration_id is None:
        return None
    return (
        ReportTemplate.objects.filter(administration_id=unit.administration_id, school_form__units=unit)
        .order_by("school_form__sort_order", "school_form__name", "pk")
        .first()
    )


def template_sections(template: ReportTemplate) -> list[SectionSpec]:
    return [
        SectionSpec(s.title, s.guidance, s.data_part) for s in template.sections.order_by("sort_order", "pk")
    ]


def _history_user(obj, user):
    if user is not None:
        obj._history_user = user
    return obj


def template_create(
    *, administration: Administration, school_form: SchoolForm, user: User | None, name: str = ""
) -> ReportTemplate:
    """A new template for the school form, with the built-in sections to start from."""
    name = name.strip() or _("Quality report, %(form)s") % {"form": school_form.name}
    try:
        with transaction.atomic():
            template = _history_user(
                ReportTemplate(administration=administration, school_form=school_form, name=name[:150]), user
            )
            template.save()
            for position, spec in enumerate(default_sections(), start=1):
                _history_user(
                    TemplateSection(
                        template=template,
                        title=spec.title,
                        guidance=spec.guidance,
                        data_part=spec.data_part,
                        sort_order=position * 10,
                    ),
                    user,
                ).save()
    except IntegrityError:
        raise TemplateError(
            _("%(administration)s already has a report template for %(form)s.")
            % {"administration": administration.name, "form": school_form.name}
        )
    return template


def template_update(*, template: ReportTemplate, version: int, values: dict, user: User) -> ReportTemplate:
    """Save the template's name and introduction (``EditConflict`` if someone saved first)."""
    return record_update(record=template, version=version, values=values, user=user)


def template_delete(*, template: ReportTemplate, user: User) -> ReportTemplate:
    """Remove the template (soft): units of its school form fall back on the built-in
    structure; reports already started keep theirs."""
    return record_delete(record=template, user=user)


# --- Sections ------------------------------------------------------------------------
def section_add(*, template: ReportTemplate, values: dict, user: User) -> TemplateSection:
    """A new section at the end of the template."""
    with transaction.atomic():
        ReportTemplate.objects.select_for_update().get(pk=template.pk)
        last = template.sections.aggregate(last=Max("sort_order"))["last"] or 0
        section = TemplateSection(template=template, sort_order=min(last + 10, 32000), **values)
        section.full_clean()
        _history_user(section, user).save()
    return section


def section_update(*, section: TemplateSection, version: int, values: dict, user: User) -> TemplateSection:
    return record_update(record=section, version=version, values=values, user=user)


def section_delete(*, section: TemplateSection, user: User) -> TemplateSection:
    return record_delete(record=section, user=user)


def section_move(*, section: TemplateSection, up: bool, user: User) -> None:
    """Move the section one step up or down; the template's sections are numbered anew in
    steps of ten, so the order stays unambiguous."""
    with transaction.atomic():
        ReportTemplate.objects.select_for_update().get(pk=section.template_id)
        sections = list(TemplateSection.objects.filter(template_id=section.template_id).order_by("sort_order", "pk"))
        index = next((i for i, s in enumerate(sections) if s.pk == section.pk), None)
        if index is None:
            raise TemplateError(_("The section has been removed."))
        other = index - 1 if up else index + 1
        if not 0 <= other < len(sections):
            return
        sections[index], sections[other] = sections[other], sections[index]
        for position, item in enumerate(sections, start=1):
            if item.sort_order != position * 10:
                item.sort_order = position * 10
                item.version += 1
                _history_user(item, user).save(update_fields=["sort_order", "version", "updated_at"])
