"""Demo data for preparing dialogues: the built-in quality matrices for the demo municipality,
and a unit's submitted self-assessment (with last year's) for an administration's dialogue.
Idempotent: running it twice changes nothing."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from ska.models import Municipality, SchoolForm

from .models import AreaAssessment, Dialogue, QualityMatrix, SelfAssessment
from .services.matrices import matrix_create_default
from .services.preparation import has_self_assessment

DEMO_FORMS = ("grundskola", "forskola")

# Levels (1–4, lowest first) and justifications, this year and last, per area position.
# Content, not interface: written in Swedish like the units' own.
JUSTIFICATIONS = {
    1: (
        3,
        "Lektionerna har tydliga mål och avslutas med en sammanfattning. Kollegiala observationer visar att "
        "variationen har ökat, men anpassningarna för elever i behov av stöd är ännu ojämna.",
        2,
        "Undervisningen planerades utifrån läroplanen men anpassningarna var få och skilde sig mellan arbetslagen.",
    ),
    2: (
        2,
        "Trygghetsenkäten visar att 78 % av eleverna känner sig trygga, men studieron i årskurs 7–9 är ett "
        "problem enligt eleverna. Rastvärdsschemat följs inte alltid.",
        2,
        "Trygghetsenkäten visade 80 %; flera kränkningsanmälningar gällde raster och omklädningsrum.",
    ),
    3: (
        3,
        "Alla arbetslag har mål med indikatorer och följer upp dem vid terminens slut; analysen blir bättre "
        "när förstelärarna leder samtalen.",
        2,
        "Uppföljningen gjordes men analysen av orsaker var tunn och ledde sällan till nya aktiviteter.",
    ),
    4: (
        3,
        "Förstelärarna har tydliga uppdrag och tid avsatt för kollegialt lärande. Resurserna fördelas efter "
        "kartläggningen i augusti.",
        3,
        "Förstelärarnas uppdrag förtydligades under våren.",
    ),
    5: (
        2,
        "Vårdnadshavare får veckobrev men deltagandet på föräldramöten är lågt och få svarar på enkäten.",
        2,
        "Informationen till hemmen var regelbunden men dialogen var enkelriktad.",
    ),
}


def seed_preparation(municipality: Municipality | None = None, user=None) -> list[QualityMatrix]:
    """The built-in quality matrices for grundskola and förskola in ``municipality`` (the
    first municipality if none is given)."""
    municipality = municipality or Municipality.objects.order_by("pk").first()
    if municipality is None:
        return []
    return [
        matrix_create_default(municipality=municipality, school_form=school_form, user=user)
        for school_form in SchoolForm.objects.filter(code__in=DEMO_FORMS).order_by("sort_order")
    ]


def _fill(assessment: SelfAssessment, matrix: QualityMatrix, *, last_year: bool, user) -> None:
    levels = {level.number: level for level in matrix.levels.all()}
    for position, area in enumerate(matrix.areas.order_by("position", "pk"), start=1):
        level_now, text_now, level_then, text_then = JUSTIFICATIONS.get(position, JUSTIFICATIONS[1])
        number, text = (level_then, text_then) if last_year else (level_now, text_now)
        row = AreaAssessment(assessment=assessment, area=area, level=levels.get(number), justification=text)
        row._history_user = user
        row.save()


@transaction.atomic
def seed_self_assessment(dialogue: Dialogue, user) -> list[SelfAssessment]:
    """A submitted self-assessment for each of the dialogue's unit's school forms that has a
    matrix, with justifications, and last year's assessment beside it. Only for the
    administration's dialogue with a municipal unit; seeds the matrices if they are missing."""
    if not has_self_assessment(dialogue):
        return []
    seed_preparation(dialogue.round.municipality, user)
    school_year = dialogue.round.school_year
    created = []
    matrices = QualityMatrix.objects.filter(
        municipality_id=dialogue.round.municipality_id, school_form__in=dialogue.unit.school_forms.all()
    ).select_related("school_form")
    for matrix in matrices:
        for year, last_year in ((school_year.previous(), True), (school_year, False)):
            if SelfAssessment.objects.filter(unit=dialogue.unit, school_form=matrix.school_form, school_year=year).exists():
                continue
            # A week before the dialogue (or before today, unbooked); a year earlier for last year's.
            before = (dialogue.slot.starts_at if dialogue.slot_id else timezone.now()) - datetime.timedelta(days=7)
            submitted = before - datetime.timedelta(days=365) if last_year else before
            assessment = SelfAssessment(
                unit=dialogue.unit,
                school_form=matrix.school_form,
                school_year=year,
                matrix=matrix,
                dialogue=None if last_year else dialogue,
                submitted_at=submitted,
                submitted_by=user,
            )
            assessment._history_user = user
            assessment.save()
            _fill(assessment, matrix, last_year=last_year, user=user)
            if not last_year:
                created.append(assessment)
    return created
