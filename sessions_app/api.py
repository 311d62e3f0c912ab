"""JSON API for between-sessions data. Same selectors, same privacy rules as the pages."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Router, Schema

from core.errors import Forbidden
from sessions_app.access import booking_for_partner, booking_for_therapist
from sessions_app.models import HomeworkAssignment, HomeworkResponse
from sessions_app.selectors import (
    check_ins_for_therapist,
    homework_for_couple,
    homework_view,
    notifications_for,
    own_check_in,
    unread_count,
)
from sessions_app.services.homework import homework_respond
from sessions_app.services.notifications import notification_mark_read

router = Router(tags=["between sessions"])


class NotificationOut(Schema):
    id: UUID
    kind: str
    title: str
    url: str
    created_at: datetime
    read: bool


class NotificationsOut(Schema):
    unread: int
    items: list[NotificationOut]


class ProgressOut(Schema):
    user_id: int
    name: str
    done: bool
    done_at: datetime | None


class ResponseOut(Schema):
    author_id: int
    author: str
    body: str
    visibility: str
    done_at: datetime | None


class HomeworkOut(Schema):
    id: UUID
    title: str
    instructions: str
    audience: str
    due_at: datetime
    reveal_when_both_done: bool
    progress: list[ProgressOut]
    responses: list[ResponseOut]
    hidden_note: str
    can_respond: bool


class ResponseIn(Schema):
    body: str = ""
    visibility: HomeworkResponse.Visibility = HomeworkResponse.Visibility.PRIVATE
    done: bool = False


class CheckInOut(Schema):
    user_id: int
    name: str
    mood: int
    talking_points: str
    feels_safe: str
    can_speak_freely: str
    safety_note: str
    concerning: bool


def _homework_out(view) -> dict:
    a = view.assignment
    return {
        "id": a.pk,
        "title": a.display_title,
        "instructions": a.display_instructions,
        "audience": a.audience,
        "due_at": a.due_at,
        "reveal_when_both_done": a.reveal_when_both_done,
        "progress": [
            {
                "user_id": p.user.pk,
                "name": p.user.name,
                "done": bool(p.done_at),
                "done_at": p.done_at,
            }
            for p in view.progress
        ],
        "responses": [
            {
                "author_id": r.author.pk,
                "author": r.author.name,
                "body": r.body,
                "visibility": r.visibility,
                "done_at": r.done_at,
            }
            for r in view.responses
        ],
        "hidden_note": view.hidden_note,
        "can_respond": view.can_respond,
    }


def _view_or_404(request: HttpRequest, assignment_id: UUID):
    assignment = (
        HomeworkAssignment.objects.select_related("therapist", "assignee", "couple")
        .prefetch_related("couple__memberships__user")
        .filter(pk=assignment_id)
        .first()
    )
    view = homework_view(assignment, request.user) if assignment else None
    if view is None:
        raise Http404
    return view


@router.get("/notifications", response=NotificationsOut, summary="My notifications")
def list_notifications(request: HttpRequest):
    items = [
        {
            "id": n.pk,
            "kind": n.kind,
            "title": n.title,
            "url": n.url,
            "created_at": n.created_at,
            "read": n.read_at is not None,
        }
        for n in notifications_for(request.user)
    ]
    return {"unread": unread_count(request.user), "items": items}


@router.post("/notifications/{notification_id}/read", response=NotificationOut)
def read_notification(request: HttpRequest, notification_id: UUID):
    n = notification_mark_read(
        user=request.user, notification_id=notification_id, now=timezone.now()
    )
    return {
        "id": n.pk,
        "kind": n.kind,
        "title": n.title,
        "url": n.url,
        "created_at": n.created_at,
        "read": True,
    }


@router.get("/homework", response=list[HomeworkOut], summary="Homework I can see")
def list_homework(request: HttpRequest):
    user = request.user
    if user.is_therapist:
        assignments = (
            HomeworkAssignment.objects.filter(therapist=user, cancelled_at__isnull=True)
            .select_related("therapist", "assignee", "couple")
            .prefetch_related("couple__memberships__user")
        )
        return [_homework_out(v) for a in assignments if (v := homework_view(a, user))]
    from accounts.selectors import active_couple_for

    couple = active_couple_for(user)
    return [_homework_out(v) for v in homework_for_couple(couple, user)] if couple else []


@router.get("/homework/{assignment_id}", response=HomeworkOut)
def get_homework(request: HttpRequest, assignment_id: UUID):
    return _homework_out(_view_or_404(request, assignment_id))


@router.put("/homework/{assignment_id}/response", response=HomeworkOut)
def put_response(request: HttpRequest, assignment_id: UUID, payload: ResponseIn):
    view = _view_or_404(request, assignment_id)
    if not view.can_respond and view.assignment.cancelled_at is None:
        raise Forbidden(gettext("You cannot respond to this exercise."), code="cannot_respond")
    homework_respond(
        user=request.user,
        assignment=view.assignment,
        body=payload.body,
        visibility=payload.visibility,
        done=payload.done,
        now=timezone.now(),
    )
    return _homework_out(_view_or_404(request, assignment_id))


@router.get("/bookings/{booking_id}/check-ins", response=list[CheckInOut])
def list_check_ins(request: HttpRequest, booking_id: int):
    """Therapist: every partner's check-in. Partner: only their own, never the other's."""
    user = request.user
    if user.is_therapist:
        check_ins = check_ins_for_therapist(user, booking_for_therapist(user, booking_id))
    else:
        mine = own_check_in(user, booking_for_partner(user, booking_id))
        check_ins = [mine] if mine else []
    return [
        {
            "user_id": c.user_id,
            "name": c.user.name,
            "mood": c.mood,
            "talking_points": c.talking_points,
            "feels_safe": c.feels_safe,
            "can_speak_freely": c.can_speak_freely,
            "safety_note": c.safety_note,
            "concerning": c.is_concerning,
        }
        for c in check_ins
    ]
