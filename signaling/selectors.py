"""Reads for video rooms: who may enter a room now, and who is present."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import CoupleMembership, User
from intake.selectors import consent_gate
from scheduling.models import Booking
from signaling.models import RoomParticipant
from signaling.protocol import CloseCode

OPENS_BEFORE = timedelta(minutes=15)
CLOSES_AFTER = timedelta(minutes=30)
# A connection that has not sent a heartbeat for this long is no longer present
# (its process may have died without running disconnect).
PRESENCE_TTL = timedelta(seconds=45)


class RoomRefused(Exception):
    """Why someone may not enter; ``close_code`` for websockets, ``status`` for pages."""

    def __init__(self, code: str, detail: str, close_code: int, status: int) -> None:
        super().__init__(detail)
        self.code, self.detail, self.close_code, self.status = code, detail, close_code, status


@dataclass(frozen=True)
class RoomAccess:
    booking: Booking
    role: str  # "therapist" or "partner"
    opens_at: datetime
    closes_at: datetime


def room_opens_at(booking: Booking) -> datetime:
    return booking.starts_at - OPENS_BEFORE


def room_closes_at(booking: Booking) -> datetime:
    scheduled = booking.ends_at + CLOSES_AFTER
    return min(scheduled, booking.ended_at) if booking.ended_at else scheduled


def room_access(*, room_id: str, user: User, now: datetime) -> RoomAccess:
    """Who may be in this room now; raises RoomRefused with the documented code."""
    if not user.is_authenticated:
        raise RoomRefused(
            "not_authenticated", _("Log in to join this session."), CloseCode.SIGNED_OUT, 403
        )
    booking = (
        Booking.objects.select_related("couple", "therapist")
        .filter(room_id=room_id, format="video")
        .first()
        if room_id
        else None
    )
    if booking is None or booking.status in (
        Booking.Status.CANCELLED,
        Booking.Status.LATE_CANCELLED,
    ):
        raise RoomRefused(
            "no_such_room",
            _("There is no session room at this address."),
            CloseCode.NO_SUCH_ROOM,
            404,
        )
    if booking.therapist_id == user.pk:
        role = "therapist"
    elif CoupleMembership.objects.filter(
        couple_id=booking.couple_id, user=user, left_at__isnull=True
    ).exists():
        role = "partner"
    else:
        raise RoomRefused(
            "not_allowed", _("This session room is not yours."), CloseCode.NOT_ALLOWED, 403
        )
    removed = RoomParticipant.objects.filter(
        booking=booking, user=user, state=RoomParticipant.State.REMOVED
    ).exists()
    if removed:
        raise RoomRefused(
            "removed", _("The therapist removed you from this session."), CloseCode.REMOVED, 403
        )
    opens_at, closes_at = room_opens_at(booking), room_closes_at(booking)
    if booking.ended_at or booking.status == Booking.Status.COMPLETED or now >= closes_at:
        raise RoomRefused("room_closed", _("This session has ended."), CloseCode.ENDED, 403)
    if now < opens_at:
        raise RoomRefused(
            "too_early",
            _("The room opens 15 minutes before the session starts."),
            CloseCode.TOO_EARLY,
            403,
        )
    if role == "partner":
        # Both partners sign the clinic's current documents before anyone joins.
        gate = consent_gate(booking=booking)
        if gate.missing_for(user):
            raise RoomRefused(
                "consent_required",
                _("Sign your clinic's documents before joining this session."),
                CloseCode.CONSENT_REQUIRED,
                403,
            )
        if not gate.ok:
            raise RoomRefused(
                "partner_consent_required",
                _(
                    "Your partner still needs to sign the clinic's documents; the session can "
                    "start once they have."
                ),
                CloseCode.CONSENT_REQUIRED,
                403,
            )
    return RoomAccess(booking=booking, role=role, opens_at=opens_at, closes_at=closes_at)


def peer_view(p: RoomParticipant) -> dict:
    """How one participant is described to the others (never their email)."""
    return {
        "peer_id": p.peer_id,
        "user_id": p.user_id,
        "name": p.user.name,
        "role": "therapist" if p.user_id == p.booking.therapist_id else "partner",
        "seq": p.seq,
        "audio": p.audio_on,
        "video": p.video_on,
    }


# What peer_view reads: a join or an admission lists the room with these columns only
# (compiling and converting every User and Booking column was most of a join's time).
PEER_VIEW_FIELDS = (
    "peer_id",
    "user_id",
    "booking_id",
    "seq",
    "audio_on",
    "video_on",
    "user__display_name",
    "user__full_name",
    "user__email",
    "booking__therapist_id",
)


def _peers() -> QuerySet[RoomParticipant]:
    return RoomParticipant.objects.select_related("user", "booking").only(*PEER_VIEW_FIELDS)


def present_participants(*, booking_id: int, now: datetime, state: str) -> list[RoomParticipant]:
    return list(
        _peers()
        .filter(
            booking_id=booking_id,
            state=state,
            last_seen__gte=now - PRESENCE_TTL,
        )
        .exclude(channel_name="")
        .order_by("seq", "created_at")
    )


def admitted_peer(*, booking_id: int, peer_id: str, now: datetime) -> RoomParticipant | None:
    return (
        _peers()
        .filter(
            booking_id=booking_id,
            peer_id=peer_id,
            state=RoomParticipant.State.ADMITTED,
            last_seen__gte=now - PRESENCE_TTL,
        )
        .exclude(channel_name="")
        .first()
    )
