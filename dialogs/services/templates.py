"""What each kind of dialogue starts from: the municipality's own template, or the built-in
defaults taken from the seeds (Tyresö's six topics for independent providers, Ystad 6.1–6.3,
the information letter and question guide of seed 004's appendices)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from ska.models import Municipality

from ..models import DialogueKind, DialogueTemplate

FIELDS = ("purpose", "participant_roles", "agenda_topics", "information_letter", "question_guide")


@dataclass(frozen=True)
class Defaults:
    purpose: str
    participant_roles: str
    agenda_topics: list[str] = field(default_factory=list)
    information_letter: str = ""
    question_guide: list[str] = field(default_factory=list)


# Content, not interface: municipalities write their templates in Swedish.
DEFAULTS: dict[str, Defaults] = {
    DialogueKind.COMMITTEE: Defaults(
        purpose=(
            "Att skapa en ömsesidig förståelse mellan nämnd och förvaltning för verksamhetens behov, "
            "kopplat till nämndens ansvar för kvalitet och likvärdighet."
        ),
        participant_roles="Nämndens ledamöter\nSkolchef\nUtvecklingschef\nBerörda medarbetare",
        agenda_topics=["Läsårets dialogämne", "Underlag från förvaltningen", "Nämndens frågor", "Förslag på verksamhetsbesök"],
    ),
    DialogueKind.ADMINISTRATION: Defaults(
        purpose=(
            "Att följa upp enhetens systematiska kvalitetsarbete utifrån kvalitetsrapporten och "
            "självskattningen, lyfta lyckade insatser och identifiera utvecklingsområden."
        ),
        participant_roles="Skolchef\nUtvecklingschef\nRektor\nFörstelärare eller processledare\nBarn- eller elevrepresentanter",
        agenda_topics=["Enhetens kvalitetsrapport", "Självskattning mot kvalitetsmatrisen", "Enhetens egna frågor"],
        information_letter=(
            "Inför kvalitetsuppföljningssamtalet\n\n"
            "Samtalet utgår från enhetens kvalitetsrapport, självskattningen mot kvalitetsmatrisen och de frågor "
            "enheten själv vill lyfta. Gör självskattningen och besvara frågeställningarna senast en vecka före "
            "samtalet. Rektor bjuder in förstelärare eller processledare och elevrepresentanter."
        ),
        question_guide=[
            "Vilka insatser har varit lyckade under året, och hur vet ni det?",
            "Vilka utvecklingsområden ser ni inför nästa läsår?",
            "Hur arbetar ni med analys och uppföljning av resultaten?",
            "Hur fungerar samarbetet inom enheten och med förvaltningen?",
            "Vilket stöd behöver ni från förvaltningsledningen?",
        ],
    ),
    DialogueKind.UNIT: Defaults(
        purpose=(
            "Att resonera om hur verksamheten har anpassats utifrån tidigare identifierade utmaningar, "
            "så att barnens och elevernas behov av stöd och stimulans möts."
        ),
        participant_roles="Rektor\nPersonal\nBarn och elever\nVårdnadshavare",
        agenda_topics=["Tidigare identifierade utmaningar", "Hur verksamheten har anpassats", "Nästa steg"],
    ),
    DialogueKind.PROVIDER: Defaults(
        purpose=(
            "Skapa kvalitetsförbättring, öka samarbete och samverkan, ge och få information om aktuella saker "
            "samt om prioriteringar och satsningar."
        ),
        participant_roles="Skolchef\nHuvudmannens kontaktperson\nRektor",
        agenda_topics=[
            "Trygghet och säkerhet",
            "Resultat och kvalitet",
            "Kompetensutvecklingsbehov",
            "Befolkningsprognos och behov av platser",
            "Överlämningar",
            "Barn- och elevhälsa",
        ],
        information_letter=(
            "Information inför kvalitetssamtalet\n\n"
            "Kommunen genomför kvalitetssamtal med fristående huvudmän två gånger per år. Boka en tid som passar "
            "bland de tider som erbjuds och besvara frågeställningarna innan samtalet."
        ),
        question_guide=[
            "Hur arbetar ni med trygghet och säkerhet, och vad visar era senaste resultat?",
            "Vilka resultat är ni mest nöjda med, och var ser ni behov av förbättring?",
            "Vilka behov av kompetensutveckling har ni?",
            "Hur ser ni på behovet av platser de kommande åren?",
            "Hur fungerar överlämningar till och från er verksamhet?",
            "Hur är barn- och elevhälsan organiserad, och vad behöver utvecklas?",
        ],
    ),
}


def template_values(*, municipality: Municipality, kind: str) -> dict:
    """The values a new round of ``kind`` starts from in ``municipality``."""
    template = DialogueTemplate.objects.filter(municipality=municipality, kind=kind).first()
    source = template or DEFAULTS[DialogueKind(kind)]
    return {name: getattr(source, name) for name in FIELDS}


def templates_of(municipality: Municipality) -> list[DialogueTemplate]:
    """One template per kind, saved or not (unsaved ones carry the defaults)."""
    saved = {t.kind: t for t in DialogueTemplate.objects.filter(municipality=municipality)}
    result = []
    for kind in DialogueKind.values:
        if kind in saved:
            result.append(saved[kind])
        else:
            result.append(DialogueTemplate(municipality=municipality, kind=kind, **template_values_default(kind)))
    return result


def template_values_default(kind: str) -> dict:
    defaults = DEFAULTS[DialogueKind(kind)]
    return {name: getattr(defaults, name) for name in FIELDS}


def template_save(*, municipality: Municipality, kind: str, values: dict, user=None) -> DialogueTemplate:
    with transaction.atomic():
        template, _ = DialogueTemplate.objects.select_for_update().get_or_create(
            municipality=municipality, kind=kind, defaults=template_values_default(kind)
        )
        for name in FIELDS:
            setattr(template, name, values[name])
        if user is not None:
            template._history_user = user
        template.save()
        return template
