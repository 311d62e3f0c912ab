"""The room signaling consumer at /ws/rooms/<room id>/ (protocol: docs/signaling.md).

It only routes: SDP and ICE go to one addressed peer, stamped with the sender's
server-assigned peer id; presence and admission are written through services.
"""

from __future__ import annotations

import asyncio
import json
import logging
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.utils import timezone

from core.errors import DomainError
from signaling import protocol, selectors, services
from signaling.models import RoomParticipant
from signaling.turn import ice_servers_for

log = logging.getLogger(__name__)
State = RoomParticipant.State

CLOSE_REPLACED = protocol.CloseCode.REPLACED
CLOSE_REMOVED = protocol.CloseCode.REMOVED
CLOSE_ENDED = protocol.CloseCode.ENDED
CLOSE_ABUSE = protocol.CloseCode.ABUSE
# Closes that mean "I am leaving"; anything else (1006 network loss, ...) may come back.
NORMAL_CLOSES = (1000, 1001)


@database_sync_to_async
def _access(room_id, user):
    return selectors.room_access(room_id=room_id, user=user, now=timezone.now())


@database_sync_to_async
def _connect(access, user, channel_name, resume):
    return services.participant_connect(
        booking=access.booking,
        user=user,
        role=access.role,
        channel_name=channel_name,
        resume_token=resume,
        now=timezone.now(),
    )


@database_sync_to_async
def _present(booking_id, state):
    rows = selectors.present_participants(booking_id=booking_id, now=timezone.now(), state=state)
    return [selectors.peer_view(p) for p in rows]


@database_sync_to_async
def _admitted_peer(booking_id, peer_id):
    p = selectors.admitted_peer(booking_id=booking_id, peer_id=peer_id, now=timezone.now())
    return selectors.peer_view(p) if p else None


@database_sync_to_async
def _ice_servers(user_id):
    return ice_servers_for(user_id=user_id, now=timezone.now())


class RoomConsumer(AsyncWebsocketConsumer):
    # --- lifecycle -------------------------------------------------------------------

    async def connect(self) -> None:
        self.user = self.scope["user"]
        self.peer_id = ""
        self.state = ""
        self.groups_joined: list[str] = []
        self.peers: dict[str, dict] = {}
        self.removed_peers: set[str] = set()
        self.bucket = protocol.TokenBucket()
        self.strikes = 0
        self.timer: asyncio.Task | None = None
        self.server_closed = False
        room_id = self.scope["url_route"]["kwargs"]["room_id"]
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        resume = query.get("resume", [""])[0][:64]
        try:
            access = await _access(room_id, self.user)
            connected = await _connect(access, self.user, self.channel_name, resume)
        except selectors.RoomRefused as refused:
            await self._refuse(refused.code, refused.detail, refused.close_code)
            return
        except DomainError as exc:  # removed between the check and the write
            await self._refuse(exc.code, exc.detail, CLOSE_REMOVED)
            return
        self.booking = access.booking
        self.role = access.role
        p = connected.participant
        self.peer_id, self.seq, self.state = p.peer_id, p.seq, p.state
        self.resume_token = p.resume_token
        await self.accept()
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
            await self._announce_waiting()
        await self._send_state("welcome", resumed=connected.resumed, rejoined=connected.rejoined)
        delay = (access.closes_at - timezone.now()).total_seconds()
        self.timer = asyncio.create_task(self._close_at_end(max(delay, 0)))

    async def close(self, code=None, reason=None) -> None:
        self.server_closed = True
        await super().close(code=code, reason=reason)

    async def _refuse(self, code: str, detail: str, close_code: int) -> None:
        # Accept first: a close code can only be sent on an open websocket.
        await self.accept()
        await self._send({"type": "error", "code": code, "detail": detail, "fatal": True})
        await self.close(code=close_code)

    async def disconnect(self, code: int) -> None:
        if self.timer:
            self.timer.cancel()
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        if not self.peer_id:
            return
        if self.state == State.ADMITTED and code not in NORMAL_CLOSES and not self.server_closed:
            # A dropped socket, not a goodbye: peer-to-peer media may still be flowing.
            # Stay present so a resume keeps every peer connection; if nobody comes
            # back, the heartbeat sweep announces the leave (reason "timeout").
            return
        current = await database_sync_to_async(services.participant_disconnect)(
            booking_id=self.booking.pk, user_id=self.user.pk, channel_name=self.channel_name
        )
        if not current:
            return  # replaced or removed: whoever did that has announced it
        if self.state == State.ADMITTED:
            await self._announce({"type": "peer_left", "peer_id": self.peer_id, "reason": "left"})
        elif self.state == State.WAITING:
            await self._announce_waiting()

    async def _close_at_end(self, delay: float) -> None:
        await asyncio.sleep(delay)
        await self._send({"type": "ended", "reason": "time"})
        await self.close(code=CLOSE_ENDED)

    # --- incoming ----------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if not self.bucket.take():
            await self._error("rate_limited", "Too many messages; slow down.")
            return
        try:
            msg = protocol.parse(text_data, bytes_data)
        except protocol.ProtocolError as exc:
            await self._error(exc.code, exc.detail)
            return
        kind = msg["type"]
        ref = {"ref": msg.get("id"), "ref_type": kind}
        if kind in protocol.THERAPIST_ONLY and self.role != "therapist":
            await self._error("not_allowed", "Only the therapist can do that.", **ref)
            return
        if kind in protocol.ADMITTED_ONLY and self.state != State.ADMITTED:
            await self._error("not_admitted", "Wait until the therapist admits you.", **ref)
            return
        try:
            await getattr(self, f"on_{kind}")(msg)
        except DomainError as exc:
            await self._error(exc.code, exc.detail, **ref)
        except Exception:
            log.exception("room message %s failed", kind)
            await self._error("server_error", "That did not work; please try again.", **ref)

    async def on_offer(self, msg: dict) -> None:
        await self._relay(msg)

    on_answer = on_offer
    on_ice = on_offer
    on_restart_ice = on_offer

    async def _relay(self, msg: dict) -> None:
        to = msg["to"]
        if to == self.peer_id:
            await self._error("invalid", "You cannot address yourself.", ref_type=msg["type"])
            return
        if to not in self.peers:
            peer = await _admitted_peer(self.booking.pk, to)
            if peer is None:
                await self._error(
                    "unknown_peer",
                    "No such peer in this room.",
                    ref=msg.get("id"),
                    ref_type=msg["type"],
                    to=to,
                )
                return
            self.peers[to] = peer
        payload = {k: v for k, v in msg.items() if k != "id"}
        payload["from"] = self.peer_id  # stamped here: clients cannot speak for others
        await self.channel_layer.group_send(
            services.peer_group(to), {"type": "relay", "payload": payload}
        )

    async def on_media(self, msg: dict) -> None:
        await database_sync_to_async(services.participant_set_media)(
            booking_id=self.booking.pk, user_id=self.user.pk, audio=msg["audio"], video=msg["video"]
        )
        await self._announce(
            {"type": "media", "from": self.peer_id, "audio": msg["audio"], "video": msg["video"]},
            exclude=self.peer_id,
        )

    async def on_admit(self, msg: dict) -> None:
        admitted = await database_sync_to_async(services.participants_admit)(
            booking=self.booking, by=self.user, peer_ids=msg["peer_ids"], now=timezone.now()
        )
        for p in admitted:
            await self._announce(
                {"type": "peer_joined", "peer": selectors.peer_view(p), "resumed": False}
            )
        await self._announce_waiting()

    async def on_remove(self, msg: dict) -> None:
        p = await database_sync_to_async(services.participant_remove)(
            booking=self.booking, by=self.user, peer_id=msg["peer_id"], now=timezone.now()
        )
        await self.channel_layer.group_send(
            services.peer_group(p.peer_id), {"type": "conn.removed"}
        )
        await self._announce({"type": "peer_left", "peer_id": p.peer_id, "reason": "removed"})
        await self._announce_waiting()

    async def on_end(self, msg: dict) -> None:
        await database_sync_to_async(services.session_end)(
            booking=self.booking, by=self.user, now=timezone.now()
        )
        await self._announce({"type": "ended", "reason": "ended_by_therapist"}, audience="all")

    async def on_ping(self, msg: dict) -> None:
        now = timezone.now()
        current = await database_sync_to_async(services.participant_heartbeat)(
            booking_id=self.booking.pk,
            user_id=self.user.pk,
            channel_name=self.channel_name,
            now=now,
        )
        if not current:
            await self._reclaim(now)
            return
        await self._send({"type": "pong"})
        stale = await database_sync_to_async(services.stale_peers_sweep)(
            booking_id=self.booking.pk, now=now
        )
        for peer_id, state in stale:
            if state == State.ADMITTED:
                await self._announce({"type": "peer_left", "peer_id": peer_id, "reason": "timeout"})
        if any(state == State.WAITING for _, state in stale):
            await self._announce_waiting()

    async def _reclaim(self, now) -> None:
        """This socket went quiet long enough for the sweep to drop it; if nobody took its
        place, come back where we were and let the others reconnect to us."""
        back = await database_sync_to_async(services.participant_reclaim)(
            booking_id=self.booking.pk,
            user_id=self.user.pk,
            channel_name=self.channel_name,
            now=now,
        )
        if back is None:
            await self.conn_replaced({})
            return
        self.state, self.seq = back.state, back.seq
        await self._send_state("state", rejoined=True)
        if self.state == State.ADMITTED:
            peer = selectors.peer_view(back)
            await self._announce({"type": "peer_joined", "peer": peer, "resumed": True})
        else:
            await self._announce_waiting()

    async def on_sync(self, msg: dict) -> None:
        await self._send_state("state")

    # --- group events -------------------------------------------------------------------

    async def room_event(self, event: dict) -> None:
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
        await self._send({"type": "replaced", "detail": "You joined from another tab or device."})
        await self.close(code=CLOSE_REPLACED)

    async def conn_removed(self, event: dict) -> None:
        self.state = State.REMOVED
        await self._send(
            {"type": "removed", "detail": "The therapist removed you from this session."}
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

    async def _send_state(self, kind: str, resumed: bool = False, rejoined: bool = False) -> None:
        admitted = self.state == State.ADMITTED
        peers = await _present(self.booking.pk, State.ADMITTED) if admitted else []
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
            message["waiting"] = await _present(self.booking.pk, State.WAITING)
        if kind == "welcome":
            message.update(
                resume_token=self.resume_token,
                resumed=resumed,
                ice_servers=await _ice_servers(self.user.pk),
                limits={
                    "max_message_bytes": protocol.MAX_MESSAGE_BYTES,
                    "rate_per_second": protocol.RATE_PER_SECOND,
                    "burst": protocol.RATE_BURST,
                    "heartbeat_seconds": protocol.HEARTBEAT_SECONDS,
                },
            )
        await self._send(message)

    async def _announce(self, payload: dict, audience: str = "admitted", exclude: str = "") -> None:
        await self.channel_layer.group_send(
            services.room_group(self.booking.pk),
            {"type": "room.event", "payload": payload, "audience": audience, "exclude": exclude},
        )

    async def _announce_waiting(self) -> None:
        waiting = await _present(self.booking.pk, State.WAITING)
        await self.channel_layer.group_send(
            services.room_group(self.booking.pk),
            {
                "type": "room.event",
                "payload": {"type": "waiting", "waiting": waiting},
                "audience": "therapist",
            },
        )

    async def _send(self, payload: dict) -> None:
        await self.send(text_data=json.dumps(payload))

    async def _error(self, code: str, detail: str, **extra) -> None:
        self.strikes += 1
        await self._send({"type": "error", "code": code, "detail": detail, **extra})
        if self.strikes >= protocol.MAX_STRIKES:
            await self._send({"type": "error", "code": "abuse", "detail": "Too many bad messages."})
            await self.close(code=CLOSE_ABUSE)
