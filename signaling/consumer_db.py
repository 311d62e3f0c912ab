"""The room consumer's trips to the database thread, one small helper per read or write.

Each runs in ``database_sync_to_async`` so the event loop never waits on the ORM; a join
reads and writes everything it needs in a single trip.
"""

from __future__ import annotations

from dataclasses import dataclass

from channels.db import database_sync_to_async
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import session_control
from signaling import selectors, services
from signaling.models import RoomParticipant

State = RoomParticipant.State

SESSION_ENDED = _("Your session ended after a period of inactivity. Sign in again to join.")


@dataclass
class Joined:
    access: selectors.RoomAccess
    connected: services.Connected
    admitted: list[dict]
    waiting: list[dict]


@database_sync_to_async
def session_ended(scope) -> str | None:
    """The HTTP session policy (idle timeout, lifetime, signed out) for this socket."""
    session = scope.get("session")
    key = session.session_key if session is not None else None
    if key is None:  # a user not taken from a session cookie: only test scopes do that
        return None
    return session_control.stored_session_check(key, timezone.now())


@database_sync_to_async
def join(room_id, user, channel_name, resume) -> Joined:
    """Everything a join reads and writes, in one trip to the database thread."""
    now = timezone.now()
    access = selectors.room_access(room_id=room_id, user=user, now=now)
    connected = services.participant_connect(
        booking=access.booking,
        user=user,
        role=access.role,
        channel_name=channel_name,
        resume_token=resume,
        now=now,
    )
    state = connected.participant.state
    admitted = (
        [
            selectors.peer_view(p)
            for p in selectors.present_participants(
                booking_id=access.booking.pk, now=now, state=State.ADMITTED
            )
        ]
        if state == State.ADMITTED
        else []
    )
    waiting = (
        [
            selectors.peer_view(p)
            for p in selectors.present_participants(
                booking_id=access.booking.pk, now=now, state=State.WAITING
            )
        ]
        if access.role == "therapist" or state == State.WAITING
        else []
    )
    return Joined(access=access, connected=connected, admitted=admitted, waiting=waiting)


@database_sync_to_async
def present(booking_id, state):
    rows = selectors.present_participants(booking_id=booking_id, now=timezone.now(), state=state)
    return [selectors.peer_view(p) for p in rows]


@database_sync_to_async
def admitted_peer(booking_id, peer_id):
    p = selectors.admitted_peer(booking_id=booking_id, peer_id=peer_id, now=timezone.now())
    return selectors.peer_view(p) if p else None
