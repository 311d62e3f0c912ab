"""When a partner may write about a session: before it (check-in, questionnaires) and
after it (reflection, session feedback). One home for both rules; sessions_app and
measures ask here."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _

from core.errors import DomainError
from scheduling.models import Booking


def require_before_session(booking: Booking, now: datetime) -> None:
    """A confirmed session that has not ended yet."""
    if booking.status != Booking.Status.CONFIRMED or booking.ended_at is not None:
        raise DomainError(_("Check-ins are open for upcoming sessions only."), code="closed")
    if booking.ends_at <= now:
        raise DomainError(_("This session is over; the check-in is closed."), code="closed")


def require_after_session(booking: Booking, now: datetime) -> None:
    """A session that took place and is over (ended by the therapist, or past its end)."""
    if booking.ended_at is None and booking.ends_at > now:
        raise DomainError(_("You can reflect once the session is over."), code="not_over")
    if booking.status not in (Booking.Status.CONFIRMED, Booking.Status.COMPLETED):
        raise DomainError(_("This session did not take place."), code="not_held")
