"""The one way an invitation (partner or therapist) becomes a link and an email."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import Invitation
from accounts.tokens import make_link_token
from core.mail import email_queue


def invitation_link(invitation: Invitation) -> str:
    token = make_link_token(invitation.link_kind, invitation.pk)
    return settings.SITE_URL + reverse(invitation.link_url, args=[token])


def invitation_email_queue(
    *, invitation: Invitation, subject: str, template: str, context: dict, now: datetime
) -> None:
    """Queue the invitation email (``template``.txt and .html); it leaves after commit.

    One logical email per invitation: a new invitation (a new link) is a new email.
    """
    context = {
        **context,
        "link": invitation_link(invitation),
        "days": settings.INVITATION_MAX_AGE_DAYS,
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        to=[invitation.email],
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    key = f"invitation-{invitation.link_kind}-{invitation.pk}"
    email_queue(key=key, message=message, now=now)
