"""Reads for accounts and couples."""

from __future__ import annotations

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
