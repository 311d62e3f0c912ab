"""Writes for availability and bookings: lock, re-check, write, in one transaction.

On PostgreSQL two exclusion constraints (scheduling's initial migration) make
overlapping active bookings of one therapist or one couple impossible even if a check
were skipped; on SQLite every write transaction is IMMEDIATE, so writers are
serialized and the re-check inside the transaction is sound.

One module per concern; this package re-exports their public names.
"""

from scheduling.services._common import (
    MAX_SERIES,
    hold_minutes,
)
from scheduling.services.availability import (
    attendance_windows_set,
    date_override_clear,
    date_override_set,
    session_type_retire,
    session_type_save,
    time_off_add,
    time_off_delete,
    working_hours_set,
)
from scheduling.services.bookings import (
    booking_confirm,
    booking_create,
    booking_hold,
    hold_release,
    holds_expire,
)
from scheduling.services.cancellations import (
    CancellationTerms,
    booking_cancel,
    cancellation_terms,
)
from scheduling.services.feeds import (
    calendar_feed_reset,
)
from scheduling.services.reschedule import (
    booking_reschedule,
)
from scheduling.services.series import (
    Occurrence,
    series_create,
    series_create_from_hold,
    series_occurrences,
    series_preview,
)
from scheduling.services.versions import (
    slots_versions_bump,
)
from scheduling.tokens import read_reschedule_token, reschedule_token

__all__ = [
    "MAX_SERIES",
    "CancellationTerms",
    "Occurrence",
    "attendance_windows_set",
    "booking_cancel",
    "booking_confirm",
    "booking_create",
    "booking_hold",
    "booking_reschedule",
    "calendar_feed_reset",
    "cancellation_terms",
    "date_override_clear",
    "date_override_set",
    "hold_minutes",
    "hold_release",
    "holds_expire",
    "read_reschedule_token",
    "reschedule_token",
    "series_create",
    "series_create_from_hold",
    "series_occurrences",
    "series_preview",
    "session_type_retire",
    "session_type_save",
    "slots_versions_bump",
    "time_off_add",
    "time_off_delete",
    "working_hours_set",
]
