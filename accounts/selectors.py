"""Reads for accounts and couples."""

from __future__ import annotations

from datetime import UTC, datetime

from django.db.models import Prefetch

from accounts.models import Couple, CoupleMembership, PartnerInvitation, User


def active_couple_for(user: User) -> Couple | None:
    """The couple ``user`` is in now, with its active partners prefetched."""
    if not user.is_authenticated:
        return None
    return (
        Couple.objects.filter(memberships__user=user, memberships__left_at__isnull=True)
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=CoupleMembership.objects.select_related("user"),
            )
        )
        .first()
    )


def pending_invitation_for(couple: Couple) -> PartnerInvitation | None:
    return (
        PartnerInvitation.objects.filter(
            couple=couple, accepted_at__isnull=True, revoked_at__isnull=True
        )
        .order_by("-created_at")
        .first()
    )


def is_partner(user: User, couple_id: int) -> bool:
    return CoupleMembership.objects.filter(
        user=user, couple_id=couple_id, left_at__isnull=True
    ).exists()


def member_since(user: User, couple_id: int) -> datetime:
    """When ``user``'s current membership of the couple began (the end of time if they
    are not a partner: they see nothing).

    Shared writing belongs to the couple as it was: a partner who joins later reads what
    was written from this moment on, never a former partner's entries."""
    joined = (
        CoupleMembership.objects.filter(user=user, couple_id=couple_id, left_at__isnull=True)
        .values_list("joined_at", flat=True)
        .first()
    )
    return joined if joined is not None else datetime.max.replace(tzinfo=UTC)
