"""What rosters, clients and the directory read from scheduling's bookings.

Bookings live in ``scheduling``, a layer above this app. Instead of importing it,
this app declares what it needs (``BookingSource``) and scheduling registers an
implementation when Django starts (``scheduling.apps``).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from scheduling.models import Booking


class BookingSource(Protocol):
    model: type[Booking]
    #: Statuses that make a couple a therapist's client (see ``selectors.therapist_clients``).
    care_statuses: tuple[str, ...]
    #: Statuses that take (or took) the therapist's time; holds only until they expire.
    occupying_statuses: tuple[str, ...]
    #: Statuses of sessions still ahead.
    upcoming_statuses: tuple[str, ...]
    held_status: str

    def earliest_free_start_by_therapist(
        self, therapist_ids: list[int], *, now: datetime, days: int
    ) -> dict[int, datetime | None]: ...


_source: BookingSource | None = None


def register(source: BookingSource) -> None:
    global _source
    _source = source


def bookings() -> BookingSource:
    if _source is None:
        raise ImproperlyConfigured("The scheduling app is not installed: no bookings to read.")
    return _source
