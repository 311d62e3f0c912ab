"""Reads for secure messaging. Reading message bodies is audited."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from django.db.models import (
    Count,
    DateTimeField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils.translation import gettext

from accounts.models import User
from accounts.selectors import active_couple_for, member_since
from core.audit import audit_read
from core.errors import Forbidden
from messaging.models import Message, Thread, ThreadReadState
from messaging.services import private_messages_allowed
from therapists.selectors import clinic_of_care, couple_therapists, therapist_clients


def threads_for_user(user: User) -> QuerySet[Thread]:
    """Threads this person can read now (leaving a couple ends access to its threads)."""
    if not user.is_authenticated:
        return Thread.objects.none()
    if user.is_therapist:
        return Thread.objects.filter(therapist=user)
    if not user.is_client:
        return Thread.objects.none()
    active = Q(couple__memberships__user=user, couple__memberships__left_at__isnull=True)
    return Thread.objects.filter(
        active & (Q(kind=Thread.Kind.SHARED) | Q(kind=Thread.Kind.PRIVATE, private_partner=user))
    ).distinct()


# Before any message: what "never read" compares against.
_NEVER = datetime(1970, 1, 1, tzinfo=UTC)


def threads_with_unread(user: User) -> list[Thread]:
    """The inbox: each thread with ``unread``, the messages from others since this person
    last read it, counted in the same query as the threads."""
    last_read = ThreadReadState.objects.filter(thread=OuterRef("pk"), user=user).values(
        "last_read_at"
    )[:1]
    unread = (
        Message.objects.filter(thread=OuterRef("pk"), created_at__gt=OuterRef("read_from"))
        .exclude(author=user)
        .order_by()
        .values("thread")
        .annotate(n=Count("pk"))
        .values("n")
    )
    threads = (
        threads_for_user(user)
        .select_related("therapist", "couple", "private_partner", "clinic")
        .prefetch_related("couple__memberships__user")
        .annotate(read_until=Subquery(last_read))
        .annotate(read_from=Coalesce("read_until", Value(_NEVER, output_field=DateTimeField())))
        .annotate(unread=Coalesce(Subquery(unread, output_field=IntegerField()), 0))
    )
    return list(threads)


def thread_for_participant(*, thread_id: UUID | str, user: User) -> Thread:
    thread = (
        threads_for_user(user)
        .select_related("therapist", "couple", "private_partner", "clinic")
        .filter(pk=thread_id)
        .first()
    )
    if thread is None:
        raise Forbidden(gettext("This conversation is not yours."), code="not_yours")
    return thread


def messages_for_reader(
    *, thread: Thread, user: User, request: HttpRequest | None = None
) -> list[Message]:
    found = thread.messages.select_related("author")
    if user.pk != thread.therapist_id:
        # A partner who joined later reads the conversation from when they joined.
        found = found.filter(created_at__gte=member_since(user, thread.couple_id))
    messages = list(found)
    audit_read(request, thread, actor=user)
    return messages


def contacts_for(user: User) -> list[dict[str, Any]]:
    """Who this person may open a conversation with: the clients rule from either side."""
    if user.is_client:
        couple = active_couple_for(user)
        if couple is None:
            return []
        return [
            {
                "therapist": therapist,
                "partner": couple.partner_of(user),
                "private_allowed": private_messages_allowed(clinic_of_care(therapist, couple)),
            }
            for therapist in couple_therapists(couple)
        ]
    if user.is_therapist:
        return [{"couple": c} for c in therapist_clients(user)]
    return []
