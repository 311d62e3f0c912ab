"""Demo outcome and alliance answers (called by ``seed_demo``; idempotent).

Sam's wellbeing improves reliably; Aiko's session feedback slips in the latest sessions,
so the therapist's couple page and preparation card show an alliance split."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction

from accounts.models import Couple, User
from measures import instruments
from measures.models import MeasureResponse, Moment
from measures.selectors import due_instruments, session_number
from measures.services import measure_record
from scheduling.models import Booking

# Per held session (oldest first): wellbeing item value, alliance item value.
SAM = [(4, 9), (5, 9), (5, 10), (6, 9), (7, 10), (7, 10)]
AIKO = [(5, 10), (5, 9), (6, 9), (6, 8), (6, 8), (6, 7)]


def _answers(slug: str, value: int) -> dict[str, int]:
    items = instruments.CURRENT[slug].items
    out = {i.key: min(value, max(v for v, _ in i.options)) for i in items}
    if slug == "phq9":
        out["q9"] = 0
    return out


@transaction.atomic
def seed_measures(*, couple: Couple, therapist: User) -> None:
    if MeasureResponse.objects.filter(couple=couple).exists():
        return
    held = list(
        Booking.objects.filter(
            couple=couple, therapist=therapist, status=Booking.Status.COMPLETED
        ).order_by("starts_at")
    )[-6:]
    sam, aiko = couple.partners[0], couple.partners[1]
    for booking, s, a in zip(held, SAM, AIKO, strict=False):
        number = session_number(booking)
        for user, (wellbeing, alliance) in ((sam, s), (aiko, a)):
            for inst in due_instruments(booking, Moment.BEFORE, user=user):
                value = wellbeing if inst.slug == "wellbeing" else {"csi4": 3}.get(inst.slug, 1)
                measure_record(
                    user=user,
                    booking=booking,
                    moment=Moment.BEFORE,
                    instrument=inst,
                    answers=_answers(inst.slug, value),
                    session=number,
                    now=booking.starts_at - timedelta(hours=3),
                )
            measure_record(
                user=user,
                booking=booking,
                moment=Moment.AFTER,
                instrument=instruments.CURRENT["alliance"],
                answers=_answers("alliance", alliance),
                session=number,
                now=booking.ends_at + timedelta(hours=1),
            )
