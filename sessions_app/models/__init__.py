"""What happens around a session: attendance, reminders, homework, check-ins, journal,
goals and reflections. One module per concern; Django finds the models through the
names imported here."""

from sessions_app.models.attendance import (
    Attendance,
    Reflection,
    SessionClosure,
)
from sessions_app.models.homework import (
    ExerciseTemplate,
    HomeworkAssignment,
    HomeworkResponse,
)
from sessions_app.models.journal import (
    CheckIn,
    Goal,
    JournalConsent,
    JournalEntry,
)
from sessions_app.models.reminders import (
    Delivery,
    Notification,
    Reminder,
    ReminderPreference,
    default_offsets,
)

__all__ = [
    "Attendance",
    "CheckIn",
    "Delivery",
    "ExerciseTemplate",
    "Goal",
    "HomeworkAssignment",
    "HomeworkResponse",
    "JournalConsent",
    "JournalEntry",
    "Notification",
    "Reflection",
    "Reminder",
    "ReminderPreference",
    "SessionClosure",
    "default_offsets",
]
