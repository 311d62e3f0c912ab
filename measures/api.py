"""JSON API for measures. Same selectors and the same privacy rule as the pages: an answer
is read by the partner who gave it and by the couple's therapist, never the other partner."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from accounts.selectors import is_partner
from measures import instruments
from measures.instruments import Instrument
from measures.models import MeasureResponse
from measures.selectors import (
    Series,
    clinic_for_admin,
    couple_for_therapist,
    couple_measures,
    due_instruments,
    figures_for_viewer,
    own_answers,
    own_series,
    plan_for_clinic,
    response_for,
)
from measures.services import measure_plan_update, measures_answer
from scheduling.models import Booking

router = Router(tags=["measures"])


class OptionOut(Schema):
    value: int
    label: str


class ItemOut(Schema):
    key: str
    text: str
    options: list[OptionOut]


class InstrumentOut(Schema):
    id: str
    version: int
    name: str
    short_name: str
    kind: str
    stem: str
    items: list[ItemOut]
    min_total: int
    max_total: int
    better: str
    cutoff: float
    reliable_change: int
    source: str
    notes: str


class AnswerOut(Schema):
    id: UUID
    user_id: int
    instrument: str
    version: int
    moment: str
    session_number: int
    booking_id: int | None
    answers: dict[str, int]
    total: int | None
    answered_at: datetime


class AnswersIn(Schema):
    moment: Literal["before", "after"]
    answers: dict[str, dict[str, int]]


class PointOut(Schema):
    response_id: UUID
    session_number: int
    moment: str
    total: int
    version: int
    change: str
    in_range: bool


class SeriesOut(Schema):
    instrument: str
    change: str
    reading: str
    points: list[PointOut]


class PartnerSeriesOut(Schema):
    user_id: int
    name: str
    series: list[SeriesOut]


class FlagOut(Schema):
    kind: str
    title: str
    detail: str
    user_id: int | None


class CoupleOut(Schema):
    couple_id: int
    partners: list[PartnerSeriesOut]
    flags: list[FlagOut]


class RuleIO(Schema):
    when: Literal["intake", "before", "after", "every_n", "off"]
    every: int = 1


class PlanIO(Schema):
    schedule: dict[str, RuleIO]
    split_gap: int = 6
    on_track_by: int = 4


class FiguresOut(Schema):
    label: str
    couples: int
    improved: int
    measurable: int
    improved_pct: int | None
    split: int
    split_pairs: int
    split_pct: int | None
    answered: int
    due: int
    completion_pct: int | None
    dropouts: int
    dropout_pct: int | None


class ClinicFiguresOut(Schema):
    clinic_id: int
    since: datetime
    total: FiguresOut
    therapists: list[FiguresOut]


def _instrument_out(i: Instrument) -> dict:
    return {
        "id": i.slug,
        "version": i.version,
        "name": str(i.name),
        "short_name": str(i.short_name),
        "kind": i.kind,
        "stem": str(i.stem),
        "items": [
            {
                "key": it.key,
                "text": str(it.text),
                "options": [{"value": v, "label": str(lbl)} for v, lbl in it.options],
            }
            for it in i.items
        ],
        "min_total": i.min_total,
        "max_total": i.max_total,
        "better": i.better,
        "cutoff": i.cutoff,
        "reliable_change": i.reliable_change,
        "source": i.source,
        "notes": str(i.notes),
    }


def _answer_out(r: MeasureResponse) -> dict:
    return {
        "id": r.pk,
        "user_id": r.user_id,
        "instrument": r.instrument,
        "version": r.version,
        "moment": r.moment,
        "session_number": r.session_number,
        "booking_id": r.booking_id,
        "answers": r.answers,
        "total": r.total,
        "answered_at": r.answered_at,
    }


def _series_out(s: Series, *, own: bool) -> dict:
    return {
        "instrument": s.instrument.slug,
        "change": s.change,
        "reading": s.reading(own=own),
        "points": [p.__dict__ for p in s.points],
    }


def _partner_booking(request: HttpRequest, booking_id: int) -> Booking:
    booking = Booking.objects.filter(pk=booking_id).first()
    if booking is None or not is_partner(request.user, booking.couple_id):
        raise Http404
    return booking


@router.get("/instruments", response=list[InstrumentOut], summary="The questionnaires asked today")
def instrument_list(request: HttpRequest):
    return [_instrument_out(i) for i in instruments.CURRENT.values()]


@router.get(
    "/bookings/{booking_id}/due",
    response=list[InstrumentOut],
    summary="What you are asked at a session ('before' = check-in, 'after' = reflection)",
)
def due(request: HttpRequest, booking_id: int, moment: Literal["before", "after"] = "before"):
    booking = _partner_booking(request, booking_id)
    return [_instrument_out(i) for i in due_instruments(booking, moment, user=request.user)]


@router.post(
    "/bookings/{booking_id}/answers",
    response={201: list[AnswerOut]},
    summary="Answer the questionnaires due at a session (your answers only)",
)
def answer(request: HttpRequest, booking_id: int, payload: AnswersIn):
    booking = _partner_booking(request, booking_id)
    saved = measures_answer(
        user=request.user,
        booking=booking,
        moment=payload.moment,
        answers=payload.answers,
        now=timezone.now(),
    )
    return Status(201, [_answer_out(r) for r in saved])


@router.get("/mine", response=list[AnswerOut], summary="Every answer you gave")
def mine(request: HttpRequest):
    return [_answer_out(r) for r in own_answers(request.user)]


@router.get("/mine/trends", response=list[SeriesOut], summary="Your own trends, in plain words")
def mine_trends(request: HttpRequest):
    return [_series_out(s, own=True) for s in own_series(request.user)]


@router.get(
    "/answers/{answer_id}", response=AnswerOut, summary="One answer (yours, or your client's)"
)
def answer_detail(request: HttpRequest, answer_id: UUID):
    return _answer_out(response_for(request.user, answer_id))


@router.get(
    "/couples/{couple_id}",
    response=CoupleOut,
    summary="Therapist: both partners' trends and the flags for a couple",
)
def couple(request: HttpRequest, couple_id: int):
    found = couple_for_therapist(request.user, couple_id)
    view = couple_measures(request.user, found)
    return {
        "couple_id": found.pk,
        "partners": [
            {
                "user_id": p.pk,
                "name": p.name,
                "series": [_series_out(s, own=False) for s in view.by_partner[p.pk]],
            }
            for p in view.partners
        ],
        "flags": [
            {**f.__dict__, "title": str(f.title), "detail": str(f.detail)} for f in view.flags
        ],
    }


def _plan_out(plan) -> dict:
    return {"schedule": plan.schedule, "split_gap": plan.split_gap, "on_track_by": plan.on_track_by}


@router.get(
    "/clinics/{clinic_id}/plan", response=PlanIO, summary="Admin: when each questionnaire is asked"
)
def plan_get(request: HttpRequest, clinic_id: int):
    return _plan_out(plan_for_clinic(clinic_for_admin(request.user, clinic_id)))


@router.put("/clinics/{clinic_id}/plan", response=PlanIO, summary="Admin: change the plan")
def plan_put(request: HttpRequest, clinic_id: int, payload: PlanIO):
    clinic = clinic_for_admin(request.user, clinic_id)
    plan = measure_plan_update(
        user=request.user,
        clinic=clinic,
        schedule={k: v.dict() for k, v in payload.schedule.items()},
        split_gap=payload.split_gap,
        on_track_by=payload.on_track_by,
        now=timezone.now(),
    )
    return _plan_out(plan)


@router.get(
    "/clinics/{clinic_id}/figures",
    response=ClinicFiguresOut,
    summary="12-week outcome figures per therapist (admins: all; therapists: their own)",
)
def figures(request: HttpRequest, clinic_id: int):
    result = figures_for_viewer(request.user, clinic_id, now=timezone.now())

    def out(f) -> dict:
        return {
            name: getattr(f, name)
            for name in FiguresOut.model_fields  # type: ignore[attr-defined]
        }

    return {
        "clinic_id": result.clinic.pk,
        "since": result.since,
        "total": out(result.total),
        "therapists": [out(f) for f in result.therapists],
    }
