"""Reads for everything between sessions. Every read of health data goes through a
function here that takes the viewer and applies the privacy rules (the audit log
hooks in here too). One module per concern; the names are re-exported here."""

from sessions_app.selectors.checkins import (
    average_rating_for_therapist,
    check_ins_for_therapist,
    own_check_in,
    own_check_ins,
    own_reflection,
    reflections_due_for,
    reflections_for_therapist,
    upcoming_check_in_bookings,
)
from sessions_app.selectors.homework import (
    HomeworkView,
    PersonProgress,
    VisibleResponse,
    assignment_visible_to,
    homework_for_couple,
    homework_view,
    homework_views,
    open_homework_for_partner,
    response_readable_by,
    with_responses,
)
from sessions_app.selectors.journal import (
    JournalReader,
    consent_of,
    goals_for,
    journal_for_partner,
    journal_for_therapist,
    journal_readers,
    therapist_may_read_journal,
)
from sessions_app.selectors.notifications import (
    notifications_for,
    reminder_preference,
    unread_count,
)
from sessions_app.selectors.preparation import (
    Preparation,
    UpcomingPrep,
    preparation_for,
    upcoming_preparation,
)

__all__ = [
    "HomeworkView",
    "JournalReader",
    "PersonProgress",
    "Preparation",
    "UpcomingPrep",
    "VisibleResponse",
    "assignment_visible_to",
    "average_rating_for_therapist",
    "check_ins_for_therapist",
    "consent_of",
    "goals_for",
    "homework_for_couple",
    "homework_view",
    "homework_views",
    "journal_for_partner",
    "journal_for_therapist",
    "journal_readers",
    "notifications_for",
    "open_homework_for_partner",
    "own_check_in",
    "own_check_ins",
    "own_reflection",
    "preparation_for",
    "reflections_due_for",
    "reflections_for_therapist",
    "reminder_preference",
    "response_readable_by",
    "therapist_may_read_journal",
    "unread_count",
    "upcoming_check_in_bookings",
    "upcoming_preparation",
    "with_responses",
]
