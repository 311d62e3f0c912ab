"""Recurring series: preview and book."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Status

from core.errors import DomainError
from scheduling import selectors, services
from scheduling.api._helpers import _booking_out, _in_calendar
from scheduling.api.bookings import _booking_args
from scheduling.api.router import router
from scheduling.api.schemas import SeriesIn, SeriesOut
from scheduling.models import BookingSeries


def _series_args(request: HttpRequest, payload: SeriesIn) -> dict:
    args = _booking_args(request, payload)
    args.pop("format")
    args["first_start"] = args.pop("starts_at")
    if payload.count is None and payload.until is None:
        raise DomainError(_("Give count or until."), code="invalid", status=422, field="count")
    if payload.until is not None:
        _in_calendar(payload.until, "until")
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
        raise DomainError(_("No such series."), code="not_found", status=404)
    return {
        "id": series.pk,
        "frequency": series.frequency,
        "occurrences": [],
        "bookings": [_booking_out(b) for b in bookings],
    }
