"""Reads of homework: who sees which assignment, and whose answers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext

from accounts.models import Couple, User
from accounts.selectors import member_since
from sessions_app.models import HomeworkAssignment, HomeworkResponse
from sessions_app.selectors._common import audited

Audience = HomeworkAssignment.Audience
Visibility = HomeworkResponse.Visibility


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
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def all_done(self) -> bool:
        return all(p.done_at for p in self.progress)


def _required(assignment: HomeworkAssignment, partners: list[User]) -> list[User]:
    if assignment.audience == Audience.ONE:
        return [p for p in partners if p.pk == assignment.assignee_id]
    return partners


def _all_done(
    assignment: HomeworkAssignment, done: dict[int, HomeworkResponse], partners: list[User]
) -> bool:
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


def _view(
    assignment: HomeworkAssignment, viewer: User, responses: list[HomeworkResponse]
) -> tuple[HomeworkView | None, list[HomeworkResponse]]:
    """The view of one assignment and the answers it hands out (for the audit log)."""
    partners = assignment.couple.partners
    if not assignment_visible_to(assignment, viewer, partners):
        return None, []
    if viewer.is_client:
        # A former partner's answers stay with them (and in their export).
        current = {p.pk for p in partners}
        responses = [r for r in responses if r.user_id in current]
    done = {r.user_id: r for r in responses if r.done_at}
    all_done = _all_done(assignment, done, partners)
    if assignment.audience == Audience.JOINT:
        joint_done = min((r.done_at for r in done.values() if r.done_at), default=None)
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
    visible = [VisibleResponse(r.user, r.body, r.visibility, r.done_at) for r in readable]
    hidden_note = ""
    if viewer.is_client:
        # Say nothing of a private answer or a draft: only of a finished shared answer
        # that is waiting for the viewer to finish too.
        waiting = [
            r
            for r in responses
            if r.user_id != viewer.pk
            and r.done_at
            and r.body
            and r.visibility == Visibility.SHARED
            and not response_readable_by(r, viewer, assignment, all_done)
        ]
        if waiting:
            hidden_note = gettext("Your partner's answer is revealed when you have both finished.")
    mine = next((r for r in responses if r.user_id == viewer.pk), None)
    can_respond = (
        viewer.is_client
        and assignment.cancelled_at is None
        and (assignment.audience != Audience.ONE or assignment.assignee_id == viewer.pk)
    )
    viewer_done = any(p.is_viewer and p.done_at for p in progress)
    view = HomeworkView(
        assignment=assignment,
        progress=progress,
        responses=visible,
        mine=mine,
        can_respond=can_respond,
        hidden_note=hidden_note,
        is_done_for_viewer=viewer_done,
    )
    return view, [r for r in readable if r.body]


def homework_view(assignment: HomeworkAssignment, viewer: User) -> HomeworkView | None:
    """What ``viewer`` may see of one assignment, or None if nothing at all."""
    if viewer.is_client and assignment.created_at < member_since(viewer, assignment.couple_id):
        return None  # set for the couple as it was before this partner joined
    view, shown = _view(assignment, viewer, list(assignment.responses.select_related("user")))
    audited(viewer, shown)
    return view


def with_responses(qs: QuerySet[HomeworkAssignment]) -> QuerySet[HomeworkAssignment]:
    """Everything ``homework_views`` reads, fetched in a fixed number of queries."""
    return qs.select_related("therapist", "assignee").prefetch_related(
        "couple__memberships__user",
        Prefetch("responses", queryset=HomeworkResponse.objects.select_related("user")),
    )


def homework_views(assignments: Iterable[HomeworkAssignment], viewer: User) -> list[HomeworkView]:
    """The views ``viewer`` may see, with one audit INSERT for every answer handed out;
    ``assignments`` come from ``with_responses``."""
    views: list[HomeworkView] = []
    shown: list[HomeworkResponse] = []
    for assignment in assignments:
        view, answers = _view(assignment, viewer, list(assignment.responses.all()))
        if view is not None:
            views.append(view)
            shown.extend(answers)
    audited(viewer, shown)
    return views


def homework_for_couple(
    couple: Couple, viewer: User, *, include_cancelled: bool = False
) -> list[HomeworkView]:
    qs = HomeworkAssignment.objects.filter(couple=couple)
    if not include_cancelled:
        qs = qs.filter(cancelled_at__isnull=True)
    if viewer.is_therapist:
        qs = qs.filter(therapist=viewer)
    else:
        qs = qs.filter(created_at__gte=member_since(viewer, couple.pk))
    return homework_views(with_responses(qs.order_by("due_at")), viewer)


def open_homework_for_partner(couple: Couple, viewer: User) -> list[HomeworkView]:
    return [v for v in homework_for_couple(couple, viewer) if not v.is_done_for_viewer]
