"""Signals other apps listen to.

- ``user_sessions_revoked(user_id, reason)``: every session of this person was ended
  (logout, password change, deactivation, account deletion). Sent after the commit;
  the video app closes the person's websockets on it. ``sender`` is ``User``.
"""

from django.dispatch import Signal

user_sessions_revoked = Signal()
