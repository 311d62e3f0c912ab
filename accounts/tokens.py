"""Signed, expiring tokens for emailed links (partner and therapist invitations).

The signature and age are checked here; single use is the caller's job, kept
in the database row the token points at.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.l10n import format_local


class InvalidLink(DomainError):
    pass


def make_link_token(kind: str, pk: int) -> str:
    return signing.dumps({"id": pk}, salt=f"duet.link.{kind}", compress=True)


def read_link_token(kind: str, token: str, *, max_age: timedelta) -> int:
    try:
        data = signing.loads(token, salt=f"duet.link.{kind}", max_age=max_age)
    except signing.SignatureExpired:
        raise InvalidLink(
            _("This invitation link has expired. Ask for a new one."), code="expired", status=410
        ) from None
    except signing.BadSignature:
        raise InvalidLink(
            _("This link is not valid. Check that you copied the whole link from the email."),
            code="invalid",
            status=404,
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("id"), int):
        raise InvalidLink(_("This link is not valid."), code="invalid", status=404)
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
    ``sender`` says who can send a new one: "your partner" or "the clinic" (each has
    its own whole sentences, so translators never see a sentence glued together).
    """
    from_partner = sender == "your partner"
    pk = read_link_token(
        queryset.model.link_kind, token, max_age=timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
    )
    invitation = queryset.filter(pk=pk).first()
    if invitation is None:
        raise InvalidLink(_("This invitation no longer exists."), code="invalid", status=404)
    if invitation.accepted_at is not None:
        raise InvalidLink(
            _(
                "This invitation has already been used. Each link works once; if that was not "
                "you, ask your partner for a new one."
            )
            if from_partner
            else _(
                "This invitation has already been used. Each link works once; if that was not "
                "you, ask the clinic for a new one."
            ),
            code="used",
            status=410,
        )
    if invitation.revoked_at is not None:
        raise InvalidLink(
            _(
                "This invitation was replaced by a newer one. "
                "Use the latest email from your partner."
            )
            if from_partner
            else _(
                "This invitation was replaced by a newer one. Use the latest email from the clinic."
            ),
            code="revoked",
            status=410,
        )
    if invitation.expires_at <= now:
        # The day in UTC, as the link's expiry is counted.
        expired = {"date": format_local(invitation.expires_at.astimezone(UTC), "j M Y")}
        raise InvalidLink(
            (
                _("This invitation link expired on %(date)s. Ask your partner to send a new one.")
                if from_partner
                else _(
                    "This invitation link expired on %(date)s. Ask the clinic to send a new one."
                )
            )
            % expired,
            code="expired",
            status=410,
        )
    if user is not None and user.is_authenticated and user.email.lower() != invitation.email:
        raise InvalidLink(
            _(
                "This invitation was sent to a different email address (%(invited)s) than "
                "the one you are logged in with (%(current)s). Log out and open the link again "
                "with the invited account."
            )
            % {"invited": invitation.email, "current": user.email},
            code="wrong_user",
            status=403,
        )
    return invitation
