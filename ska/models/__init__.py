from .feedback import AccessibilityReport
from .organisation import Administration, Committee, IndependentProvider, Municipality, SchoolForm, Unit
from .people import ROLE_SCOPE, Role, RoleAssignment, User

__all__ = [
    "AccessibilityReport",
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
