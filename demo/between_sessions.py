"""Demo data for between sessions (called by ``seed_demo``; idempotent)."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Couple, User
from scheduling.models import Booking
from sessions_app.exercise_library import library_install
from sessions_app.models import ExerciseTemplate, Goal, HomeworkAssignment, JournalEntry
from sessions_app.services.attendance import session_close
from sessions_app.services.homework import homework_assign, homework_respond
from sessions_app.services.journal import goal_create, journal_write
from sessions_app.services.reminders import reminders_sync_for_booking


@transaction.atomic
def seed_between_sessions(*, couple: Couple, therapist: User, clinic) -> None:
    library_install(ExerciseTemplate)
    now = timezone.now()
    sam, aiko = couple.partners[0], couple.partners[1]
    past = (
        Booking.objects.filter(couple=couple, therapist=therapist, ends_at__lt=now)
        .exclude(status__in=[Booking.Status.CANCELLED, Booking.Status.LATE_CANCELLED])
        .order_by("-starts_at")
        .first()
    )
    if past is None:
        start = (now - timedelta(days=7)).replace(minute=0, second=0, microsecond=0)
        past = Booking.objects.create(
            therapist=therapist,
            couple=couple,
            clinic=clinic,
            starts_at=start,
            ends_at=start + timedelta(minutes=50),
            status=Booking.Status.COMPLETED,
            ended_at=start + timedelta(minutes=50),
            booked_by=sam,
        )
        session_close(booking=past, now=past.ends_at, ended_by_therapist=True)
    if not HomeworkAssignment.objects.filter(couple=couple).exists():
        log = homework_assign(
            therapist=therapist,
            couple=couple,
            booking=past,
            template=ExerciseTemplate.objects.get(clinic__isnull=True, slug="appreciation-log"),
            audience="both",
            due_at=now + timedelta(days=5),
            reveal_when_both_done=True,
            now=now,
        )
        homework_respond(
            user=sam,
            assignment=log,
            body="Aiko made coffee before my early call. Aiko remembered my sister's news.",
            visibility="shared",
            done=True,
            now=now,
        )
        homework_assign(
            therapist=therapist,
            couple=couple,
            booking=past,
            template=ExerciseTemplate.objects.get(
                clinic__isnull=True, slug="stress-reducing-conversation"
            ),
            audience="joint",
            due_at=now + timedelta(days=6),
            now=now,
        )
    if not Goal.objects.filter(couple=couple).exists():
        goal = goal_create(user=therapist, couple=couple, title="A weekly date night", now=now)
        goal.progress = 30
        goal.save()
        goal_create(user=aiko, couple=couple, title="Talk about money calmly", now=now)
    if not JournalEntry.objects.filter(couple=couple).exists():
        journal_write(
            user=aiko,
            couple=couple,
            kind="shared",
            body="Good walk on Sunday even with the time difference.",
            now=now,
        )
    for booking in Booking.objects.filter(
        couple=couple, status=Booking.Status.CONFIRMED, starts_at__gt=now
    ):
        reminders_sync_for_booking(booking=booking, now=now)
