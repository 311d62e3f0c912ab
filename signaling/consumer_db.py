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


def _session_ended(scope, now, *, just_loaded: bool = False) -> str | None:
    """The HTTP session policy (idle timeout, lifetime, signed out) for this socket.
    ``just_loaded``: the scope's session was read for this connect (by the auth
    middleware) and can be checked as it is; later checks read the store afresh."""
    session = scope.get("session")
    key = session.session_key if session is not None else None
    if key is None:  # a user not taken from a session cookie: only test scopes do that
        return None
    loaded = session if just_loaded else None
    return session_control.stored_session_check(key, now, loaded=loaded)


@database_sync_to_async
def join(scope, room_id, user, channel_name, resume) -> Joined:
    """Everything a join reads and writes, in one trip to the database thread."""
    now = timezone.now()
    if user.is_authenticated and _session_ended(scope, now, just_loaded=True):
        raise selectors.RoomRefused(
            "session_expired", str(SESSION_ENDED), services.CLOSE_REASONS["logout"], 401
        )
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


@dataclass
class Beat:
    ended: str | None  # the session ended (why): close the socket
    current: bool  # this socket still speaks for the person
    stale: list[tuple[str, str]]  # (peer id, state) of connections the sweep cleared


@database_sync_to_async
def heartbeat(scope, booking_id, user_id, channel_name, now) -> Beat:
    """A ping's reads and writes in one trip (a room of three pings every few seconds, and
    a join waits behind every trip queued on the database thread)."""
    ended = _session_ended(scope, now)
    if ended:
        return Beat(ended=ended, current=False, stale=[])
    current = services.participant_heartbeat(
        booking_id=booking_id, user_id=user_id, channel_name=channel_name, now=now
    )
    if not current:
        return Beat(ended=None, current=False, stale=[])
    stale = services.stale_peers_sweep(booking_id=booking_id, now=now)
    return Beat(ended=None, current=True, stale=stale)


@database_sync_to_async
def admit(booking, by, peer_ids) -> tuple[list[dict], list[dict]]:
    """Admit waiting partners; (the admitted, who is still waiting), in one trip."""
    now = timezone.now()
    admitted = services.participants_admit(booking=booking, by=by, peer_ids=peer_ids, now=now)
    waiting = selectors.present_participants(booking_id=booking.pk, now=now, state=State.WAITING)
    return [selectors.peer_view(p) for p in admitted], [selectors.peer_view(p) for p in waiting]


@database_sync_to_async
def present(booking_id, state):
    rows = selectors.present_participants(booking_id=booking_id, now=timezone.now(), state=state)
    return [selectors.peer_view(p) for p in rows]


@database_sync_to_async
def admitted_peer(booking_id, peer_id):
    p = selectors.admitted_peer(booking_id=booking_id, peer_id=peer_id, now=timezone.now())
    return selectors.peer_view(p) if p else None
