from .delivery import CalendarFeed, DigestSent, ReminderPreference, ReminderSent
from .wheels import (
    DEADLINE_KINDS,
    KIND_COLOURS,
    ClosedDayRule,
    Event,
    EventKind,
    EventKindSetting,
    FollowUpPart,
    Occurrence,
    Repeat,
    SchoolBreak,
    Wheel,
)

__all__ = [
    "CalendarFeed",
    "DEADLINE_KINDS",
    "KIND_COLOURS",
    "ClosedDayRule",
    "DigestSent",
    "Event",
    "EventKind",
    "EventKindSetting",
    "FollowUpPart",
    "Occurrence",
    "ReminderPreference",
    "ReminderSent",
    "Repeat",
    "SchoolBreak",
    "Wheel",
]
