"""Reads for everything between sessions. Every read of health data goes through a
function here that takes the viewer and applies the privacy rules (the audit log
hooks in here too)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Avg

from accounts.models import Couple, User
from core.audit import audit_read
from scheduling.models import Booking
from sessions_app.models import (
    CheckIn,
    Goal,
    HomeworkAssignment,
    HomeworkResponse,
    JournalConsent,
    JournalEntry,
    Notification,
    Reflection,
    ReminderPreference,
)
from sessions_app.services.reminders import preference_for

Audience = HomeworkAssignment.Audience
Visibility = HomeworkResponse.Visibility


# --- Notifications ---------------------------------------------------------------------


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notifications_for(user: User, *, limit: int = 50) -> list[Notification]:
    return list(Notification.objects.filter(user=user)[:limit])


def reminder_preference(user: User) -> ReminderPreference:
    return preference_for(user)


# --- Homework ------------------------------------------------------------------------------


@dataclass
class PersonProgress:
    user: User
    done_at: datetime | None
    is_viewer: bool


@dataclass
class VisibleResponse:
    author: User
    body: str
    visibility: str
    done_at: datetime | None


@dataclass
class HomeworkView:
    assignment: HomeworkAssignment
    progress: list[PersonProgress]
    responses: list[VisibleResponse]
    mine: HomeworkResponse | None
    can_respond: bool
    hidden_note: str = ""
    is_done_for_viewer: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def all_done(self) -> bool:
        return all(p.done_at for p in self.progress)


def _required(assignment: HomeworkAssignment, partners: list[User]) -> list[User]:
    if assignment.audience == Audience.ONE:
        return [p for p in partners if p.pk == assignment.assignee_id]
    return partners


def _all_done(assignment: HomeworkAssignment, done: dict[int, HomeworkResponse], partners) -> bool:
    required = _required(assignment, partners)
    if assignment.audience == Audience.JOINT:
        return bool(done)
    return bool(required) and all(p.pk in done for p in required)


def response_readable_by(
    response: HomeworkResponse, viewer: User, assignment: HomeworkAssignment, all_done: bool
) -> bool:
    """The single rule for who reads a homework answer."""
    if response.user_id == viewer.pk or assignment.therapist_id == viewer.pk:
        return True
    if response.visibility != Visibility.SHARED:
        return False
    if assignment.reveal_when_both_done and not all_done:
        return False
    return viewer.is_client and response.user_id != viewer.pk


def assignment_visible_to(
    assignment: HomeworkAssignment, viewer: User, partners: list[User]
) -> bool:
    if assignment.therapist_id == viewer.pk:
        return True
    if viewer.pk not in {p.pk for p in partners}:
        return False
    return assignment.audience != Audience.ONE or assignment.assignee_id == viewer.pk


def homework_view(assignment: HomeworkAssignment, viewer: User) -> HomeworkView | None:
    """What ``viewer`` may see of one assignment, or None if nothing at all."""
    partners = assignment.couple.partners
    if not assignment_visible_to(assignment, viewer, partners):
        return None
    responses = list(assignment.responses.select_related("user"))
    done = {r.user_id: r for r in responses if r.done_at}
    all_done = _all_done(assignment, done, partners)
    if assignment.audience == Audience.JOINT:
        joint_done = min((r.done_at for r in done.values()), default=None)
        progress = [PersonProgress(p, joint_done, p.pk == viewer.pk) for p in partners]
    else:
        progress = [
            PersonProgress(p, done[p.pk].done_at if p.pk in done else None, p.pk == viewer.pk)
            for p in _required(assignment, partners)
        ]
    readable = [
        r
        for r in responses
        if (r.body or r.done_at) and response_readable_by(r, viewer, assignment, all_done)
    ]
    _audited(viewer, [r for r in readable if r.body])
    visible = [VisibleResponse(r.user, r.body, r.visibility, r.done_at) for r in readable]
    hidden_note = ""
    if viewer.is_client:
        hidden = [
            r
            for r in responses
            if r.user_id != viewer.pk
            and r.body
            and not response_readable_by(r, viewer, assignment, all_done)
        ]
        if hidden:
            private = any(r.visibility == Visibility.PRIVATE for r in hidden)
            hidden_note = (
                "Your partner's answer is private to your therapist."
                if private
                else "Your partner's answer is revealed when you have both finished."
            )
    mine = next((r for r in responses if r.user_id == viewer.pk), None)
    can_respond = (
        viewer.is_client
        and assignment.cancelled_at is None
        and (assignment.audience != Audience.ONE or assignment.assignee_id == viewer.pk)
    )
    viewer_done = any(p.is_viewer and p.done_at for p in progress)
    return HomeworkView(
        assignment=assignment,
        progress=progress,
        responses=visible,
        mine=mine,
        can_respond=can_respond,
        hidden_note=hidden_note,
        is_done_for_viewer=viewer_done,
    )


def homework_for_couple(couple: Couple, viewer: User, *, include_cancelled: bool = False):
    qs = HomeworkAssignment.objects.filter(couple=couple).select_related("therapist", "assignee")
    if not include_cancelled:
        qs = qs.filter(cancelled_at__isnull=True)
    if viewer.is_therapist:
        qs = qs.filter(therapist=viewer)
    views = [
        homework_view(a, viewer)
        for a in qs.order_by("due_at").prefetch_related("couple__memberships__user")
    ]
    return [v for v in views if v is not None]


def open_homework_for_partner(couple: Couple, viewer: User) -> list[HomeworkView]:
    return [v for v in homework_for_couple(couple, viewer) if not v.is_done_for_viewer]


# --- Check-ins and reflections ------------------------------------------------------------


def _audited(viewer: User, found):
    """Record each health-data object handed to ``viewer`` in the audit log (no content)."""
    if found:
        audit_read(None, list(found) if isinstance(found, list) else found, actor=viewer)
    return found


def own_check_in(user: User, booking: Booking) -> CheckIn | None:
    return _audited(user, CheckIn.objects.filter(booking=booking, user=user).first())


def check_ins_for_therapist(therapist: User, booking: Booking) -> list[CheckIn]:
    if booking.therapist_id != therapist.pk:
        return []
    return _audited(therapist, list(CheckIn.objects.filter(booking=booking).select_related("user")))


def own_reflection(user: User, booking: Booking) -> Reflection | None:
    return _audited(user, Reflection.objects.filter(booking=booking, user=user).first())


def reflections_due_for(user: User, couple: Couple, *, now: datetime) -> list[Booking]:
    """Sessions in the last two weeks that are over and this partner has not reflected on."""
    return list(
        Booking.objects.filter(
            couple=couple,
            closure__isnull=False,
            starts_at__gte=now - timedelta(days=14),
            status__in=(Booking.Status.CONFIRMED, Booking.Status.COMPLETED),
        )
        .exclude(reflections__user=user)
        .select_related("therapist")
        .order_by("-starts_at")
    )


def reflections_for_therapist(therapist: User, couple: Couple, *, limit: int = 6):
    return _audited(
        therapist,
        list(
            Reflection.objects.filter(booking__therapist=therapist, booking__couple=couple)
            .select_related("user", "booking")
            .order_by("-submitted_at")[:limit]
        ),
    )


def average_rating_for_therapist(therapist: User) -> float | None:
    return Reflection.objects.filter(booking__therapist=therapist).aggregate(a=Avg("rating"))["a"]


def upcoming_check_in_bookings(couple: Couple, *, now: datetime, limit: int = 3) -> list[Booking]:
    return list(
        Booking.objects.filter(
            couple=couple,
            status=Booking.Status.CONFIRMED,
            ends_at__gt=now,
            ended_at__isnull=True,
        )
        .select_related("therapist")
        .order_by("starts_at")[:limit]
    )


# --- Journal and goals -------------------------------------------------------------------


def therapist_may_read_journal(couple: Couple) -> bool:
    partners = couple.partners
    if not partners:
        return False
    allowed = set(
        JournalConsent.objects.filter(
            couple=couple, therapist_can_read=True, user__in=partners
        ).values_list("user_id", flat=True)
    )
    return all(p.pk in allowed for p in partners)


def consent_of(user: User, couple: Couple) -> bool:
    return JournalConsent.objects.filter(couple=couple, user=user, therapist_can_read=True).exists()


def journal_for_partner(user: User, couple: Couple) -> dict[str, list[JournalEntry]]:
    entries = JournalEntry.objects.filter(couple=couple).select_related("author")
    return {
        "shared": _audited(user, list(entries.filter(kind=JournalEntry.Kind.SHARED))),
        "private": _audited(
            user, list(entries.filter(kind=JournalEntry.Kind.PRIVATE, author=user))
        ),
    }


def journal_for_therapist(
    couple: Couple, *, viewer: User | None = None
) -> list[JournalEntry] | None:
    """The couple journal if every partner allows it; never a private journal."""
    if not therapist_may_read_journal(couple):
        return None
    entries = list(
        JournalEntry.objects.filter(couple=couple, kind=JournalEntry.Kind.SHARED).select_related(
            "author"
        )
    )
    return _audited(viewer, entries) if viewer is not None else entries


def goals_for(couple: Couple) -> list[Goal]:
    return list(Goal.objects.filter(couple=couple).exclude(status=Goal.Status.ARCHIVED))


# --- Therapist preparation ---------------------------------------------------------------


@dataclass
class Preparation:
    booking: Booking
    check_ins: list[CheckIn]
    homework: list[HomeworkView]
    goals: list[Goal]
    reflections: list[Reflection]
    journal_shared: bool
    concerning: list[CheckIn] = field(default_factory=list)


def preparation_for(therapist: User, booking: Booking) -> Preparation:
    couple = booking.couple
    check_ins = check_ins_for_therapist(therapist, booking)
    return Preparation(
        booking=booking,
        check_ins=check_ins,
        homework=homework_for_couple(couple, therapist),
        goals=goals_for(couple),
        reflections=reflections_for_therapist(therapist, couple),
        journal_shared=therapist_may_read_journal(couple),
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
    """The therapist's next sessions with what to look at first (for the dashboard)."""
    bookings = (
        Booking.objects.filter(
            therapist=therapist,
            status=Booking.Status.CONFIRMED,
            ended_at__isnull=True,
            ends_at__gt=now,
            starts_at__lt=now + timedelta(days=days),
        )
        .select_related("couple")
        .prefetch_related("couple__memberships__user")
        .order_by("starts_at")[:10]
    )
    out = []
    for booking in bookings:
        check_ins = list(CheckIn.objects.filter(booking=booking))
        homework = homework_for_couple(booking.couple, therapist)
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
