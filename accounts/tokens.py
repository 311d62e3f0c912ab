"""Signed, expiring tokens for emailed links (partner and therapist invitations).

The signature and age are checked here; single use is the caller's job, kept
in the database row the token points at.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db.models import QuerySet

from core.errors import DomainError


class InvalidLink(DomainError):
    pass


def make_link_token(kind: str, pk: int) -> str:
    return signing.dumps({"id": pk}, salt=f"duet.link.{kind}", compress=True)


def read_link_token(kind: str, token: str, *, max_age: timedelta) -> int:
    try:
        data = signing.loads(token, salt=f"duet.link.{kind}", max_age=max_age)
    except signing.SignatureExpired:
        raise InvalidLink(
            "This invitation link has expired. Ask for a new one.", code="expired", status=410
        ) from None
    except signing.BadSignature:
        raise InvalidLink(
            "This link is not valid. Check that you copied the whole link from the email.",
            code="invalid",
            status=404,
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("id"), int):
        raise InvalidLink("This link is not valid.", code="invalid", status=404)
    return data["id"]


def invitation_from_link(
    *,
    token: str,
    queryset: QuerySet,
    user,
    now: datetime,
    sender: str,
):
    """The invitation row behind an emailed link, if it can be accepted now.

    Shared by partner and therapist invitations: the row must exist, be unused, not
    replaced and not expired, and (for a logged-in visitor) be addressed to them.
    ``sender`` names who can send a new one ("your partner", a clinic's name).
    """
    pk = read_link_token(
        queryset.model.link_kind, token, max_age=timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
    )
    invitation = queryset.filter(pk=pk).first()
    if invitation is None:
        raise InvalidLink("This invitation no longer exists.", code="invalid", status=404)
    if invitation.accepted_at is not None:
        raise InvalidLink(
            "This invitation has already been used. Each link works once; if that was not "
            f"you, ask {sender} for a new one.",
            code="used",
            status=410,
        )
    if invitation.revoked_at is not None:
        raise InvalidLink(
            f"This invitation was replaced by a newer one. Use the latest email from {sender}.",
            code="revoked",
            status=410,
        )
    if invitation.expires_at <= now:
        raise InvalidLink(
            f"This invitation link expired on {invitation.expires_at:%d %b %Y}. "
            f"Ask {sender} to send a new one.",
            code="expired",
            status=410,
        )
    if user is not None and user.is_authenticated and user.email.lower() != invitation.email:
        raise InvalidLink(
            f"This invitation was sent to a different email address ({invitation.email}) than "
            f"the one you are logged in with ({user.email}). Log out and open the link again "
            "with the invited account.",
            code="wrong_user",
            status=403,
        )
    return invitation
