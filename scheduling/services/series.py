"""Weekly or fortnightly series, previewed and booked in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Couple, User
from core.errors import Conflict, DomainError
from scheduling import signals
from scheduling.models import (
    Booking,
    BookingSeries,
    SessionType,
)
from scheduling.selectors import (
    available_slots,
    clinic_of,
)
from scheduling.services._common import (
    MAX_SERIES,
    _apply_times,
    _drop_expired_holds,
    _lock,
    _queue_booking_email,
    _require_bookable,
    _require_partner,
    _save_guarded,
)
from scheduling.slots import local_to_utc

# --- series ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Occurrence:
    starts_at: datetime | None
    local_date: str
    ok: bool
    reason: str = ""


def series_occurrences(
    *, first_start: datetime, tz: ZoneInfo, frequency: str, count: int | None, until: date | None
) -> list[tuple[str, datetime | None]]:
    """The series' wall-clock dates in ``tz``; None where the wall-clock time does not exist."""
    if count is None and until is None:
        raise DomainError(
            _("Give a number of sessions or an end date."), code="invalid", field="count"
        )
    if count is not None and not 1 <= count <= MAX_SERIES:
        raise DomainError(
            ngettext(
                "A series has 1 to %(max)s session.",
                "A series has 1 to %(max)s sessions.",
                MAX_SERIES,
            )
            % {"max": MAX_SERIES},
            code="invalid",
            field="count",
        )
    interval = 7 if frequency == BookingSeries.Frequency.WEEKLY else 14
    if frequency not in BookingSeries.Frequency.values:
        raise DomainError(_("Unknown frequency."), code="invalid", field="frequency")
    local0 = first_start.astimezone(tz).replace(tzinfo=None)
    if until is not None and until < local0.date():
        raise DomainError(
            _("The end date is before the first session."),
            code="invalid",
            status=422,
            field="until",
        )
    out: list[tuple[str, datetime | None]] = []
    k = 0
    while len(out) < (count or MAX_SERIES):
        local = local0 + timedelta(days=interval * k)
        if until is not None and local.date() > until:
            break
        out.append((local.date().isoformat(), local_to_utc(local, tz)))
        k += 1
    return out


def series_preview(
    *,
    user: User,
    therapist: User,
    couple: Couple,
    session_type: SessionType,
    first_start: datetime,
    frequency: str,
    now: datetime,
    count: int | None = None,
    until: date | None = None,
    exclude_ids: tuple[int, ...] = (),
) -> list[Occurrence]:
    """Each occurrence with whether it can be booked, before anything is written."""
    _require_partner(user, couple)
    _require_bookable(therapist, session_type)
    plan = series_occurrences(
        first_start=first_start, tz=therapist.tz, frequency=frequency, count=count, until=until
    )
    # The horizon rule for a series: its FIRST session must be within the session
    # type's booking horizon like any booking; the later ones may reach beyond it (a
    # series is a standing commitment, at most MAX_SERIES sessions long).
    last_day = now + timedelta(days=session_type.horizon_days)
    if first_start > last_day:
        raise DomainError(
            ngettext(
                "Bookings open at most %(days)s day ahead; start the series sooner "
                "(its later sessions may go beyond that).",
                "Bookings open at most %(days)s days ahead; start the series sooner "
                "(its later sessions may go beyond that).",
                session_type.horizon_days,
            )
            % {"days": session_type.horizon_days},
            code="beyond_horizon",
            status=422,
            field="starts_at",
        )
    starts = [s for _, s in plan if s is not None]
    if not starts:
        return [Occurrence(None, d, False, "dst_gap") for d, _ in plan]
    common: dict[str, Any] = {
        "therapist": therapist,
        "couple": couple,
        "session_type": session_type,
        "start": min(starts),
        "end": max(starts) + timedelta(seconds=1),
        "now": now,
        "use_horizon": False,
        "exclude_booking_ids": exclude_ids,
    }
    free = {s for s, _ in available_slots(**common)}
    offered = {s for s, _ in available_slots(ignore_bookings=True, **common)}
    out = []
    for day, start in plan:
        if start is None:
            out.append(Occurrence(None, day, False, "dst_gap"))
        elif start in free:
            out.append(Occurrence(start, day, True))
        elif start in offered:
            out.append(Occurrence(start, day, False, "slot_taken"))
        else:
            out.append(Occurrence(start, day, False, "slot_not_offered"))
    return out


@transaction.atomic
def series_create(
    *,
    user: User,
    therapist: User,
    couple: Couple,
    session_type: SessionType,
    first_start: datetime,
    frequency: str,
    now: datetime,
    count: int | None = None,
    until: date | None = None,
    skip_conflicts: bool = False,
    format: str | None = None,
) -> tuple[BookingSeries, list[Occurrence]]:
    """Create a recurring series in one transaction.

    If any occurrence conflicts, nothing is written and 409 lists them, unless the
    booker confirmed ``skip_conflicts`` after seeing that list.
    """
    _require_partner(user, couple)
    _lock(therapist.pk, couple.pk)
    _drop_expired_holds(therapist_id=therapist.pk, couple_id=couple.pk, now=now)
    occurrences = series_preview(
        user=user,
        therapist=therapist,
        couple=couple,
        session_type=session_type,
        first_start=first_start,
        frequency=frequency,
        now=now,
        count=count,
        until=until,
    )
    conflicts = [o for o in occurrences if not o.ok]
    if conflicts and (not skip_conflicts or len(conflicts) == len(occurrences)):
        raise Conflict(
            ngettext(
                "%(conflicts)s of %(total)s session cannot be booked.",
                "%(conflicts)s of %(total)s sessions cannot be booked.",
                len(occurrences),
            )
            % {"conflicts": len(conflicts), "total": len(occurrences)},
            code="series_conflict",
            conflicts=[
                {
                    "date": o.local_date,
                    "starts_at": o.starts_at and o.starts_at.isoformat(),
                    "reason": o.reason,
                }
                for o in conflicts
            ],
        )
    series = BookingSeries.objects.create(
        therapist=therapist,
        couple=couple,
        session_type=session_type,
        frequency=frequency,
        created_by=user,
        created_at=now,
    )
    clinic = clinic_of(therapist)
    created = []
    for occ in occurrences:
        if not occ.ok or occ.starts_at is None:
            continue
        booking = Booking(
            therapist=therapist,
            couple=couple,
            clinic=clinic,
            session_type=session_type,
            series=series,
            status=Booking.Status.CONFIRMED,
            format=format or session_type.format,
            booked_by=user,
            created_at=now,
        )
        _apply_times(booking, session_type, occ.starts_at)
        _save_guarded(booking)
        created.append(booking)
        signals.booking_confirmed.send(sender=Booking, booking=booking)
    _queue_booking_email([b.pk for b in created], "confirmed", user.pk, now=now)
    return series, occurrences


@transaction.atomic
def series_create_from_hold(
    *,
    user: User,
    hold: Booking,
    frequency: str,
    count: int,
    now: datetime,
    skip_conflicts: bool = False,
) -> tuple[BookingSeries, list[Occurrence]]:
    """Turn a held slot into the first session of a series, atomically.

    The hold gives way to the series inside the same transaction; if the series
    cannot be made, the rollback keeps the hold.
    """
    _require_partner(user, hold.couple)
    _lock(hold.therapist_id, hold.couple_id)
    hold = Booking.objects.select_related("therapist", "couple", "session_type").get(pk=hold.pk)
    if hold.status != Booking.Status.HELD:
        raise Conflict(_("This hold was already used or released."), code="hold_not_active")
    assert hold.session_type is not None  # holds are made from a session type
    Booking.objects.filter(pk=hold.pk).delete()
    return series_create(
        user=user,
        therapist=hold.therapist,
        couple=hold.couple,
        session_type=hold.session_type,
        first_start=hold.starts_at,
        frequency=frequency,
        now=now,
        count=count,
        skip_conflicts=skip_conflicts,
        format=hold.format,
    )
