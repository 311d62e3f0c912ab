"""Writes for video rooms: presence, admission, removal, ending, closing connections.

Every room change locks the booking row first, so two processes admitting, joining or
ending at the same moment serialize instead of racing.
"""

from __future__ import annotations

import asyncio
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import Conflict, DomainError, Forbidden
from scheduling.models import Booking
from scheduling.signals import room_participant_joined, session_ended
from signaling.models import RoomParticipant
from signaling.protocol import CloseCode
from signaling.selectors import PRESENCE_TTL

State = RoomParticipant.State


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def room_group(booking_id: int) -> str:
    return f"room.{booking_id}"


def peer_group(peer_id: str) -> str:
    return f"peer.{peer_id}"


def _new_peer_id() -> str:
    return secrets.token_urlsafe(9)


def _locked_booking(booking_id: int) -> Booking:
    return Booking.objects.select_for_update().get(pk=booking_id)


def _lock_booking(booking_id: int) -> None:
    """Serialize changes to one room's participants, for callers that already hold the
    booking as read in this trip: the lock without building a second Booking (a join
    pays for every column it compiles). SQLite's write transaction serializes anyway."""
    list(Booking.objects.select_for_update().filter(pk=booking_id).values_list("pk"))


def _next_seq(booking_id: int) -> int:
    top = RoomParticipant.objects.filter(booking_id=booking_id).aggregate(m=Max("seq"))["m"]
    return (top or 0) + 1


def _admit(p: RoomParticipant, *, now: datetime) -> None:
    first_time = p.admitted_at is None
    p.state = State.ADMITTED
    p.seq = _next_seq(p.booking_id)
    if first_time:
        p.admitted_at = now
        room_participant_joined.send(sender=Booking, booking=p.booking, user=p.user, at=now)


@dataclass
class Connected:
    participant: RoomParticipant
    resumed: bool
    replaced_channel: str  # the connection this one replaced ("" if none)
    replaced_peer_id: str
    replaced_was_admitted: bool
    # The heartbeat sweep had announced this person's leave: the others dropped their
    # peer connections, so a resumed client must build fresh ones (same place, no waiting).
    rejoined: bool = False


def participant_connect(
    *,
    booking: Booking,
    user: User,
    role: str,
    channel_name: str,
    resume_token: str,
    now: datetime,
) -> Connected:
    """Make ``channel_name`` the one connection speaking for ``user`` in this room.

    A matching resume token keeps the peer id (the others keep their media); otherwise
    the participant gets a fresh peer id and any older connection is replaced.
    """
    with transaction.atomic():
        _lock_booking(booking.pk)
        p, _created = RoomParticipant.objects.select_for_update().get_or_create(
            booking=booking, user=user
        )
        p.booking, p.user = booking, user
        if p.state == State.REMOVED:
            raise Forbidden(_("The therapist removed you from this session."), "removed")
        present = bool(p.channel_name) and p.last_seen and p.last_seen >= now - PRESENCE_TTL
        resumed = bool(
            resume_token
            and p.peer_id
            and p.state == State.ADMITTED
            and secrets.compare_digest(resume_token, p.resume_token)
        )
        replaced = Connected(
            participant=p,
            resumed=resumed,
            replaced_channel=p.channel_name if p.channel_name != channel_name else "",
            replaced_peer_id=p.peer_id if present else "",
            replaced_was_admitted=bool(present and p.state == State.ADMITTED),
            rejoined=resumed and not present,
        )
        if not resumed:
            p.peer_id = _new_peer_id()
            p.resume_token = secrets.token_urlsafe(24)
            if p.state == State.ADMITTED:
                # Back in the room as a newcomer: they offer to everyone present.
                p.seq = _next_seq(booking.pk)
        if role == "therapist" and p.state == State.WAITING:
            _admit(p, now=now)
        p.channel_name = channel_name
        p.last_seen = now
        p.save()
        return replaced


def participant_disconnect(*, booking_id: int, user_id: int, channel_name: str) -> bool:
    """Forget the connection if it is still the current one; True if it was."""
    return bool(
        RoomParticipant.objects.filter(
            booking_id=booking_id, user_id=user_id, channel_name=channel_name
        ).update(channel_name="", last_seen=None)
    )


def participant_heartbeat(
    *, booking_id: int, user_id: int, channel_name: str, now: datetime
) -> bool:
    """Refresh presence; False if this connection no longer speaks for the user."""
    return bool(
        RoomParticipant.objects.filter(
            booking_id=booking_id, user_id=user_id, channel_name=channel_name
        ).update(last_seen=now)
    )


def participant_reclaim(
    *, booking_id: int, user_id: int, channel_name: str, now: datetime
) -> RoomParticipant | None:
    """Take presence back on the same connection after the heartbeat sweep cleared it
    (a locked phone, a tab in the background, a busy CPU): same peer id, same place in the
    room, no waiting room again. None if another connection now speaks for the person or
    the therapist removed them."""
    with transaction.atomic():
        _lock_booking(booking_id)
        p = (
            RoomParticipant.objects.select_for_update()
            .select_related("user", "booking")
            .filter(booking_id=booking_id, user_id=user_id)
            .first()
        )
        if p is None or p.channel_name or p.state == State.REMOVED:
            return None
        p.channel_name = channel_name
        p.last_seen = now
        p.save(update_fields=["channel_name", "last_seen"])
        return p


def stale_peers_sweep(*, booking_id: int, now: datetime) -> list[tuple[str, str]]:
    """Clear connections that stopped sending heartbeats; (peer id, state) of each."""
    overdue = RoomParticipant.objects.filter(
        booking_id=booking_id, last_seen__lt=now - PRESENCE_TTL
    ).exclude(channel_name="")
    # Every ping sweeps its room and nearly always finds nobody: a plain read first, so
    # the common case takes no lock (on SQLite a transaction takes the write lock).
    if not overdue.exists():
        return []
    with transaction.atomic():
        stale = list(overdue.select_for_update().values_list("pk", "peer_id", "state"))
        RoomParticipant.objects.filter(pk__in=[pk for pk, _, _ in stale]).update(
            channel_name="", last_seen=None
        )
    return [(peer_id, state) for _, peer_id, state in stale]


def _therapist_only(booking: Booking, by: User) -> None:
    if booking.therapist_id != by.pk:
        raise Forbidden(_("Only the session's therapist can do that."), "not_therapist")


def participants_admit(
    *, booking: Booking, by: User, peer_ids: list[str], now: datetime
) -> list[RoomParticipant]:
    """Admit waiting partners (one or both); the newly admitted, in the therapist's order.

    Someone already admitted is skipped, not an error: "Admit both" pressed on a list
    that was a moment old (a second tab, a double click, the partner admitted in between)
    still lets the other one in. Anyone neither waiting nor admitted (gone, removed, an
    unknown id) fails the whole request with ``not_waiting``."""
    _therapist_only(booking, by)
    with transaction.atomic():
        booking = _locked_booking(booking.pk)
        found = {
            p.peer_id: p
            for p in RoomParticipant.objects.select_for_update()
            .select_related("user")
            .filter(
                booking=booking, peer_id__in=peer_ids, state__in=(State.WAITING, State.ADMITTED)
            )
            .exclude(channel_name="")
        }
        missing = [pid for pid in peer_ids if pid not in found]
        if missing:
            raise Conflict(_("That person is no longer waiting."), "not_waiting", peer_ids=missing)
        admitted = []
        for pid in peer_ids:  # in the therapist's order, so seq follows it
            p = found[pid]
            if p.state == State.ADMITTED:
                continue
            p.booking = booking
            _admit(p, now=now)
            p.save()
            admitted.append(p)
        return admitted


def participant_remove(
    *, booking: Booking, by: User, peer_id: str, now: datetime
) -> RoomParticipant:
    """Remove a partner from this session for good (they cannot rejoin it)."""
    _therapist_only(booking, by)
    with transaction.atomic():
        _lock_booking(booking.pk)
        p = (
            RoomParticipant.objects.select_for_update()
            .filter(booking=booking, peer_id=peer_id)
            .exclude(state=State.REMOVED)
            .first()
        )
        if p is None:
            raise Conflict(_("That person is not in the room."), "unknown_peer")
        if p.user_id == booking.therapist_id:
            raise DomainError(_("The therapist cannot be removed."), "not_allowed")
        p.state = State.REMOVED
        p.removed_at = now
        p.save(update_fields=["state", "removed_at"])
        return p


def participant_set_media(*, booking_id: int, user_id: int, audio: bool, video: bool) -> None:
    RoomParticipant.objects.filter(booking_id=booking_id, user_id=user_id).update(
        audio_on=audio, video_on=video
    )


def session_end(*, booking: Booking, by: User, now: datetime) -> Booking:
    """The therapist ends the session for everyone; idempotent."""
    _therapist_only(booking, by)
    with transaction.atomic():
        booking = _locked_booking(booking.pk)
        if booking.ended_at:
            return booking
        booking.ended_at = now
        booking.status = Booking.Status.COMPLETED
        booking.save(update_fields=["ended_at", "status"])
        session_ended.send(sender=Booking, booking=booking, ended_by=by)
    return booking


CLOSE_REASONS = {
    "logout": CloseCode.SIGNED_OUT,
    "password_changed": CloseCode.SIGNED_OUT,
    "deactivated": CloseCode.NOT_ALLOWED,
}


def user_connections_close(*, user_id: int, reason: str) -> None:
    """Close every room websocket of this user, on every process (sync; call from views).

    ``reason`` is sent to the client before closing; "logout", "password_changed" and
    "deactivated" map to documented close codes, anything else to 4401.
    """
    layer = get_channel_layer()
    if layer is None:
        return
    send = async_to_sync(layer.group_send)
    message = {"type": "user.close", "reason": reason}
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        send(user_group(user_id), message)
        return
    # Sync code running on a thread that owns an event loop (a signal fired from such
    # a thread) cannot block on async_to_sync there: send from a helper thread.
    worker = threading.Thread(target=send, args=(user_group(user_id), message))
    worker.start()
    worker.join(timeout=10)
