"""What is due when: session numbers, the clinic's measure plan, the instruments asked."""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime

from accounts.models import Couple, User
from measures import instruments
from measures.instruments import Instrument
from measures.models import MeasurePlan, MeasureResponse, Moment, When
from measures.selectors.access import audited
from scheduling.models import Booking
from scheduling.selectors import clinic_of
from therapists.models import Clinic
from therapists.selectors import clinic_of_care

HELD = (Booking.Status.CONFIRMED, Booking.Status.COMPLETED)


def session_number(booking: Booking) -> int:
    """The couple's n-th session with this therapist (cancelled ones do not count)."""
    return session_numbers([booking])[booking.pk]


def plan_for_clinic(clinic: Clinic | None) -> MeasurePlan:
    """The clinic's plan, or the defaults (unsaved) until an admin changes them."""
    if clinic is not None:
        plan = MeasurePlan.objects.filter(clinic=clinic).first()
        if plan is not None:
            return plan
    return MeasurePlan(clinic=clinic)


def plan_for_booking(booking: Booking) -> MeasurePlan:
    return plan_for_clinic(booking.clinic or clinic_of(booking.therapist))


def plan_for_couple(couple: Couple, therapist: User) -> MeasurePlan:
    return plan_for_clinic(clinic_of_care(therapist, couple) or clinic_of(therapist))


def instruments_due(
    plan: MeasurePlan,
    number: int,
    moment: str,
    *,
    intake_answered_elsewhere: Callable[[str], bool] | None = None,
) -> list[Instrument]:
    """The rule itself, on what the callers loaded: the clinic's plan, the session's
    number for the couple, and (for one partner) whether they answered an intake
    instrument at another session. ``None`` asks for the couple as a whole."""
    due = []
    for slug, instrument in instruments.CURRENT.items():
        rule = plan.schedule.get(slug) or {"when": When.OFF}
        when, every = rule.get("when"), rule.get("every") or 1
        if moment == Moment.AFTER:
            if when == When.AFTER:
                due.append(instrument)
            continue
        if when == When.BEFORE or (when == When.EVERY_N and (number - 1) % every == 0):
            due.append(instrument)
        elif when == When.INTAKE:
            if intake_answered_elsewhere is None:
                if number == 1:
                    due.append(instrument)
            elif not intake_answered_elsewhere(slug):
                due.append(instrument)
    return due


def due_instruments(booking: Booking, moment: str, *, user: User | None = None) -> list[Instrument]:
    """Instruments the clinic asks at this session and moment, in form order.

    Intake is asked before the first session a partner checks in for (not only session
    1: a partner who joins later, or skipped the first check-in, still gets it once).
    Every N sessions counts from the first: sessions 1, 1+N, 1+2N...
    """

    def answered_elsewhere(slug: str) -> bool:
        return (
            MeasureResponse.objects.filter(user=user, couple_id=booking.couple_id, instrument=slug)
            .exclude(booking=booking)
            .exists()
        )

    return instruments_due(
        plan_for_booking(booking),
        session_number(booking),
        moment,
        intake_answered_elsewhere=None if user is None else answered_elsewhere,
    )


def session_numbers(bookings: Iterable[Booking]) -> dict[int, int]:
    """Each booking's number among the couple's held sessions with that therapist
    (cancelled ones do not count), for many bookings in one query: booking id to number."""
    bookings = list(bookings)
    pairs = {(b.couple_id, b.therapist_id) for b in bookings}
    starts: dict[tuple[int, int], list[datetime]] = defaultdict(list)
    held = Booking.objects.filter(
        couple_id__in={c for c, _ in pairs},
        therapist_id__in={t for _, t in pairs},
        status__in=HELD,
    ).order_by("starts_at")
    for couple_id, therapist_id, starts_at in held.values_list(
        "couple_id", "therapist_id", "starts_at"
    ):
        starts[(couple_id, therapist_id)].append(starts_at)
    return {
        b.pk: bisect_left(starts[(b.couple_id, b.therapist_id)], b.starts_at) + 1 for b in bookings
    }


def own_answers_for(user: User, booking: Booking, moment: str) -> dict[str, dict[str, int]]:
    """A partner's earlier answers at this session and moment (to prefill a form)."""
    rows = list(MeasureResponse.objects.filter(user=user, booking=booking, moment=moment))
    return {r.instrument: r.answers for r in audited(user, rows)}
