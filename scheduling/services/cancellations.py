"""Cancelling under the clinic's policy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import Conflict, DomainError, Forbidden
from scheduling import signals
from scheduling.models import (
    Booking,
)
from scheduling.selectors import (
    clinic_of,
)
from scheduling.services._common import _lock, _queue_booking_email

# --- cancellation policy -------------------------------------------------------------------------


@dataclass(frozen=True)
class CancellationTerms:
    late: bool
    fee: Decimal
    currency: str
    late_cancel_hours: int
    deadline: datetime

    @property
    def charges_fee(self) -> bool:
        return self.late and self.fee > 0


def cancellation_terms(booking: Booking, *, user: User, now: datetime) -> CancellationTerms:
    """What cancelling (or moving) ``booking`` now costs ``user``, per the clinic's policy."""
    clinic = booking.clinic or clinic_of(booking.therapist)
    hours = clinic.late_cancel_hours if clinic else 0
    fee = clinic.late_cancel_fee if clinic else Decimal("0")
    currency = clinic.currency if clinic else "USD"
    deadline = booking.starts_at - timedelta(hours=hours)
    # The therapist cancelling is never the couple's late cancellation.
    late = booking.therapist_id != user.pk and now >= deadline
    return CancellationTerms(
        late=late, fee=fee, currency=currency, late_cancel_hours=hours, deadline=deadline
    )


def _require_participant(user: User, booking: Booking) -> None:
    if booking.therapist_id == user.pk:
        return
    if any(p.pk == user.pk for p in booking.couple.partners):
        return
    raise Forbidden(_("This is not one of your sessions."), code="not_your_booking")


def _require_changeable(booking: Booking, now: datetime) -> None:
    if booking.status != Booking.Status.CONFIRMED:
        raise Conflict(_("This session can no longer be changed."), code="booking_not_active")
    if booking.starts_at <= now:
        raise Conflict(_("This session has already started."), code="booking_started")


@transaction.atomic
def booking_cancel(
    *, user: User, booking: Booking, now: datetime, scope: str = "one"
) -> list[Booking]:
    """Cancel one session, or this and the rest of its series (``scope="rest"``)."""
    _require_participant(user, booking)
    _lock(booking.therapist_id, booking.couple_id)
    booking = Booking.objects.select_related("couple", "therapist", "clinic").get(pk=booking.pk)
    _require_changeable(booking, now)
    targets = [booking]
    if scope == "rest" and booking.series_id:
        targets = list(
            Booking.objects.select_related("couple", "therapist", "clinic")
            .filter(
                series_id=booking.series_id,
                status=Booking.Status.CONFIRMED,
                starts_at__gte=booking.starts_at,
            )
            .order_by("starts_at")
        )
    elif scope not in ("one", "rest"):
        raise DomainError(_("scope must be 'one' or 'rest'."), code="invalid", field="scope")
    for target in targets:
        terms = cancellation_terms(target, user=user, now=now)
        target.status = Booking.Status.LATE_CANCELLED if terms.late else Booking.Status.CANCELLED
        target.cancelled_at = now
        target.cancelled_by = user
        if terms.charges_fee:
            target.late_cancel_fee = terms.fee
            target.fee_currency = terms.currency
        target.sequence += 1
        target.save()
        signals.booking_cancelled.send(sender=Booking, booking=target, late=terms.late)
    _queue_booking_email([t.pk for t in targets], "cancelled", user.pk, now=now)
    return targets
