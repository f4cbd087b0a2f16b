"""The municipality's quality matrices (*kvalitetsmatriser*): one per school form, areas ×
levels with a descriptor per cell, against which the units assess themselves before the
administration's quality dialogue (Ystad 6.2).

Built-in defaults for grundskola and förskola can be created in one step and then changed.
Every save goes through ``matrix_save`` in one transaction, so a rejected change leaves the
matrix as it was; simple-history keeps each earlier state.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from ska.models import Municipality, SchoolForm

from ..models import AreaAssessment, MatrixArea, MatrixDescriptor, MatrixLevel, QualityMatrix

# --- Built-in defaults ---------------------------------------------------------------------
# Content, not interface: municipalities write their matrices in Swedish.
DEFAULT_LEVELS = ["Otillräcklig", "Godtagbar", "God", "Utmärkt"]


@dataclass(frozen=True)
class DefaultArea:
    title: str
    description: str
    descriptors: tuple[str, str, str, str]  # one per level, lowest first


@dataclass(frozen=True)
class DefaultMatrix:
    name: str
    areas: list[DefaultArea] = field(default_factory=list)
    levels: list[str] = field(default_factory=lambda: list(DEFAULT_LEVELS))


DEFAULT_MATRICES: dict[str, DefaultMatrix] = {
    "grundskola": DefaultMatrix(
        name="Kvalitetsmatris för grundskolan",
        areas=[
            DefaultArea(
                "Undervisning och lärande",
                "Undervisningen utgår från läroplanen, är varierad och anpassad så att varje elev kan utvecklas "
                "så långt som möjligt.",
                (
                    "Undervisningen är i stor utsträckning lika för alla elever och följs sällan upp; många elever "
                    "når inte kunskapskraven.",
                    "Undervisningen planeras utifrån läroplanen men anpassningarna är få och uppföljningen ojämn "
                    "mellan klassrummen.",
                    "Undervisningen är varierad och anpassad efter elevernas behov; resultaten följs upp och "
                    "används för att utveckla undervisningen.",
                    "Lärarna utvecklar undervisningen tillsammans utifrån forskning och beprövad erfarenhet; "
                    "alla elever utmanas och resultaten förbättras över tid.",
                ),
            ),
            DefaultArea(
                "Trygghet och studiero",
                "Eleverna känner sig trygga, har studiero och skolan arbetar aktivt mot kränkande behandling.",
                (
                    "Många elever upplever otrygghet eller saknar studiero; kränkningar utreds inte konsekvent.",
                    "De flesta elever känner sig trygga men studieron varierar; arbetet mot kränkningar sker "
                    "främst när något har hänt.",
                    "Eleverna känner sig trygga och har studiero; skolan arbetar främjande och förebyggande och "
                    "följer upp varje anmälan.",
                    "Trygghet och studiero är en gemensam angelägenhet för elever och personal; arbetet bygger på "
                    "kartläggning och resultaten är goda över tid.",
                ),
            ),
            DefaultArea(
                "Systematiskt kvalitetsarbete",
                "Enheten följer upp, analyserar och utvecklar verksamheten kontinuerligt utifrån de nationella "
                "målen och huvudmannens mål.",
                (
                    "Uppföljning sker sporadiskt och leder sällan till åtgärder; mål och indikatorer saknas.",
                    "Enheten har mål och följer upp dem, men analysen av orsaker är tunn och kopplingen till "
                    "aktiviteter svag.",
                    "Mål, indikatorer, aktiviteter och analys hänger ihop; personalen är delaktig och analysen "
                    "leder till prioriteringar.",
                    "Kvalitetsarbetet är en naturlig del av vardagen; elever och vårdnadshavare är delaktiga och "
                    "effekterna av insatserna följs upp.",
                ),
            ),
            DefaultArea(
                "Ledarskap och organisation",
                "Rektor leder det pedagogiska arbetet och organiserar verksamheten så att resurserna används "
                "där de behövs.",
                (
                    "Organisationen är otydlig och resurserna fördelas utan koppling till elevernas behov.",
                    "Ansvar och roller är i huvudsak tydliga men det pedagogiska ledarskapet får litet utrymme.",
                    "Rektor leder det pedagogiska arbetet; förstelärare och arbetslag har tydliga uppdrag och "
                    "resurserna fördelas efter behov.",
                    "Ett delat ledarskap driver utvecklingen; organisationen prövas och förändras utifrån "
                    "analysen av resultaten.",
                ),
            ),
            DefaultArea(
                "Samverkan med hem",
                "Skolan samarbetar med vårdnadshavarna om elevernas utveckling och lärande.",
                (
                    "Kontakten med hemmen är sporadisk och sker främst när problem uppstår.",
                    "Vårdnadshavare informeras regelbundet men har få möjligheter att påverka.",
                    "Skolan har en tydlig och regelbunden dialog med vårdnadshavarna om elevernas utveckling.",
                    "Vårdnadshavarna är delaktiga i skolans utveckling och samverkan följs upp och förbättras.",
                ),
            ),
        ],
    ),
    "forskola": DefaultMatrix(
        name="Kvalitetsmatris för förskolan",
        areas=[
            DefaultArea(
                "Undervisning och lärande",
                "Undervisningen utgår från läroplanen och barnens intressen och stimulerar deras utveckling "
                "och lärande.",
                (
                    "Undervisningen är sällan planerad utifrån läroplanen; omsorg och aktiviteter står i fokus.",
                    "Undervisning planeras men dokumenteras och följs upp ojämnt mellan avdelningarna.",
                    "Undervisningen är målstyrd, utgår från barnens intressen och följs upp genom pedagogisk "
                    "dokumentation.",
                    "Arbetslagen utvecklar undervisningen tillsammans; barnen är delaktiga och utvecklingen "
                    "syns över tid.",
                ),
            ),
            DefaultArea(
                "Trygghet och studiero",
                "Barnen är trygga, har en god lärmiljö och förskolan arbetar aktivt mot kränkande behandling.",
                (
                    "Många barn saknar en trygg och lugn miljö; kränkningar uppmärksammas inte konsekvent.",
                    "Barnen är i huvudsak trygga men miljön är ibland stökig och arbetet mot kränkningar är "
                    "främst åtgärdande.",
                    "Barnen är trygga; förskolan arbetar främjande och förebyggande och miljön stödjer lek och "
                    "lärande.",
                    "Trygghet och en god lärmiljö är en gemensam angelägenhet; arbetet bygger på barnens "
                    "perspektiv och följs upp.",
                ),
            ),
            DefaultArea(
                "Systematiskt kvalitetsarbete",
                "Förskolan följer upp, analyserar och utvecklar utbildningen kontinuerligt.",
                (
                    "Uppföljning sker sporadiskt och leder sällan till förändringar.",
                    "Förskolan följer upp men analysen är tunn och kopplingen till åtgärder svag.",
                    "Mål, uppföljning, analys och åtgärder hänger ihop och hela arbetslaget är delaktigt.",
                    "Kvalitetsarbetet är en del av vardagen; barn och vårdnadshavare är delaktiga och "
                    "effekterna följs upp.",
                ),
            ),
            DefaultArea(
                "Ledarskap och organisation",
                "Rektor leder det pedagogiska arbetet och organiserar förskolan efter barnens behov.",
                (
                    "Organisationen är otydlig och arbetslagen saknar gemensam riktning.",
                    "Roller är i huvudsak tydliga men tid för pedagogisk utveckling saknas ofta.",
                    "Rektor leder det pedagogiska arbetet och arbetslagen har tid och uppdrag för utveckling.",
                    "Ett delat ledarskap driver utvecklingen och organisationen prövas utifrån resultaten.",
                ),
            ),
            DefaultArea(
                "Samverkan med hem",
                "Förskolan samarbetar med vårdnadshavarna om barnens utveckling, lärande och trivsel.",
                (
                    "Kontakten med hemmen är begränsad till hämtning och lämning.",
                    "Vårdnadshavare informeras regelbundet men har få möjligheter att påverka.",
                    "Förskolan har regelbundna utvecklingssamtal och en öppen dialog med vårdnadshavarna.",
                    "Vårdnadshavarna är delaktiga i förskolans utveckling och samverkan följs upp.",
                ),
            ),
        ],
    ),
}

MAX_LEVELS = 10


def _with_user(record, user):
    record._history_user = user
    return record


def has_default(school_form: SchoolForm) -> bool:
    return school_form.code in DEFAULT_MATRICES


def matrices_with_parts(queryset):
    """Matrices with their levels, areas and descriptors, in four queries."""
    return queryset.select_related("school_form").prefetch_related(
        Prefetch("levels", queryset=MatrixLevel.objects.order_by("number")),
        Prefetch(
            "areas",
            queryset=MatrixArea.objects.order_by("position", "pk").prefetch_related(
                Prefetch("descriptors", queryset=MatrixDescriptor.objects.order_by("level__number"))
            ),
        ),
    )


@transaction.atomic
def matrix_create(*, municipality: Municipality, school_form: SchoolForm, name: str, user=None) -> QualityMatrix:
    """An empty matrix for the school form, with the usual four levels and no areas yet."""
    if QualityMatrix.objects.filter(municipality=municipality, school_form=school_form).exists():
        raise ValidationError(
            _("%(municipality)s already has a quality matrix for %(form)s.")
            % {"municipality": municipality, "form": school_form}
        )
    matrix = _with_user(QualityMatrix(municipality=municipality, school_form=school_form, name=name), user)
    matrix.full_clean()
    matrix.save()
    for number, level_name in enumerate(DEFAULT_LEVELS, start=1):
        _with_user(MatrixLevel(matrix=matrix, number=number, name=level_name), user).save()
    return matrix


@transaction.atomic
def matrix_create_default(*, municipality: Municipality, school_form: SchoolForm, user=None) -> QualityMatrix:
    """The built-in matrix for the school form, ready to be changed. Safe to run twice: an
    existing matrix is returned as it is."""
    existing = QualityMatrix.objects.filter(municipality=municipality, school_form=school_form).first()
    if existing:
        return existing
    default = DEFAULT_MATRICES.get(school_form.code)
    if default is None:
        raise ValidationError(_("There is no built-in quality matrix for %(form)s.") % {"form": school_form})
    matrix = _with_user(QualityMatrix(municipality=municipality, school_form=school_form, name=default.name), user)
    matrix.save()
    levels = [
        _with_user(MatrixLevel(matrix=matrix, number=number, name=name), user)
        for number, name in enumerate(default.levels, start=1)
    ]
    for level in levels:
        level.save()
    for position, spec in enumerate(default.areas, start=1):
        area = _with_user(MatrixArea(matrix=matrix, position=position, title=spec.title, description=spec.description), user)
        area.save()
        for level, text in zip(levels, spec.descriptors):
            _with_user(MatrixDescriptor(area=area, level=level, text=text), user).save()
    return matrix


# --- Saving the edit form ----------------------------------------------------------------------
@dataclass
class LevelChange:
    pk: int | None  # None: a new level
    number: int
    name: str
    delete: bool = False


@dataclass
class AreaChange:
    pk: int | None  # None: a new area
    title: str
    description: str
    position: int
    descriptors: dict[int, str]  # level pk or, for new levels, the level's number (negative) → text
    delete: bool = False


def _used_levels(matrix) -> set[int]:
    return set(AreaAssessment.objects.filter(level__matrix=matrix).values_list("level_id", flat=True))


def _used_areas(matrix) -> set[int]:
    return set(AreaAssessment.objects.filter(area__matrix=matrix).values_list("area_id", flat=True))


@transaction.atomic
def matrix_save(
    *, matrix: QualityMatrix, name: str, levels: list[LevelChange], areas: list[AreaChange], user=None
) -> QualityMatrix:
    """Save the whole edit form: the name, the levels, the areas and every descriptor. Either
    all of it is saved or, with a ValidationError saying why, none of it."""
    matrix = QualityMatrix.objects.select_for_update().get(pk=matrix.pk)
    stored_levels = {level.pk: level for level in matrix.levels.all()}
    stored_areas = {area.pk: area for area in matrix.areas.all()}
    used_levels, used_areas = _used_levels(matrix), _used_areas(matrix)

    kept_levels = [change for change in levels if not change.delete]
    numbers = [change.number for change in kept_levels]
    if len(set(numbers)) != len(numbers):
        raise ValidationError(_("Two levels cannot have the same number."))
    if len(kept_levels) < 2:
        raise ValidationError(_("A quality matrix needs at least two levels."))
    if len(kept_levels) > MAX_LEVELS:
        raise ValidationError(_("A quality matrix can have at most %(max)d levels.") % {"max": MAX_LEVELS})
    for change in levels:
        if change.delete and change.pk in used_levels:
            raise ValidationError(
                _("The level “%(name)s” has been chosen in self-assessments and cannot be removed. Rename it instead.")
                % {"name": stored_levels[change.pk].name}
            )
    for change in areas:
        if change.delete and change.pk in used_areas:
            raise ValidationError(
                _("The area “%(title)s” has been assessed in self-assessments and cannot be removed. Rename it instead.")
                % {"title": stored_areas[change.pk].title}
            )

    matrix.name = name
    matrix.full_clean(exclude=["municipality", "school_form"])
    _with_user(matrix, user).save()

    # Levels: remove, then move the kept ones out of the way so that numbers can be swapped
    # without breaking the unique number per matrix on the way.
    for change in levels:
        if change.delete and change.pk:
            _with_user(stored_levels[change.pk], user).delete()
    changed = [c for c in kept_levels if c.pk and (stored_levels[c.pk].number, stored_levels[c.pk].name) != (c.number, c.name)]
    for offset, change in enumerate(changed, start=1):
        level = stored_levels[change.pk]
        if level.number != change.number:
            level.number = 1000 + offset
            level.save(update_fields=["number"])
    level_of: dict[int, MatrixLevel] = {}
    for change in kept_levels:
        level = stored_levels[change.pk] if change.pk else MatrixLevel(matrix=matrix)
        if not change.pk or change in changed:
            level.number, level.name = change.number, change.name
            level.full_clean(exclude=["matrix"], validate_unique=False)
            _with_user(level, user).save()
        level_of[change.pk or -change.number] = level

    stored_descriptors = {
        (d.area_id, d.level_id): d for d in MatrixDescriptor.objects.filter(area__matrix=matrix)
    }
    for change in areas:
        if change.delete:
            if change.pk:
                _with_user(stored_areas[change.pk], user).delete()
            continue
        area = stored_areas[change.pk] if change.pk else MatrixArea(matrix=matrix)
        if not change.pk or (area.title, area.description, area.position) != (change.title, change.description, change.position):
            area.title, area.description, area.position = change.title, change.description, change.position
            area.full_clean(exclude=["matrix"])
            _with_user(area, user).save()
        for key, text in change.descriptors.items():
            level = level_of.get(key)
            if level is None:  # a level removed in the same save
                continue
            text = text.strip()
            descriptor = stored_descriptors.get((area.pk, level.pk))
            if descriptor is None:
                if text:
                    _with_user(MatrixDescriptor(area=area, level=level, text=text), user).save()
            elif not text:
                _with_user(descriptor, user).delete()
            elif descriptor.text != text:
                descriptor.text = text
                _with_user(descriptor, user).save()
    return matrix


@dataclass
class MatrixChange:
    date: object
    user: object
    kind: str  # "+", "~" or "-", as simple-history writes them
    what: str  # the part of the matrix: name, level, area, descriptor
    text: str


def matrix_changes(matrix: QualityMatrix, limit: int = 15) -> list[MatrixChange]:
    """The latest changes to the matrix and its levels, areas and descriptors, newest first."""
    sources = [
        (matrix.history.all(), QualityMatrix, lambda row: row.name),
        (MatrixLevel.history.filter(matrix_id=matrix.pk), MatrixLevel, lambda row: f"{row.number}. {row.name}"),
        (MatrixArea.history.filter(matrix_id=matrix.pk), MatrixArea, lambda row: row.title),
        (
            MatrixDescriptor.history.filter(area_id__in=MatrixArea.history.filter(matrix_id=matrix.pk).values("id")),
            MatrixDescriptor,
            lambda row: row.text if len(row.text) <= 80 else row.text[:79] + "…",
        ),
    ]
    changes = [
        MatrixChange(row.history_date, row.history_user, row.history_type, str(model._meta.verbose_name), text(row))
        for queryset, model, text in sources
        for row in queryset.select_related("history_user").order_by("-history_date")[:limit]
    ]
    return sorted(changes, key=lambda change: change.date, reverse=True)[:limit]
