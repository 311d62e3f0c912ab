"""What every roster write shares: the admin check and the change log row
written in the same transaction as the change."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from accounts.models import Couple, User
from core.errors import Forbidden

if TYPE_CHECKING:
    pass
from therapists.models import (
    Clinic,
    RosterChange,
)
from therapists.selectors import is_admin_of


def _log(
    *,
    clinic: Clinic,
    actor: User | None,
    action: str,
    summary: str,
    now: datetime,
    therapist: User | None = None,
    couple: Couple | None = None,
) -> RosterChange:
    return RosterChange.objects.create(
        clinic=clinic,
        actor=actor,
        action=action,
        summary=summary[:300],
        therapist=therapist,
        couple=couple,
        at=now,
    )


def _require_admin(user: User, clinic: Clinic) -> None:
    if not is_admin_of(user, clinic.pk):
        raise Forbidden(_("Only an admin of this clinic can change its roster."), code="not_admin")
