"""Helpers for driving the room consumer with WebsocketCommunicator."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections
from django.utils import timezone

from config.asgi import application


def run_async(fn, *args):
    """Run ``fn(*args)`` to completion on a fresh event loop in its own thread.

    The session-wide Playwright browser keeps an event loop in the main thread, so
    neither ``asyncio.run`` nor ``async_to_sync`` may be used there once it started.
    """

    def work():
        try:
            return asyncio.run(fn(*args))
        finally:
            # The ORM ran on asgiref's long-lived sync thread; close its connections
            # so the test database can be dropped at the end of the session.
            asyncio.run(sync_to_async(connections.close_all, thread_sensitive=True)())

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(work).result()


def make_booking(therapist, couple, *, starts_in=timedelta(minutes=5), minutes=50, **extra):
    from scheduling.models import Booking

    starts = timezone.now() + starts_in
    return Booking.objects.create(
        therapist=therapist,
        couple=couple,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=minutes),
        status=extra.pop("status", Booking.Status.CONFIRMED),
        format=extra.pop("format", Booking.Format.VIDEO),
        **extra,
    )


class Peer:
    """One websocket participant: connect, send JSON, wait for a message type."""

    def __init__(self, booking, user, *, query: str = "", room_id: str | None = None) -> None:
        path = f"/ws/rooms/{room_id or booking.room_id}/" + (f"?{query}" if query else "")
        self.comm = WebsocketCommunicator(
            application, path, headers=[(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")]
        )
        self.comm.scope["user"] = user
        self.inbox: list[dict] = []
        self.closed_code: int | None = None
        self.welcome: dict = {}

    async def connect(self) -> dict:
        connected, _ = await self.comm.connect()
        assert connected
        self.welcome = await self.expect("welcome")
        return self.welcome

    async def refused(self) -> tuple[dict, int]:
        connected, _ = await self.comm.connect()
        assert connected  # accepted only to deliver the close code
        error = json.loads((await self.comm.receive_output(10))["text"])
        closing = await self.comm.receive_output(10)
        assert closing["type"] == "websocket.close"
        return error, closing["code"]

    @property
    def peer_id(self) -> str:
        return self.welcome["peer_id"]

    async def send(self, **msg) -> None:
        await self.comm.send_to(text_data=json.dumps(msg))

    async def send_text(self, text: str) -> None:
        await self.comm.send_input({"type": "websocket.receive", "text": text})

    async def send_bytes(self, data: bytes) -> None:
        await self.comm.send_input({"type": "websocket.receive", "bytes": data})

    async def next(self, timeout: float = 10) -> dict:
        out = await self.comm.receive_output(timeout)
        if out["type"] == "websocket.close":
            self.closed_code = out.get("code")
            return {"type": "__closed__", "code": out.get("code")}
        return json.loads(out["text"])

    async def expect(self, kind: str, timeout: float = 10, where=None, **match) -> dict:
        """The next message of this type (others are kept in the inbox)."""

        def fits(msg: dict) -> bool:
            return (
                msg["type"] == kind
                and all(msg.get(k) == v for k, v in match.items())
                and (where is None or where(msg))
            )

        for i, msg in enumerate(self.inbox):
            if fits(msg):
                return self.inbox.pop(i)
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            left = deadline - asyncio.get_running_loop().time()
            assert left > 0, f"no {kind} {match}; inbox: {self.inbox}"
            msg = await self.next(left)
            if fits(msg):
                return msg
            if msg["type"] == "__closed__":
                raise AssertionError(f"closed {msg['code']} while waiting for {kind}; {self.inbox}")
            self.inbox.append(msg)

    async def closed(self, timeout: float = 10) -> int:
        deadline = asyncio.get_running_loop().time() + timeout
        while self.closed_code is None:
            left = deadline - asyncio.get_running_loop().time()
            assert left > 0, f"not closed; inbox {self.inbox}"
            msg = await self.next(left)
            if msg["type"] != "__closed__":
                self.inbox.append(msg)
        return self.closed_code

    async def quiet(self, *kinds: str, timeout: float = 0.3) -> bool:
        """True if no message of these kinds (default: relayed ones) arrives for a moment."""
        kinds = kinds or ("offer", "answer", "ice", "restart_ice")
        if any(m["type"] in kinds for m in self.inbox):
            return False
        while not await self.comm.receive_nothing(timeout):
            msg = await self.next()
            if msg["type"] in kinds:
                return False
            self.inbox.append(msg)
        return True

    async def leave(self) -> None:
        await self.comm.disconnect()
