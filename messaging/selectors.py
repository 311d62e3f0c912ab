"""Reads for secure messaging. Reading message bodies is audited."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from accounts.selectors import active_couple_for
from core.audit import audit_read
from core.errors import Forbidden
from messaging.models import Message, Thread, ThreadReadState
from messaging.services import private_messages_allowed
from therapists.selectors import clinic_of_care, couple_therapists, therapist_clients


def threads_for_user(user) -> QuerySet[Thread]:
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


def threads_with_unread(user) -> list[Thread]:
    last_read = ThreadReadState.objects.filter(thread=OuterRef("pk"), user=user).values(
        "last_read_at"
    )[:1]
    threads = (
        threads_for_user(user)
        .select_related("therapist", "couple", "private_partner", "clinic")
        .prefetch_related("couple__memberships__user")
        .annotate(read_until=Subquery(last_read))
    )
    out = []
    for thread in threads:
        unread = Message.objects.filter(thread=thread).exclude(author=user)
        if thread.read_until is not None:
            unread = unread.filter(created_at__gt=thread.read_until)
        thread.unread = unread.count()
        out.append(thread)
    return out


def unread_total(user) -> int:
    return sum(t.unread for t in threads_with_unread(user))


def thread_for_participant(*, thread_id, user) -> Thread:
    thread = (
        threads_for_user(user)
        .select_related("therapist", "couple", "private_partner", "clinic")
        .filter(pk=thread_id)
        .first()
    )
    if thread is None:
        raise Forbidden("This conversation is not yours.", code="not_yours")
    return thread


def messages_for_reader(*, thread: Thread, user, request=None) -> list[Message]:
    messages = list(thread.messages.select_related("author"))
    audit_read(request, thread, actor=user)
    return messages


def message_counts(thread_ids) -> dict:
    return dict(
        Message.objects.filter(thread_id__in=thread_ids)
        .values("thread_id")
        .annotate(n=Count("id"))
        .values_list("thread_id", "n")
    )


def contacts_for(user) -> list[dict]:
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
