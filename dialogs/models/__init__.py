"""Models of the dialogs app. It depends on `ska` (organisation, school years, the chain) and
on `annualwheel` (a dialogue-round event starts a round), never the reverse."""

from .analysis import RoundAnalysis
from .committee import MAX_TOPICS, MIN_TOPICS, CommitteeTopic, VisitSuggestion
from .evaluation import MIN_RESPONSES, EvaluationInvitation, EvaluationQuestion, EvaluationResponse
from .holding import AgreedAction, NoteComment, TopicNote
from .kinds import DialogueKind, DialogueTemplate
from .preparation import (
    AreaAssessment,
    GuideAnswer,
    MatrixArea,
    MatrixDescriptor,
    MatrixLevel,
    QualityMatrix,
    SelfAssessment,
)
from .rounds import Dialogue, Participant, Round, Slot

__all__ = [
    "AgreedAction",
    "AreaAssessment",
    "CommitteeTopic",
    "Dialogue",
    "DialogueKind",
    "DialogueTemplate",
    "EvaluationInvitation",
    "EvaluationQuestion",
    "EvaluationResponse",
    "GuideAnswer",
    "MAX_TOPICS",
    "MIN_RESPONSES",
    "MIN_TOPICS",
    "MatrixArea",
    "MatrixDescriptor",
    "MatrixLevel",
    "NoteComment",
    "Participant",
    "QualityMatrix",
    "Round",
    "RoundAnalysis",
    "SelfAssessment",
    "Slot",
    "TopicNote",
    "VisitSuggestion",
]
