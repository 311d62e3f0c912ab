"""Frame intake for the room consumer: frames leave the socket as they arrive, the rate
limit is charged on arrival, and Channels' per-message overheads are skipped (a database
hop before every handler, a task and an ``asyncio.wait`` per message, a session check on
every outgoing frame)."""

from __future__ import annotations

import asyncio
import functools

from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.layers import get_channel_layer
from channels.sessions import InstanceSessionWrapper
from django.utils.translation import gettext as _

from signaling import protocol


class FrameIntake:
    """Mixed into RoomConsumer ahead of AsyncWebsocketConsumer; relies on its
    ``server_closed`` flag, ``_error`` reply and ``_language`` choice."""

    async def dispatch(self, message: dict) -> None:
        """Channels' dispatch without its per-message ``aclose_old_connections`` hop to
        the database thread: every database call here goes through
        ``database_sync_to_async``, which closes stale connections itself."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def __call__(self, scope, receive, send):
        """Channels' ``AsyncConsumer.__call__``, reworked for a busy relay.

        - Frames are taken off the socket as they arrive, apart from handling them: the
          rate limit is charged at arrival (a flood queued behind slow handlers is still a
          flood), and once the client has gone the frames queued behind it are skipped,
          so the leave is handled at once instead of after the backlog (or never, if the
          server gives up waiting for the consumer).
        - Socket frames and channel-layer events meet in one queue, handled one at a time
          in arrival order, as Channels does; but Channels' ``await_many_dispatch`` makes a
          task and an ``asyncio.wait`` per message, a tenth of a relayed message's cost.
        - The person's language is set once for the connection: this task handles all
          of its messages, so what the server tells them reads like the page they opened.
        - Channels' session wrapper inspects the session on every outgoing message to
          save it on HTTP responses; a websocket sends none, so frames go straight out.
        """
        self.scope = scope
        self.bucket = protocol.TokenBucket()
        self.client_gone = False
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        self.channel_name = await self.channel_layer.new_channel()
        self.channel_receive = functools.partial(self.channel_layer.receive, self.channel_name)
        wrapper = getattr(send, "__self__", None)
        self.base_send = wrapper.real_send if isinstance(wrapper, InstanceSessionWrapper) else send
        self._activate_language()
        arrivals: asyncio.Queue = asyncio.Queue()

        async def from_socket() -> dict:
            message = await receive()
            if message["type"] == "websocket.receive":
                message["within_rate"] = self.bucket.take()
            elif message["type"] == "websocket.disconnect":
                self.client_gone = True
            return message

        async def pump(source) -> None:
            """Move messages into the queue; a broken source is raised in the loop below,
            as Channels would."""
            try:
                while True:
                    message = await source()
                    arrivals.put_nowait(message)
                    if message["type"] == "websocket.disconnect":
                        return
            except Exception as exc:
                arrivals.put_nowait(exc)

        pumps = [
            asyncio.create_task(pump(from_socket)),
            asyncio.create_task(pump(self.channel_receive)),
        ]
        try:
            while True:
                message = await arrivals.get()
                if isinstance(message, Exception):
                    raise message
                await self.dispatch(message)
        except StopConsumer:
            pass
        finally:
            for task in pumps:
                task.cancel()
            await asyncio.gather(*pumps, return_exceptions=True)

    async def websocket_receive(self, message: dict) -> None:
        if self.server_closed:
            return  # we closed it: what was queued behind the close is moot
        if not message.get("within_rate", True):
            if self.client_gone:
                return
            ref = protocol.message_ref(message.get("text"))
            await self._error("rate_limited", _("Too many messages; slow down."), ref=ref)
            return
        await super().websocket_receive(message)
