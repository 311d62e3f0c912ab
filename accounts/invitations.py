"""The one way an invitation (partner or therapist) becomes a link and an email."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.models import Invitation, User
from accounts.tokens import make_link_token
from core.mail import email_queue


def invitation_link(invitation: Invitation) -> str:
    token = make_link_token(invitation.link_kind, invitation.pk)
    return settings.SITE_URL + reverse(invitation.link_url, args=[token])


def invitation_language(invitation: Invitation) -> str | None:
    """The invitee's language: their account's if the address has one, else the
    inviter's (the language active while the invitation is made)."""
    language = (
        User.objects.filter(email__iexact=invitation.email)
        .values_list("language", flat=True)
        .first()
    )
    return language or translation.get_language()


def invitation_email_queue(
    *,
    invitation: Invitation,
    subject: str | Callable[[], str],
    template: str,
    context: dict,
    now: datetime,
) -> None:
    """Queue the invitation email (``template``.txt and .html); it leaves after commit.

    One logical email per invitation: a new invitation (a new link) is a new email.
    Subject and body are in the invitee's language (``invitation_language``): pass the
    subject as a lazy string or a callable (``lambda: _("%(name)s invited you") % ...``)
    so it is translated in that language too.
    """
    context = {
        **context,
        "link": invitation_link(invitation),
        "days": settings.INVITATION_MAX_AGE_DAYS,
    }
    with translation.override(invitation_language(invitation)):
        message = EmailMultiAlternatives(
            subject=subject() if callable(subject) else str(subject),
            body=render_to_string(f"{template}.txt", context),
            to=[invitation.email],
        )
        message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    key = f"invitation-{invitation.link_kind}-{invitation.pk}"
    email_queue(key=key, message=message, now=now)
