from .activities import Activity, ActivityFollowUp, ActivityIndicator
from .audit import AuditEvent
from .analysis import Analysis, Attainment, DevelopmentArea, Participant, ValidityReview
from .feedback import AccessibilityReport
from .goals import CurriculumArea, Goal
from .indicators import CheckIn, Indicator
from .kolada import KoladaSource, KoladaValue
from .organisation import Administration, Committee, IndependentProvider, Municipality, SchoolForm, Unit
from .people import ROLE_SCOPE, Role, RoleAssignment, User

__all__ = [
    "AccessibilityReport",
    "Activity",
    "ActivityFollowUp",
    "ActivityIndicator",
    "Analysis",
    "Attainment",
    "AuditEvent",
    "CheckIn",
    "CurriculumArea",
    "DevelopmentArea",
    "Goal",
    "Indicator",
    "KoladaSource",
    "KoladaValue",
    "Participant",
    "ValidityReview",
    "Administration",
    "Committee",
    "IndependentProvider",
    "Municipality",
    "ROLE_SCOPE",
    "Role",
    "RoleAssignment",
    "SchoolForm",
    "Unit",
    "User",
]
