"""The HTTP session policy (idle timeout, lifetime) holds over the room websocket too:
at connect and on every heartbeat (security test finding 6)."""

from __future__ import annotations

import time

import pytest
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from accounts import session_control
from config.asgi import application
from signaling.models import RoomParticipant
from tests.signaling.helpers import Peer, run_async

pytestmark = pytest.mark.django_db(transaction=True)


def _signed_in_peer(booking, user) -> tuple[Peer, str]:
    """A peer whose user comes from a real session cookie, as in a browser."""
    client = Client()
    client.force_login(user)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    peer = Peer(booking, user)
    peer.comm = WebsocketCommunicator(
        application,
        f"/ws/rooms/{booking.room_id}/",
        headers=[
            (b"origin", b"http://127.0.0.1"),
            (b"host", b"127.0.0.1"),
            (b"cookie", f"{settings.SESSION_COOKIE_NAME}={key}".encode()),
        ],
    )
    return peer, key


def _idle_for(key: str, minutes: int) -> None:
    store = session_control._store(key)
    store[session_control.LAST_SEEN] = time.time() - minutes * 60
    store.save()


def test_an_idle_session_cannot_join_a_room(booking, partner_a):
    peer, key = _signed_in_peer(booking, partner_a)
    _idle_for(key, 61)

    async def scenario():
        error, closed = await peer.refused()
        assert (error["code"], closed) == ("session_expired", 4401)

    run_async(scenario)
    assert not RoomParticipant.objects.exists()
    # The session is ended as an HTTP request would have ended it.
    assert not session_control._store(key).exists(key)


def test_a_fresh_session_joins(booking, partner_a):
    peer, _ = _signed_in_peer(booking, partner_a)

    async def scenario():
        assert (await peer.connect())["type"] == "welcome"
        await peer.comm.disconnect()

    run_async(scenario)


def test_heartbeat_closes_a_session_that_went_idle(booking, partner_a):
    peer, key = _signed_in_peer(booking, partner_a)

    async def scenario():
        from asgiref.sync import sync_to_async

        await peer.connect()
        await peer.send(type="ping")
        await peer.expect("pong")
        await sync_to_async(_idle_for)(key, 61)
        await peer.send(type="ping")
        assert (await peer.expect("closing"))["reason"] == "idle"
        assert await peer.closed() == 4401

    run_async(scenario)
    assert not session_control._store(key).exists(key)
