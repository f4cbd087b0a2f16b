"""The year-end evaluation of the dialogues by everyone who took part, on both sides (Tyresö:
"en utvärdering där alla parter får möjlighet att utvärdera samtalen").

- ``evaluations_send`` invites every participant with an account of the year's held dialogues
  of one kind and e-mails them a link (after commit, through a Celery task). Safe to run twice:
  an invitation is unique per municipality, kind, school year and person, and its e-mail goes
  out once (``sent_at``).
- ``evaluation_answer`` stores the answers without any link to the person, in the same
  transaction that marks the invitation answered; the invitation row is locked, so two
  submissions at once give one response.
- ``evaluation_results`` aggregates per kind and school year (and per side), and hides
  everything when fewer than ``MIN_RESPONSES`` answered; the sides are hidden together when
  one of them has too few, so that nobody can subtract their way to a small group.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ska.models import Municipality, User
from ska.schoolyear import SchoolYear

from ..models import Dialogue, DialogueKind, Participant
from ..models.evaluation import MIN_RESPONSES, EvaluationInvitation, EvaluationQuestion, EvaluationResponse

SCALE = range(1, 6)

# Content, not interface: municipalities write their questions in Swedish.
DEFAULT_QUESTIONS: list[tuple[str, str]] = [
    ("Samtalen har bidragit till kvalitetsutveckling", EvaluationQuestion.Answer.SCALE),
    ("Jag fick ge och få information om det som var aktuellt", EvaluationQuestion.Answer.SCALE),
    ("Samtalen gav ett bra samarbete mellan parterna", EvaluationQuestion.Answer.SCALE),
    ("Underlaget inför samtalen var till hjälp", EvaluationQuestion.Answer.SCALE),
    ("Vad har fungerat bra?", EvaluationQuestion.Answer.TEXT),
    ("Vad bör utvecklas till nästa år?", EvaluationQuestion.Answer.TEXT),
]


class EvaluationError(Exception):
    pass


# --- Questions -------------------------------------------------------------------------
def default_questions(municipality: Municipality | None = None) -> list[EvaluationQuestion]:
    """The built-in questions, unsaved: what is used while a municipality has none of its own."""
    return [
        EvaluationQuestion(municipality=municipality, text=text, answer=answer, position=i)
        for i, (text, answer) in enumerate(DEFAULT_QUESTIONS)
    ]


def questions_ensure(*, municipality: Municipality, user: User | None = None) -> bool:
    """Save the built-in questions as the municipality's own if it has none; True if it did."""
    with transaction.atomic():
        Municipality.objects.select_for_update().get(pk=municipality.pk)
        if EvaluationQuestion.objects.filter(municipality=municipality).exists():
            return False
        for question in default_questions(municipality):
            if user is not None:
                question._history_user = user
            question.save()
        return True


def questions_for(municipality: Municipality, kind: str, *, active_only: bool = True) -> list[EvaluationQuestion]:
    questions = EvaluationQuestion.objects.filter(municipality=municipality).filter(Q(kind="") | Q(kind=kind))
    if active_only:
        questions = questions.filter(active=True)
    return list(questions.order_by("position", "pk"))


# --- Sending -------------------------------------------------------------------------------
def _participants(municipality: Municipality, kind: str, school_year: SchoolYear):
    held = Dialogue.objects.filter(
        round__municipality=municipality,
        round__kind=kind,
        round__school_year=school_year,
        round__deleted_at__isnull=True,
        held_at__isnull=False,
    )
    return (
        Participant.objects.filter(dialogue__in=held, user__isnull=False, user__is_active=True)
        .values_list("user_id", "side")
        .order_by("user_id", "side")
    )


def evaluations_send(
    *, municipality: Municipality, kind: str, school_year: SchoolYear, user: User | None = None
) -> int:
    """Invite everyone who took part in the year's held dialogues of ``kind`` (both sides) and
    queue their e-mails. Returns the number of new invitations; running it again invites only
    people who have taken part since, and e-mails nobody twice."""
    if kind not in DialogueKind.values:
        raise EvaluationError(f"Unknown kind {kind!r}")
    school_year = SchoolYear(int(getattr(school_year, "start_year", school_year)))
    with transaction.atomic():
        questions_ensure(municipality=municipality, user=user)
        sides: dict[int, str] = {}
        for user_id, side in _participants(municipality, kind, school_year):
            # Someone on both sides of different dialogues answers as a host.
            if sides.get(user_id) != Participant.Side.HOST:
                sides[user_id] = side
        already = set(
            EvaluationInvitation.objects.filter(
                municipality=municipality, kind=kind, school_year=school_year, user_id__in=sides
            ).values_list("user_id", flat=True)
        )
        new = [
            EvaluationInvitation(municipality=municipality, kind=kind, school_year=school_year, user_id=uid, side=side)
            for uid, side in sides.items()
            if uid not in already
        ]
        EvaluationInvitation.objects.bulk_create(new, ignore_conflicts=True)
        unsent = list(
            EvaluationInvitation.objects.filter(
                municipality=municipality, kind=kind, school_year=school_year, sent_at__isnull=True
            ).values_list("pk", flat=True)
        )
        if unsent:
            from ..tasks import send_evaluation_invitations

            send_evaluation_invitations.delay_on_commit(unsent)
        return len(new)


def invitation_message(invitation: EvaluationInvitation) -> EmailMessage | None:
    from annualwheel.services.ical import absolute_url
    from annualwheel.services.reminders import AUTOMATIC_HEADERS, base_url

    person = invitation.user
    if not person.email or not person.is_active:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        values = {"kind": invitation.get_kind_display(), "year": invitation.school_year}
        lines = [
            _("You took part in %(kind)s during %(year)s. Please tell us what you thought of the dialogues.") % values,
            _("Your answers are anonymous: they are stored without your name and shown only together with at least "
              "two other people's answers."),
            "",
            absolute_url(base_url(), reverse("dialogs:evaluation_answer", args=[invitation.pk])),
        ]
        return EmailMessage(
            subject=_("Evaluation: %(kind)s %(year)s") % values,
            body="\n".join(lines) + "\n",
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[person.email],
            headers=AUTOMATIC_HEADERS,
        )


def invitation_mail_send(invitation_id: int) -> bool:
    """E-mail one invitation once: claim it (``sent_at``) first, so a second run sends nothing;
    if sending fails the claim is given back and the error raised for a retry."""
    now = timezone.now()
    if not EvaluationInvitation.objects.filter(pk=invitation_id, sent_at__isnull=True).update(sent_at=now):
        return False
    invitation = EvaluationInvitation.objects.select_related("user").get(pk=invitation_id)
    message = invitation_message(invitation)
    if message is None:
        return False
    try:
        message.send()
    except Exception:
        EvaluationInvitation.objects.filter(pk=invitation_id, sent_at=now).update(sent_at=None)
        raise
    return True


# --- Answering ---------------------------------------------------------------------------
def evaluation_answer(*, invitation: EvaluationInvitation, user: User, answers: dict) -> EvaluationResponse:
    """Store the answers anonymously and mark the invitation answered, both or neither."""
    with transaction.atomic():
        current = EvaluationInvitation.objects.select_for_update().get(pk=invitation.pk)
        if current.user_id != user.pk:
            raise EvaluationError(_("This evaluation is someone else's."))
        if current.answered_at is not None:
            raise EvaluationError(_("You have already answered this evaluation. Answers cannot be changed."))
        response = EvaluationResponse.objects.create(
            municipality_id=current.municipality_id,
            kind=current.kind,
            school_year=current.school_year,
            side=current.side,
            answers={str(k): v for k, v in answers.items() if v not in (None, "")},
        )
        current.answered_at = timezone.now()
        current.save(update_fields=["answered_at"])
        invitation.answered_at = current.answered_at
        return response


# --- Results -------------------------------------------------------------------------------
@dataclass
class ScaleResult:
    question: EvaluationQuestion
    answered: int
    average: float | None
    distribution: list[tuple[int, int, int]]  # (value, count, percent)


@dataclass
class Results:
    """The aggregate of one group of responses; ``shown`` is False below ``MIN_RESPONSES``,
    and then nothing else is filled in."""

    label: str
    shown: bool
    count: int = 0
    scales: list[ScaleResult] = field(default_factory=list)
    texts: list[tuple[EvaluationQuestion, list[str]]] = field(default_factory=list)


def _aggregate(label: str, responses: list[EvaluationResponse], questions: list[EvaluationQuestion]) -> Results:
    if len(responses) < MIN_RESPONSES:
        return Results(label=label, shown=False)
    result = Results(label=label, shown=True, count=len(responses))
    for question in questions:
        key = str(question.pk)
        values = [r.answers.get(key) for r in responses if r.answers.get(key) not in (None, "")]
        if question.answer == EvaluationQuestion.Answer.SCALE:
            numbers = [int(v) for v in values if str(v).isdigit() and int(v) in SCALE]
            if not numbers and not question.active:
                continue
            counts = Counter(numbers)
            result.scales.append(
                ScaleResult(
                    question=question,
                    answered=len(numbers),
                    average=round(sum(numbers) / len(numbers), 1) if numbers else None,
                    distribution=[
                        (v, counts[v], round(100 * counts[v] / len(numbers)) if numbers else 0) for v in SCALE
                    ],
                )
            )
        else:
            texts = [str(v).strip() for v in values if str(v).strip()]
            if texts or question.active:
                result.texts.append((question, sorted(texts, key=str.casefold)))
    return result


def evaluation_results(*, municipality: Municipality, kind: str, school_year: SchoolYear) -> dict:
    """Results for all who answered and per side; each hidden below ``MIN_RESPONSES``.
    Three queries however many responses there are."""
    responses = list(
        EvaluationResponse.objects.filter(municipality=municipality, kind=kind, school_year=school_year)
    )
    questions = questions_for(municipality, kind, active_only=False)
    hosts = [r for r in responses if r.side == Participant.Side.HOST]
    counterparts = [r for r in responses if r.side == Participant.Side.COUNTERPART]
    invited = EvaluationInvitation.objects.filter(municipality=municipality, kind=kind, school_year=school_year).count()
    # Complementary suppression: were one side shown next to everyone's results while the other
    # had one or two answers, subtracting would reveal those. So the sides are shown only when
    # neither has between one and MIN_RESPONSES - 1 answers.
    split = all(not 0 < len(group) < MIN_RESPONSES for group in (hosts, counterparts))
    return {
        "invited": invited,
        "all": _aggregate(_("Everyone who answered"), responses, questions),
        "sides": [
            _aggregate(_("The hosts' side"), hosts if split else [], questions),
            _aggregate(_("The counterpart's side"), counterparts if split else [], questions),
        ],
    }


def my_invitations(user: User):
    return EvaluationInvitation.objects.filter(user=user).select_related("municipality").order_by("-school_year", "kind")


def year_end_evaluations_send(today=None) -> int:
    """At the end of the school year: invite everyone who took part in a held dialogue of any
    kind, in every municipality, to evaluate that kind (Celery beat, ``CELERY_BEAT_SCHEDULE``).
    Safe to run again: nobody is invited or e-mailed twice."""
    school_year = SchoolYear.of(today or timezone.localdate())
    held = (
        Participant.objects.filter(
            dialogue__held_at__isnull=False,
            dialogue__deleted_at__isnull=True,
            dialogue__round__school_year=school_year,
            user__isnull=False,
        )
        .values_list("dialogue__round__municipality_id", "dialogue__round__kind")
        .distinct()
    )
    municipalities = {m.pk: m for m in Municipality.objects.filter(pk__in={m for m, _k in held})}
    return sum(
        evaluations_send(municipality=municipalities[m], kind=kind, school_year=school_year) for m, kind in set(held)
    )
