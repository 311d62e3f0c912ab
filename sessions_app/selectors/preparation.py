"""What a therapist looks at before a session: one session in full, or the week ahead."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from accounts.models import User
from scheduling.models import Booking
from sessions_app.models import CheckIn, Goal, HomeworkAssignment, Reflection
from sessions_app.selectors.checkins import check_ins_for_therapist, reflections_for_therapist
from sessions_app.selectors.homework import (
    HomeworkView,
    homework_for_couple,
    homework_views,
    with_responses,
)
from sessions_app.selectors.journal import goals_for, therapist_may_read_journal


@dataclass
class Preparation:
    booking: Booking
    check_ins: list[CheckIn]
    homework: list[HomeworkView]
    goals: list[Goal]
    reflections: list[Reflection]
    journal_shared: bool
    concerning: list[CheckIn] = field(default_factory=list)

    @property
    def concerning_names(self) -> str:
        """Who raised a safety concern, for one translatable sentence."""
        return ", ".join(c.user.name for c in self.concerning)


def preparation_for(therapist: User, booking: Booking) -> Preparation:
    couple = booking.couple
    check_ins = check_ins_for_therapist(therapist, booking)
    return Preparation(
        booking=booking,
        check_ins=check_ins,
        homework=homework_for_couple(couple, therapist),
        goals=goals_for(couple),
        reflections=reflections_for_therapist(therapist, couple),
        journal_shared=therapist_may_read_journal(couple, therapist),
        concerning=[c for c in check_ins if c.is_concerning],
    )


@dataclass
class UpcomingPrep:
    booking: Booking
    check_ins_done: int
    partners: int
    homework_done: int
    homework_total: int
    needs_attention: bool


def upcoming_preparation(therapist: User, *, now: datetime, days: int = 7) -> list[UpcomingPrep]:
    """The therapist's next sessions with what to look at first (for the dashboard), in
    the same few queries however many sessions and homework there are."""
    bookings = list(
        Booking.objects.filter(
            therapist=therapist,
            status=Booking.Status.CONFIRMED,
            ended_at__isnull=True,
            ends_at__gt=now,
            starts_at__lt=now + timedelta(days=days),
        )
        .select_related("couple")
        .prefetch_related("couple__memberships__user", "check_ins")
        .order_by("starts_at")[:10]
    )
    assignments = with_responses(
        HomeworkAssignment.objects.filter(
            couple_id__in={b.couple_id for b in bookings},
            therapist=therapist,
            cancelled_at__isnull=True,
        ).order_by("due_at")
    )
    homework_by_couple: dict[int, list[HomeworkView]] = defaultdict(list)
    for view in homework_views(assignments, therapist):
        homework_by_couple[view.assignment.couple_id].append(view)
    out = []
    for booking in bookings:
        check_ins = list(booking.check_ins.all())
        homework = homework_by_couple[booking.couple_id]
        pairs = [(p.done_at is not None) for hw in homework for p in hw.progress]
        out.append(
            UpcomingPrep(
                booking=booking,
                check_ins_done=len(check_ins),
                partners=len(booking.couple.partners),
                homework_done=sum(pairs),
                homework_total=len(pairs),
                needs_attention=any(c.is_concerning for c in check_ins),
            )
        )
    return out
