"""Scheduling JSON API (mounted at /api/scheduling). Thin: parse, call a service, shape.

Times are ISO 8601; instants are answered in UTC plus, where useful, the local
wall-clock time of the requested zone and of each partner.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Q
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from accounts.models import Couple, User
from config.errors import DomainError, Forbidden
from scheduling import selectors, services
from scheduling.models import Booking, BookingSeries, SessionType

router = Router(tags=["scheduling"])

MAX_RANGE_DAYS = 62


# --- schemas ----------------------------------------------------------------------------


class PartnerTime(Schema):
    user_id: int
    name: str
    time_zone: str
    local_start: str


class SlotOut(Schema):
    starts_at: datetime
    ends_at: datetime
    local_start: str
    local_end: str
    partners: list[PartnerTime]


class SlotsOut(Schema):
    therapist_id: int
    session_type_id: int
    time_zone: str
    start: date
    end: date
    slots: list[SlotOut]


class SessionTypeOut(Schema):
    id: int
    name: str
    length_minutes: int
    buffer_before_minutes: int
    buffer_after_minutes: int
    min_notice_minutes: int
    horizon_days: int
    step_minutes: int
    format: str


class BookableTherapistOut(Schema):
    id: int
    name: str
    time_zone: str
    headline: str
    clinic: str | None
    earliest_free_start: datetime | None
    session_types: list[SessionTypeOut]


class BookingIn(Schema):
    therapist_id: int
    session_type_id: int
    couple_id: int
    starts_at: datetime
    format: Booking.Format | None = None


class PolicyOut(Schema):
    late: bool
    fee: Decimal
    currency: str
    late_cancel_hours: int
    deadline: datetime


class BookingOut(Schema):
    id: int
    therapist_id: int
    therapist_name: str
    couple_id: int
    session_type_id: int | None
    series_id: int | None
    starts_at: datetime
    ends_at: datetime
    status: str
    format: str
    booked_by_id: int | None
    hold_expires_at: datetime | None
    late_cancel_fee: Decimal | None
    fee_currency: str
    where: str
    partners: list[PartnerTime]


class RescheduleIn(Schema):
    starts_at: datetime
    scope: str = Field("one", pattern="^(one|following)$")


class CancelIn(Schema):
    scope: str = Field("one", pattern="^(one|rest)$")


class SeriesIn(BookingIn):
    frequency: BookingSeries.Frequency
    count: int | None = Field(None, ge=1, le=services.MAX_SERIES)
    until: date | None = None
    skip_conflicts: bool = False


class OccurrenceOut(Schema):
    date: str
    starts_at: datetime | None
    ok: bool
    reason: str


class SeriesOut(Schema):
    id: int | None
    frequency: str
    occurrences: list[OccurrenceOut]
    bookings: list[BookingOut]


class RangeIn(Schema):
    start: time
    end: time


class WeeklyIn(Schema):
    weekly: dict[int, list[RangeIn]] = Field(
        ..., description="Weekday (0 = Monday) to wall-clock ranges in your own zone."
    )


class WeeklyOut(Schema):
    time_zone: str
    weekly: dict[int, list[RangeIn]]


# --- helpers -----------------------------------------------------------------------------


def _zone(name: str, field: str = "tz") -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise DomainError(
            f"Unknown time zone '{name}'.", code="invalid", status=422, field=field
        ) from None


def _aware(value: datetime, field: str) -> datetime:
    if value.tzinfo is None:
        raise DomainError(
            f"{field}: include a UTC offset (for example 2026-05-01T17:00:00Z).",
            code="invalid",
            status=422,
            field=field,
        )
    return value.astimezone(UTC)


def _therapist(pk: int) -> User:
    therapist = User.objects.filter(pk=pk, role=User.Role.THERAPIST).first()
    if therapist is None:
        raise DomainError("No such therapist.", code="not_found", status=404, field="therapist_id")
    return therapist


def _session_type(therapist: User, pk: int) -> SessionType:
    st = SessionType.objects.filter(pk=pk, therapist=therapist, is_active=True).first()
    if st is None:
        raise DomainError(
            "This therapist offers no such session type.",
            code="invalid",
            status=422,
            field="session_type_id",
        )
    return st


def _couple_of(user: User, couple_id: int) -> Couple:
    couple = Couple.objects.prefetch_related("memberships__user").filter(pk=couple_id).first()
    if couple is None or not any(p.pk == user.pk for p in couple.partners):
        raise Forbidden("You can only book for your own couple.", code="not_your_couple")
    return couple


def _partner_times(couple: Couple, start: datetime) -> list[dict]:
    return [
        {
            "user_id": p.pk,
            "name": p.name,
            "time_zone": p.time_zone,
            "local_start": start.astimezone(p.tz).isoformat(),
        }
        for p in couple.partners
    ]


def _booking_out(booking: Booking) -> dict:
    from scheduling.ics import office_address

    return {
        "id": booking.pk,
        "therapist_id": booking.therapist_id,
        "therapist_name": booking.therapist.full_name,
        "couple_id": booking.couple_id,
        "session_type_id": booking.session_type_id,
        "series_id": booking.series_id,
        "starts_at": booking.starts_at,
        "ends_at": booking.ends_at,
        "status": booking.status,
        "format": booking.format,
        "booked_by_id": booking.booked_by_id,
        "hold_expires_at": booking.hold_expires_at,
        "late_cancel_fee": booking.late_cancel_fee,
        "fee_currency": booking.fee_currency,
        "where": office_address(booking) if booking.format == "in_person" else "video",
        "partners": _partner_times(booking.couple, booking.starts_at),
    }


def _visible_booking(user: User, booking_id: int) -> Booking:
    booking = selectors.booking_visible_to(user, booking_id)
    if booking is None:
        raise DomainError("No such session.", code="not_found", status=404)
    return booking


def _weekly_in(data: WeeklyIn) -> dict[int, list[tuple[time, time]]]:
    out = {}
    for weekday, ranges in data.weekly.items():
        if not 0 <= weekday <= 6:
            raise DomainError(
                "Weekdays are 0 (Monday) to 6.", code="invalid", status=422, field="weekly"
            )
        out[weekday] = [(r.start, r.end) for r in ranges]
    return out


# --- therapists and slots -------------------------------------------------------------------


@router.get(
    "/therapists", response=list[BookableTherapistOut], summary="Search bookable therapists"
)
def therapist_search(request: HttpRequest, q: str = "", days: int = 14):
    from therapists.models import ClinicMembership

    now = timezone.now()
    days = min(max(days, 1), 60)
    active_ids = ClinicMembership.objects.filter(role="therapist", is_active=True).values("user_id")
    qs = User.objects.filter(role=User.Role.THERAPIST, is_active=True, pk__in=active_ids)
    if q:
        qs = qs.filter(
            Q(full_name__icontains=q)
            | Q(therapist_profile__headline__icontains=q)
            | Q(therapist_profile__bio__icontains=q)
        )
    therapists = list(qs.select_related("therapist_profile__clinic")[:100])
    earliest = selectors.earliest_free_start_by_therapist(
        [t.pk for t in therapists], now=now, days=days
    )
    types: dict[int, list] = {}
    for st in SessionType.objects.filter(therapist__in=therapists, is_active=True):
        types.setdefault(st.therapist_id, []).append(st)
    out = []
    for t in therapists:
        profile = getattr(t, "therapist_profile", None)
        out.append(
            {
                "id": t.pk,
                "name": t.full_name,
                "time_zone": t.time_zone,
                "headline": profile.headline if profile else "",
                "clinic": profile.clinic.name if profile and profile.clinic else None,
                "earliest_free_start": earliest.get(t.pk),
                "session_types": types.get(t.pk, []),
            }
        )
    out.sort(key=lambda r: (r["earliest_free_start"] is None, r["earliest_free_start"] or now))
    return out


@router.get("/slots", response=SlotsOut, summary="Free slots for a therapist and your couple")
def slots(
    request: HttpRequest,
    therapist_id: int,
    session_type_id: int,
    start: date,
    end: date,
    couple_id: int | None = None,
    tz: str | None = None,
):
    """Slots whose start falls on local dates ``start``..``end`` (inclusive) in ``tz``."""
    user = request.user
    zone_name = tz or user.time_zone
    zone = _zone(zone_name)
    now = timezone.now()
    therapist = _therapist(therapist_id)
    session_type = _session_type(therapist, session_type_id)
    if end < start:
        raise DomainError("end must not be before start.", code="invalid", status=422, field="end")
    if (end - start).days > MAX_RANGE_DAYS:
        raise DomainError(
            f"Ask for at most {MAX_RANGE_DAYS} days at a time.",
            code="invalid",
            status=422,
            field="end",
        )
    range_start = datetime.combine(start, time(0), tzinfo=zone).astimezone(UTC)
    range_end = datetime.combine(end + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    last_day = (now + timedelta(days=session_type.horizon_days)).astimezone(zone).date()
    if end > last_day:
        raise DomainError(
            f"Bookings open at most {session_type.horizon_days} days ahead "
            f"(the last date is {last_day:%Y-%m-%d}).",
            code="beyond_horizon",
            status=422,
            field="end",
        )
    couple = _couple_of(user, couple_id) if couple_id else selectors_active_couple(user)
    found = selectors.available_slots(
        therapist=therapist,
        couple=couple,
        session_type=session_type,
        start=range_start,
        end=range_end,
        now=now,
    )
    partners = [(p.pk, p.name, p.time_zone, p.tz) for p in (couple.partners if couple else [])]
    # Built by hand (the shape is SlotsOut): hundreds of slots through pydantic
    # validation cost more than computing them.
    body = {
        "therapist_id": therapist.pk,
        "session_type_id": session_type.pk,
        "time_zone": zone_name,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "slots": [
            {
                "starts_at": s.isoformat(),
                "ends_at": e.isoformat(),
                "local_start": s.astimezone(zone).isoformat(),
                "local_end": e.astimezone(zone).isoformat(),
                "partners": [
                    {
                        "user_id": pk,
                        "name": name,
                        "time_zone": tz_name,
                        "local_start": s.astimezone(ptz).isoformat(),
                    }
                    for pk, name, tz_name, ptz in partners
                ],
            }
            for s, e in found
        ],
    }
    return JsonResponse(body)


def selectors_active_couple(user: User) -> Couple | None:
    from accounts.selectors import active_couple_for

    return active_couple_for(user)


@router.get(
    "/therapists/{therapist_id}/session-types",
    response=list[SessionTypeOut],
    summary="A therapist's session types",
)
def session_types(request: HttpRequest, therapist_id: int):
    return selectors.session_types_for(_therapist(therapist_id))


# --- holds and bookings -------------------------------------------------------------------------


def _booking_args(request: HttpRequest, payload: BookingIn) -> dict:
    therapist = _therapist(payload.therapist_id)
    return {
        "user": request.user,
        "therapist": therapist,
        "couple": _couple_of(request.user, payload.couple_id),
        "session_type": _session_type(therapist, payload.session_type_id),
        "starts_at": _aware(payload.starts_at, "starts_at"),
        "now": timezone.now(),
        "format": payload.format,
    }


@router.post("/holds", response={201: BookingOut}, summary="Hold a slot for a few minutes")
def hold_create(request: HttpRequest, payload: BookingIn):
    return Status(201, _booking_out(services.booking_hold(**_booking_args(request, payload))))


@router.post("/holds/{booking_id}/confirm", response=BookingOut, summary="Confirm a hold")
def hold_confirm(request: HttpRequest, booking_id: int):
    booking = _visible_booking(request.user, booking_id)
    return _booking_out(
        services.booking_confirm(user=request.user, booking=booking, now=timezone.now())
    )


@router.delete("/holds/{booking_id}", response={204: None}, summary="Release a hold")
def hold_delete(request: HttpRequest, booking_id: int):
    booking = _visible_booking(request.user, booking_id)
    services.hold_release(user=request.user, booking=booking)
    return Status(204, None)


@router.post("/bookings", response={201: BookingOut}, summary="Book a slot")
def booking_create(request: HttpRequest, payload: BookingIn):
    return Status(201, _booking_out(services.booking_create(**_booking_args(request, payload))))


@router.get("/bookings", response=list[BookingOut], summary="Your sessions")
def booking_list(request: HttpRequest):
    return [
        _booking_out(b) for b in selectors.bookings_visible_to(request.user, now=timezone.now())
    ]


@router.get("/bookings/{booking_id}", response=BookingOut, summary="One session")
def booking_get(request: HttpRequest, booking_id: int):
    return _booking_out(_visible_booking(request.user, booking_id))


@router.get(
    "/bookings/{booking_id}/cancellation",
    response=PolicyOut,
    summary="What cancelling or moving now would cost (shown before confirming)",
)
def booking_policy(request: HttpRequest, booking_id: int):
    booking = _visible_booking(request.user, booking_id)
    terms = services.cancellation_terms(booking, user=request.user, now=timezone.now())
    return {
        "late": terms.late,
        "fee": terms.fee if terms.late else Decimal("0"),
        "currency": terms.currency,
        "late_cancel_hours": terms.late_cancel_hours,
        "deadline": terms.deadline,
    }


@router.post("/bookings/{booking_id}/reschedule", response=BookingOut, summary="Move a session")
def booking_reschedule(request: HttpRequest, booking_id: int, payload: RescheduleIn):
    booking = _visible_booking(request.user, booking_id)
    moved = services.booking_reschedule(
        user=request.user,
        booking=booking,
        starts_at=_aware(payload.starts_at, "starts_at"),
        now=timezone.now(),
        scope=payload.scope,
    )
    return _booking_out(selectors.booking_visible_to(request.user, moved.pk))


@router.post("/bookings/{booking_id}/cancel", response=list[BookingOut], summary="Cancel a session")
def booking_cancel(request: HttpRequest, booking_id: int, payload: CancelIn):
    booking = _visible_booking(request.user, booking_id)
    done = services.booking_cancel(
        user=request.user, booking=booking, now=timezone.now(), scope=payload.scope
    )
    return [_booking_out(selectors.booking_visible_to(request.user, b.pk)) for b in done]


# --- series ------------------------------------------------------------------------------------


def _series_args(request: HttpRequest, payload: SeriesIn) -> dict:
    args = _booking_args(request, payload)
    args.pop("format")
    args["first_start"] = args.pop("starts_at")
    if payload.count is None and payload.until is None:
        raise DomainError("Give count or until.", code="invalid", status=422, field="count")
    args.update(frequency=payload.frequency, count=payload.count, until=payload.until)
    return args


def _occ_out(occurrences) -> list[dict]:
    return [
        {"date": o.local_date, "starts_at": o.starts_at, "ok": o.ok, "reason": o.reason}
        for o in occurrences
    ]


@router.post(
    "/series/preview", response=SeriesOut, summary="Check a recurring series before booking it"
)
def series_preview(request: HttpRequest, payload: SeriesIn):
    occurrences = services.series_preview(**_series_args(request, payload))
    return {
        "id": None,
        "frequency": payload.frequency,
        "occurrences": _occ_out(occurrences),
        "bookings": [],
    }


@router.post("/series", response={201: SeriesOut}, summary="Book a recurring series")
def series_create(request: HttpRequest, payload: SeriesIn):
    series, occurrences = services.series_create(
        **_series_args(request, payload),
        skip_conflicts=payload.skip_conflicts,
        format=payload.format,
    )
    bookings = [selectors.booking_visible_to(request.user, b.pk) for b in series.bookings.all()]
    return Status(
        201,
        {
            "id": series.pk,
            "frequency": series.frequency,
            "occurrences": _occ_out(occurrences),
            "bookings": [_booking_out(b) for b in bookings],
        },
    )


@router.get("/series/{series_id}", response=SeriesOut, summary="A series and its sessions")
def series_get(request: HttpRequest, series_id: int):
    series = get_object_or_404(BookingSeries, pk=series_id)
    bookings = [selectors.booking_visible_to(request.user, b.pk) for b in series.bookings.all()]
    if not bookings or any(b is None for b in bookings):
        raise DomainError("No such series.", code="not_found", status=404)
    return {
        "id": series.pk,
        "frequency": series.frequency,
        "occurrences": [],
        "bookings": [_booking_out(b) for b in bookings],
    }


# --- availability ----------------------------------------------------------------------------


def _weekly_out(user: User, rows) -> dict:
    weekly: dict[int, list] = {}
    for row in rows:
        weekly.setdefault(row.weekday, []).append({"start": row.start_time, "end": row.end_time})
    return {"time_zone": user.time_zone, "weekly": weekly}


@router.get("/availability", response=WeeklyOut, summary="Your weekly working hours (therapists)")
def availability_get(request: HttpRequest):
    if not request.user.is_therapist:
        raise Forbidden("Only therapists have working hours.", code="forbidden")
    return _weekly_out(request.user, request.user.working_hours.all())


@router.put("/availability", response=WeeklyOut, summary="Replace your weekly working hours")
def availability_put(request: HttpRequest, payload: WeeklyIn):
    services.working_hours_set(therapist=request.user, weekly=_weekly_in(payload))
    return _weekly_out(request.user, request.user.working_hours.all())


@router.get("/windows", response=WeeklyOut, summary="Your attendance windows (partners)")
def windows_get(request: HttpRequest):
    return _weekly_out(request.user, request.user.attendance_windows.all())


@router.put("/windows", response=WeeklyOut, summary="Replace your attendance windows")
def windows_put(request: HttpRequest, payload: WeeklyIn):
    services.attendance_windows_set(user=request.user, weekly=_weekly_in(payload))
    return _weekly_out(request.user, request.user.attendance_windows.all())
