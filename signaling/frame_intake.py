"""Frame intake for the room consumer: frames leave the socket as they arrive, the rate
limit is charged on arrival, and Channels' per-message database hop is skipped."""

from __future__ import annotations

import asyncio

from channels.consumer import get_handler_name
from django.utils.translation import gettext as _

from signaling import protocol


class FrameIntake:
    """Mixed into RoomConsumer ahead of AsyncWebsocketConsumer; relies on its
    ``server_closed`` flag and ``_error`` reply."""

    async def dispatch(self, message: dict) -> None:
        """Channels' dispatch without its per-message ``aclose_old_connections`` hop to
        the database thread: every database call here goes through
        ``database_sync_to_async``, which closes stale connections itself."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def __call__(self, scope, receive, send):
        """Take frames off the socket as they arrive, apart from handling them: the rate
        limit is charged at arrival (a flood queued behind slow handlers is still a flood),
        and once the client has gone the frames queued behind it are skipped, so the
        leave is handled at once instead of after the backlog (or never, if the server
        gives up waiting for the consumer)."""
        self.bucket = protocol.TokenBucket()
        self.client_gone = False
        arrivals: asyncio.Queue = asyncio.Queue()

        async def take_off_the_socket() -> None:
            while True:
                message = await receive()
                if message["type"] == "websocket.receive":
                    message["within_rate"] = self.bucket.take()
                elif message["type"] == "websocket.disconnect":
                    self.client_gone = True
                arrivals.put_nowait(message)
                if message["type"] == "websocket.disconnect":
                    return

        pump = asyncio.create_task(take_off_the_socket())
        try:
            await super().__call__(scope, arrivals.get, send)
        finally:
            pump.cancel()

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
