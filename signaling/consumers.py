"""The room signaling consumer at /ws/rooms/<room id>/ (protocol: docs/signaling.md).

It only routes: SDP and ICE go to one addressed peer, stamped with the sender's
server-assigned peer id; presence and admission are written through services.

Delivery is local first: a peer (or room member) connected to this same process gets
relays and room events handed over directly, without a channel-layer round trip; the
layer carries them to other processes. Room events still go through the layer too,
stamped with this process's id so local members ignore the copy they already have.
"""

from __future__ import annotations

import asyncio
import json
import logging
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.errors import DomainError
from signaling import consumer_db, protocol, selectors, services
from signaling.frame_intake import FrameIntake
from signaling.local_delivery import LOCAL_PEERS, LOCAL_ROOMS, PROCESS_ID
from signaling.models import RoomParticipant
from signaling.room_messages import ClientMessages
from signaling.turn import ice_servers_for

log = logging.getLogger(__name__)
State = RoomParticipant.State

CLOSE_REPLACED = protocol.CloseCode.REPLACED
CLOSE_REMOVED = protocol.CloseCode.REMOVED
CLOSE_ENDED = protocol.CloseCode.ENDED
CLOSE_ABUSE = protocol.CloseCode.ABUSE
# Closes that mean "I am leaving"; anything else (1006 network loss, ...) may come back.
NORMAL_CLOSES = (1000, 1001)

__all__ = ["LOCAL_PEERS", "LOCAL_ROOMS", "PROCESS_ID", "RoomConsumer"]


class RoomConsumer(FrameIntake, ClientMessages, AsyncWebsocketConsumer):
    """Lifecycle (join, leave, end of session), group events and the send helpers; frame
    intake is in signaling/frame_intake.py, the client's messages in signaling/room_messages.py."""

    # --- language ----------------------------------------------------------------------

    def _activate_language(self) -> None:
        """Everything this connection's task tells the person (a refusal, an error's
        detail) in their own language, like the room page they opened."""
        translation.activate(self._language())

    def _language(self) -> str:
        """The account's language, else the visitor's language cookie, else the default
        (the same choice as UserLanguageMiddleware, without Accept-Language)."""
        cached = getattr(self, "language", None)
        if cached:
            return cached
        user = self.scope.get("user")
        code = user.language if user is not None and user.is_authenticated else ""
        code = code or self.scope.get("cookies", {}).get(settings.LANGUAGE_COOKIE_NAME, "")
        try:
            self.language = translation.get_supported_language_variant(code)
        except LookupError:
            self.language = settings.LANGUAGE_CODE
        return self.language

    # --- lifecycle -------------------------------------------------------------------

    async def connect(self) -> None:
        self.user = self.scope["user"]
        self.peer_id = ""
        self.state = ""
        self.groups_joined: list[str] = []
        self.peers: dict[str, dict] = {}
        self.removed_peers: set[str] = set()
        self.strikes = 0
        self.left = False
        self.timer: asyncio.Task | None = None
        self.server_closed = False
        room_id = self.scope["url_route"]["kwargs"]["room_id"]
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        resume = query.get("resume", [""])[0][:64]
        try:
            joined = await consumer_db.join(
                self.scope, room_id, self.user, self.channel_name, resume
            )
        except selectors.RoomRefused as refused:
            await self._refuse(refused.code, refused.detail, refused.close_code)
            return
        except DomainError as exc:  # removed between the check and the write
            await self._refuse(exc.code, exc.detail, CLOSE_REMOVED)
            return
        access, connected = joined.access, joined.connected
        self.booking = access.booking
        self.role = access.role
        p = connected.participant
        self.peer_id, self.seq, self.state = p.peer_id, p.seq, p.state
        self.resume_token = p.resume_token
        await self.accept()
        LOCAL_PEERS[self.peer_id] = self
        LOCAL_ROOMS.setdefault(self.booking.pk, set()).add(self)
        for group in (
            services.user_group(self.user.pk),
            services.peer_group(self.peer_id),
            services.room_group(self.booking.pk),
        ):
            await self.channel_layer.group_add(group, self.channel_name)
            self.groups_joined.append(group)
        if connected.replaced_channel:
            await self.channel_layer.send(connected.replaced_channel, {"type": "conn.replaced"})
        if connected.replaced_was_admitted and not connected.resumed:
            await self._announce(
                {"type": "peer_left", "peer_id": connected.replaced_peer_id, "reason": "replaced"}
            )
        if self.state == State.ADMITTED:
            me = selectors.peer_view(p)
            await self._announce({"type": "peer_joined", "peer": me, "resumed": connected.resumed})
        else:
            await self._announce_waiting(joined.waiting)
        await self._send_state(
            "welcome",
            resumed=connected.resumed,
            rejoined=connected.rejoined,
            admitted=joined.admitted,
            waiting=joined.waiting,
        )
        delay = (access.closes_at - timezone.now()).total_seconds()
        self.timer = asyncio.create_task(self._close_at_end(max(delay, 0)))

    async def close(self, code=None, reason=None) -> None:
        self.server_closed = True
        # Daphne's websocket library takes only a plain int: an IntEnum close code made
        # it fail the close with 1011 (seen across two processes, not in-process tests).
        await super().close(code=None if code is None else int(code), reason=reason)

    async def _refuse(self, code: str, detail: str, close_code: int) -> None:
        # Accept first: a close code can only be sent on an open websocket.
        await self.accept()
        await self._send({"type": "error", "code": code, "detail": str(detail), "fatal": True})
        await self.close(code=close_code)

    def _forget_locally(self) -> None:
        if self.peer_id and LOCAL_PEERS.get(self.peer_id) is self:
            del LOCAL_PEERS[self.peer_id]
        booking = getattr(self, "booking", None)
        if booking is not None:
            members = LOCAL_ROOMS.get(booking.pk)
            if members is not None:
                members.discard(self)
                if not members:
                    del LOCAL_ROOMS[booking.pk]

    async def disconnect(self, code: int) -> None:
        if self.timer:
            self.timer.cancel()
        self._forget_locally()
        if self.peer_id and not (
            self.state == State.ADMITTED and code not in NORMAL_CLOSES and not self.server_closed
        ):
            await self._leave("left")
        # else: a dropped socket, not a goodbye: peer-to-peer media may still be flowing.
        # Stay present so a resume keeps every peer connection; if nobody comes back,
        # the heartbeat sweep announces the leave (reason "timeout").
        await self._discard_groups()

    async def _discard_groups(self) -> None:
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.groups_joined = []

    async def _leave(self, reason: str) -> None:
        """Stop being present and tell the room, once."""
        if self.left or not self.peer_id:
            return
        self.left = True
        current = await database_sync_to_async(services.participant_disconnect)(
            booking_id=self.booking.pk, user_id=self.user.pk, channel_name=self.channel_name
        )
        if not current:
            return  # replaced or removed: whoever did that has announced it
        if self.state == State.ADMITTED:
            await self._announce({"type": "peer_left", "peer_id": self.peer_id, "reason": reason})
        elif self.state == State.WAITING:
            await self._announce_waiting()

    async def _close_at_end(self, delay: float) -> None:
        await asyncio.sleep(delay)
        await self._send({"type": "ended", "reason": "time"})
        await self.close(code=CLOSE_ENDED)

    # --- incoming ----------------------------------------------------------------------
    # --- group events -------------------------------------------------------------------

    async def room_event(self, event: dict) -> None:
        if event.get("origin") == PROCESS_ID and not event.get("direct"):
            return  # handed over directly already (see _group_event)
        payload, audience = event["payload"], event["audience"]
        kind = payload["type"]
        if kind == "peer_joined" and payload["peer"]["peer_id"] == self.peer_id:
            if self.state == State.WAITING:  # I was just admitted
                self.state = State.ADMITTED
                self.seq = payload["peer"]["seq"]
                await self._send_state("admitted")
            return
        if event.get("exclude") and event["exclude"] == self.peer_id:
            return
        if kind == "peer_left":
            self.peers.pop(payload["peer_id"], None)
            if payload["reason"] == "removed":
                self.removed_peers.add(payload["peer_id"])
        if audience == "therapist" and self.role != "therapist":
            return
        if audience == "admitted" and self.state != State.ADMITTED:
            return
        if kind == "peer_joined":
            peer = dict(payload["peer"])
            self.peers[peer["peer_id"]] = peer
            payload = {**payload, "peer": self._for_me(peer)}
        await self._send(payload)
        if kind == "ended":
            await self.close(code=CLOSE_ENDED)

    async def relay(self, event: dict) -> None:
        payload = event["payload"]
        if self.state != State.ADMITTED or payload["from"] in self.removed_peers:
            return
        await self._send(payload)

    async def conn_replaced(self, event: dict) -> None:
        self.state = ""
        await self._send(
            {"type": "replaced", "detail": _("You joined from another tab or device.")}
        )
        await self.close(code=CLOSE_REPLACED)

    async def conn_removed(self, event: dict) -> None:
        self.state = State.REMOVED
        await self._send(
            {"type": "removed", "detail": _("The therapist removed you from this session.")}
        )
        await self.close(code=CLOSE_REMOVED)

    async def user_close(self, event: dict) -> None:
        reason = event.get("reason", "logout")
        await self._send({"type": "closing", "reason": reason})
        await self.close(code=services.CLOSE_REASONS.get(reason, protocol.CloseCode.SIGNED_OUT))

    # --- helpers ---------------------------------------------------------------------------

    def _for_me(self, peer: dict) -> dict:
        """Add the pair roles: the later joiner (higher seq) offers and is impolite."""
        return {**peer, "initiator": self.seq > peer["seq"], "polite": self.seq < peer["seq"]}

    async def _send_state(
        self,
        kind: str,
        resumed: bool = False,
        rejoined: bool = False,
        admitted: list[dict] | None = None,
        waiting: list[dict] | None = None,
    ) -> None:
        """``admitted``/``waiting``: the lists when the caller has them already (a join
        reads them in its one database call)."""
        if self.state != State.ADMITTED:
            peers = []
        elif admitted is not None:
            peers = admitted
        else:
            peers = await consumer_db.present(self.booking.pk, State.ADMITTED)
        peers = [p for p in peers if p["peer_id"] != self.peer_id]
        self.peers = {p["peer_id"]: p for p in peers}
        message = {
            "type": kind,
            "peer_id": self.peer_id,
            "role": self.role,
            "state": self.state,
            "seq": self.seq,
            "peers": [self._for_me(p) for p in peers],
            "rejoined": rejoined,
        }
        if self.role == "therapist":
            message["waiting"] = (
                waiting
                if waiting is not None
                else await consumer_db.present(self.booking.pk, State.WAITING)
            )
        if kind == "welcome":
            message.update(
                resume_token=self.resume_token,
                resumed=resumed,
                ice_servers=ice_servers_for(user_id=self.user.pk, now=timezone.now()),
                limits={
                    "max_message_bytes": protocol.MAX_MESSAGE_BYTES,
                    "rate_per_second": protocol.RATE_PER_SECOND,
                    "burst": protocol.RATE_BURST,
                    "heartbeat_seconds": protocol.HEARTBEAT_SECONDS,
                },
            )
        await self._send(message)

    async def _announce(self, payload: dict, audience: str = "admitted", exclude: str = "") -> None:
        await self._group_event(
            {"type": "room.event", "payload": payload, "audience": audience, "exclude": exclude}
        )

    async def _announce_waiting(self, waiting: list[dict] | None = None) -> None:
        if waiting is None:
            waiting = await consumer_db.present(self.booking.pk, State.WAITING)
        await self._group_event(
            {
                "type": "room.event",
                "payload": {"type": "waiting", "waiting": waiting},
                "audience": "therapist",
            }
        )

    async def _group_event(self, event: dict) -> None:
        """To the room: members in this process directly, in order with direct relays
        (an offer never overtakes the peer_joined that announced its sender); the
        layer copy reaches the other processes, and local members skip it."""
        for member in list(LOCAL_ROOMS.get(self.booking.pk, ())):
            try:
                await member.room_event({**event, "direct": True})
            except Exception:  # one member's closed socket must not stop the others
                log.exception("direct room event to %s failed", member.peer_id)
        await self.channel_layer.group_send(
            services.room_group(self.booking.pk), {**event, "origin": PROCESS_ID}
        )

    async def _send(self, payload: dict) -> None:
        await self.send(text_data=json.dumps(payload))

    async def _error(self, code: str, detail: str, **extra) -> None:
        self.strikes += 1
        extra = {k: v for k, v in extra.items() if v is not None}
        await self._send({"type": "error", "code": code, "detail": str(detail), **extra})
        if self.strikes >= protocol.MAX_STRIKES:
            await self._send(
                {
                    "type": "error",
                    "code": "abuse",
                    "detail": _("Too many bad messages."),
                    "fatal": True,
                }
            )
            # Gone from the room now, not when (or if) the close handshake completes.
            self.server_closed = True
            await self._leave("abuse")
            await self._discard_groups()
            await self.close(code=CLOSE_ABUSE)
