"""Signed, expiring tokens for emailed links (partner and therapist invitations).

The signature and age are checked here; single use is the caller's job, kept
in the database row the token points at.
"""

from __future__ import annotations

from datetime import timedelta

from django.core import signing

from config.errors import DomainError


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
