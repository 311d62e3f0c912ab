"""Holds and bookings: create, confirm, list, reschedule, cancel."""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Status

from scheduling import selectors, services
from scheduling.api._helpers import (
    _aware,
    _booking_out,
    _couple_of,
    _session_type,
    _therapist,
    _visible_booking,
)
from scheduling.api.router import router
from scheduling.api.schemas import BookingIn, BookingOut, CancelIn, PolicyOut, RescheduleIn


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
