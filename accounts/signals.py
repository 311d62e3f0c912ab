"""Signals other apps listen to.

- ``user_sessions_revoked(user_id, reason)``: every session of this person was ended
  (logout, password change, deactivation, account deletion). Sent after the commit;
  the video app closes the person's websockets on it. ``sender`` is ``User``.
- ``account_deleting(user, now)``: sent inside the deletion transaction, before the
  person's rows are removed, so apps that keep records under their own retention rules
  (therapist notes) apply them. ``sender`` is ``User``.

- ``partner_left_couple(couple, user, now)``: a partner left their couple (inside the
  transaction). Apps with that couple's bookings tell the people concerned.

Models whose rows are the clinic's record rather than the person's set
``retained_on_account_deletion = True``: deletion leaves them (anonymized) in place.
"""

from django.dispatch import Signal

user_sessions_revoked = Signal()
account_deleting = Signal()
partner_left_couple = Signal()
