"""Writes for secure messaging. Email notices carry no content."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from accounts.models import Couple, User
from accounts.selectors import active_couple_for
from core.audit import audit_record
from core.errors import DomainError, Forbidden
from core.mail import email_queue
from messaging.models import Message, Thread, ThreadReadState
from scheduling.signals import message_posted
from therapists.selectors import clinic_of_care, is_client_of

if TYPE_CHECKING:
    from therapists.models import Clinic

MAX_MESSAGE_LENGTH = 10_000


def private_messages_allowed(clinic: Clinic | None) -> bool:
    from therapists.models import Clinic

    return clinic is None or clinic.private_messages == Clinic.PrivateMessages.ALLOWED


def thread_open(
    *,
    user: User,
    therapist: User | None = None,
    couple: Couple | None = None,
    private: bool = False,
) -> Thread:
    """The thread between a couple and their therapist (created on first use).

    A client opens it with their therapist; a therapist with one of their couples.
    The couple must be the therapist's client (``therapists.selectors.is_client_of``).
    ``private`` is a client's private thread.
    """
    if user.is_client:
        couple = active_couple_for(user)
        if couple is None or therapist is None:
            raise Forbidden(gettext("Join a couple to message a therapist."), code="no_couple")
    elif user.is_therapist:
        therapist = user
        if couple is None or private:
            raise Forbidden(
                gettext("Therapists write in the couple's shared thread."), code="bad_thread"
            )
    else:
        raise Forbidden(
            gettext("Messages are between a couple and their therapist."), code="not_allowed"
        )
    if not is_client_of(therapist, couple.pk):
        raise Forbidden(
            gettext("You can message a therapist after booking a session."), code="no_session"
        )
    clinic = clinic_of_care(therapist, couple)
    if private and not private_messages_allowed(clinic):
        raise Forbidden(
            gettext("Your clinic shares every message with both partners."),
            code="private_not_allowed",
        )
    lookup: dict[str, Any] = {"couple": couple, "therapist": therapist}
    if private:
        lookup.update(kind=Thread.Kind.PRIVATE, private_partner=user)
    else:
        lookup.update(kind=Thread.Kind.SHARED)
    thread = Thread.objects.filter(**lookup).first()
    if thread is None:
        try:
            with transaction.atomic():
                thread = Thread.objects.create(clinic=clinic, **lookup)
        except IntegrityError:  # opened at the same moment in another tab
            thread = Thread.objects.get(**lookup)
    return thread


def message_post(
    *, thread: Thread, author: User, body: str, request: HttpRequest | None = None, now: datetime
) -> Message:
    body = (body or "").strip()
    if not body:
        raise DomainError(gettext("Write a message first."), code="empty")
    if len(body) > MAX_MESSAGE_LENGTH:
        raise DomainError(
            gettext("Messages are limited to %(max)s characters.") % {"max": MAX_MESSAGE_LENGTH},
            code="too_long",
        )
    participants = thread.participants()
    if author.pk not in {p.pk for p in participants}:
        raise Forbidden(gettext("This conversation is not yours."), code="not_yours")
    if thread.is_private and not private_messages_allowed(thread.clinic):
        raise Forbidden(
            gettext("Your clinic no longer allows private messages; write in the shared thread."),
            code="private_not_allowed",
        )
    recipients = [p for p in participants if p.pk != author.pk]
    with transaction.atomic():
        message = Message.objects.create(thread=thread, author=author, body=body, created_at=now)
        Thread.objects.filter(pk=thread.pk).update(last_message_at=now)
        thread_mark_read(thread=thread, user=author, now=now)
        audit_record(actor=author, action="message.create", obj=message, request=request)
        message_posted.send(sender=Message, thread=thread, message=message, recipients=recipients)
        _notify(message, [r for r in recipients if r.is_active], now=now)
    return message


def _notify(message: Message, recipients: list, *, now: datetime) -> None:
    """Tell each recipient by email that a message waits (never its text); sent after commit."""
    link = settings.SITE_URL + reverse("messaging:thread", args=[message.thread_id])
    for user in recipients:
        with translation.override(user.language):
            subject = gettext("You have a new secure message on Duet")
            body = "\n\n".join(
                [
                    gettext("You have a new secure message on Duet."),
                    gettext("Sign in to read it: %(link)s") % {"link": link},
                    gettext("For your privacy, messages are never included in emails."),
                ]
            )
        email_queue(
            key=f"message-{message.pk}-to-{user.pk}",
            message=EmailMessage(
                subject=subject,
                body=body,
                to=[user.email],
            ),
            now=now,
        )


def thread_mark_read(*, thread: Thread, user: User, now: datetime) -> None:
    ThreadReadState.objects.update_or_create(
        thread=thread, user=user, defaults={"last_read_at": now}
    )
