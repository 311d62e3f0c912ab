"""Cross-app events. Senders fire them inside their transaction; receivers write in it too.

Receivers that do slow work (email) must defer it with ``transaction.on_commit``.

- ``booking_confirmed(booking)``: a session was booked (or a hold confirmed).
- ``booking_rescheduled(booking, previous_starts_at)``: a session moved.
- ``booking_cancelled(booking, late)``: a session was cancelled (late per clinic policy).
- ``session_ended(booking, ended_by)``: the therapist ended the session in the room
  (or its end time passed and it was closed automatically; then ``ended_by`` is None).
- ``room_participant_joined(booking, user, at)``: a participant entered the room
  (admitted, for partners). Attendance is recorded from this.
- ``message_posted(thread, message, recipients)``: a secure message was written.

Every signal is sent with ``sender`` = the sending module's main model class.
"""

from django.dispatch import Signal

booking_confirmed = Signal()
booking_rescheduled = Signal()
booking_cancelled = Signal()
session_ended = Signal()
room_participant_joined = Signal()
message_posted = Signal()
