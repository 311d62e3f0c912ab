"""Signed links for scheduling (single-use reschedule links).

Kept apart from services so emails can build links without importing the services
that send those emails.
"""

from __future__ import annotations

from datetime import timedelta

from django.core import signing
from django.utils.translation import gettext as _

from core.errors import DomainError
from scheduling.models import Booking

RESCHEDULE_SALT = "duet.reschedule"


def reschedule_token(booking: Booking) -> str:
    return signing.dumps({"id": booking.pk, "v": booking.reschedule_version}, salt=RESCHEDULE_SALT)


def read_reschedule_token(token: str) -> tuple[int, int]:
    """The booking id and reschedule version a link was issued for."""
    try:
        data = signing.loads(token, salt=RESCHEDULE_SALT, max_age=timedelta(days=400))
    except signing.BadSignature:
        raise DomainError(
            _("This reschedule link is not valid."), code="invalid_link", status=404
        ) from None
    return int(data["id"]), int(data["v"])
