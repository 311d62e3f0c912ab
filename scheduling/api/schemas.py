"""Request and response shapes of the scheduling API."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from ninja import Field, Schema

from scheduling import services
from scheduling.models import Booking, BookingSeries


class PartnerTime(Schema):
    user_id: int
    name: str
    time_zone: str
    local_start: str


class SlotOut(Schema):
    starts_at: datetime = Field(description="UTC.")
    ends_at: datetime = Field(description="UTC.")
    local_start: str | None = Field(None, description="Only with local=true: in time_zone.")
    local_end: str | None = Field(None, description="Only with local=true: in time_zone.")
    partners: list[PartnerTime] | None = Field(
        None, description="Only with local=true: each partner's local start."
    )


class PartnerZone(Schema):
    user_id: int
    name: str
    time_zone: str = Field(description="IANA zone: show each slot in it on the client.")


class SlotsOut(Schema):
    therapist_id: int
    session_type_id: int
    time_zone: str
    start: date
    end: date
    partners: list[PartnerZone]
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
