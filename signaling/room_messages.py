"""What a room client may send (protocol: docs/signaling.md): one handler per message type.

``receive`` checks who may send what, then calls ``on_<type>``; a refusal or failure
answers an error and keeps the socket up.
"""

from __future__ import annotations

import logging

from channels.db import database_sync_to_async
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from signaling import consumer_db, protocol, selectors, services
from signaling.local_delivery import LOCAL_PEERS
from signaling.models import RoomParticipant

# The consumer's logger: a failed message is logged where it always was.
log = logging.getLogger("signaling.consumers")
State = RoomParticipant.State


class ClientMessages:
    """Mixed into RoomConsumer: the handlers use its room state and send helpers."""

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            msg = protocol.parse(text_data, bytes_data)
        except protocol.ProtocolError as exc:
            await self._error(exc.code, exc.detail, ref=exc.ref)
            return
        kind = msg["type"]
        if self.client_gone and kind in protocol.ANSWERED_ONLY:
            return  # its only effect is an answer nobody will read; get to the leave sooner
        ref = {"ref": msg.get("id"), "ref_type": kind}
        if kind in protocol.THERAPIST_ONLY and self.role != "therapist":
            await self._error("not_allowed", _("Only the therapist can do that."), **ref)
            return
        if kind in protocol.ADMITTED_ONLY and self.state != State.ADMITTED:
            await self._error("not_admitted", _("Wait until the therapist admits you."), **ref)
            return
        try:
            await getattr(self, f"on_{kind}")(msg)
        except DomainError as exc:
            await self._error(exc.code, exc.detail, **ref)
        except Exception:
            log.exception("room message %s failed", kind)
            await self._error("server_error", _("That did not work; please try again."), **ref)

    async def on_offer(self, msg: dict) -> None:
        await self._relay(msg)

    on_answer = on_offer
    on_ice = on_offer
    on_restart_ice = on_offer

    async def _relay(self, msg: dict) -> None:
        to = msg["to"]
        if to == self.peer_id:
            await self._error(
                "invalid",
                _("You cannot address yourself."),
                ref=msg.get("id"),
                ref_type=msg["type"],
            )
            return
        if to not in self.peers:
            peer = await consumer_db.admitted_peer(self.booking.pk, to)
            if peer is None:
                await self._error(
                    "unknown_peer",
                    _("No such peer in this room."),
                    ref=msg.get("id"),
                    ref_type=msg["type"],
                    to=to,
                )
                return
            self.peers[to] = peer
        payload = {k: v for k, v in msg.items() if k != "id"}
        payload["from"] = self.peer_id  # stamped here: clients cannot speak for others
        target = LOCAL_PEERS.get(to)
        if target is not None and target.booking.pk == self.booking.pk:
            await target.relay({"type": "relay", "payload": payload})
            return
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
        admitted, waiting = await consumer_db.admit(self.booking, self.user, msg["peer_ids"])
        for peer in admitted:
            await self._announce({"type": "peer_joined", "peer": peer, "resumed": False})
        await self._announce_waiting(waiting)

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
        beat = await consumer_db.heartbeat(
            self.scope, self.booking.pk, self.user.pk, self.channel_name, now
        )
        if beat.ended:
            await self.user_close({"reason": beat.ended})
            return
        if not beat.current:
            await self._reclaim(now)
            return
        await self._send({"type": "pong"})
        for peer_id, state in beat.stale:
            if state == State.ADMITTED:
                await self._announce({"type": "peer_left", "peer_id": peer_id, "reason": "timeout"})
        if any(state == State.WAITING for _, state in beat.stale):
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
