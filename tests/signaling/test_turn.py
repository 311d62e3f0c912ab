"""TURN: credentials the app mints let aiortc peers relay through a real coturn."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from signaling.turn import turn_credentials
from tests.signaling.helpers import Peer, run_async
from tests.signaling.live import free_port, live_coturn
from tests.signaling.rtc_client import SmallVideoTrack

SECRET = "test-turn-secret-0123456789"


@pytest.fixture
def coturn(tmp_path: Path):
    port = free_port()
    with live_coturn(
        address="127.0.0.1",
        port=port,
        relay_ports=40000 + (port % 200) * 100,
        secret=SECRET,
        workdir=tmp_path,
        extra=("--allow-loopback-peers",),
    ) as log:
        yield f"turn:127.0.0.1:{port}?transport=udp", log


async def _relay_pair(server: dict) -> tuple[str, str, str]:
    from aiortc import (
        RTCConfiguration,
        RTCIceServer,
        RTCPeerConnection,
    )
    from aiortc.rtcconfiguration import RTCIceTransportPolicy

    def make() -> RTCPeerConnection:
        config = RTCConfiguration(
            iceServers=[RTCIceServer(**server)], iceTransportPolicy=RTCIceTransportPolicy.RELAY
        )
        return RTCPeerConnection(config)

    a, b = make(), make()
    a.addTrack(SmallVideoTrack())
    got = asyncio.Event()

    tasks: set = set()

    @b.on("track")
    def on_track(track) -> None:
        async def pull() -> None:
            await track.recv()
            got.set()

        tasks.add(asyncio.ensure_future(pull()))

    try:
        await a.setLocalDescription(await a.createOffer())
        await b.setRemoteDescription(a.localDescription)
        await b.setLocalDescription(await b.createAnswer())
        await a.setRemoteDescription(b.localDescription)
        deadline = asyncio.get_running_loop().time() + 15
        while a.connectionState not in ("connected", "failed"):
            if asyncio.get_running_loop().time() > deadline:
                break
            await asyncio.sleep(0.1)
        if a.connectionState == "connected":
            await asyncio.wait_for(got.wait(), 10)
        return a.connectionState, a.localDescription.sdp, b.localDescription.sdp
    finally:
        await a.close()
        await b.close()


@pytest.mark.django_db(transaction=True)
def test_app_issued_credentials_relay_through_coturn(coturn, settings, booking, therapist):
    url, _log = coturn
    settings.TURN_URLS = [url]
    settings.TURN_SECRET = SECRET
    settings.TURN_CREDENTIAL_TTL = 600

    async def welcome() -> dict:
        peer = Peer(booking, therapist)
        w = await peer.connect()
        await peer.leave()
        return w

    servers = run_async(welcome)["ice_servers"]
    turn = next(s for s in servers if s["urls"][0].startswith("turn:"))
    expiry, user_id = turn["username"].split(":")
    assert user_id == str(therapist.pk)
    assert int(expiry) > time.time() + 500
    server = {
        "urls": turn["urls"][0],
        "username": turn["username"],
        "credential": turn["credential"],
    }

    state, offer_sdp, answer_sdp = run_async(_relay_pair, server)
    assert state == "connected"
    # Relay-only: every candidate either side offered is a TURN relay candidate.
    for sdp in (offer_sdp, answer_sdp):
        types = {line.split(" typ ")[1].split()[0] for line in sdp.splitlines() if " typ " in line}
        assert types == {"relay"}


def test_expired_credentials_are_refused_by_coturn(coturn):
    url, log = coturn
    past = timezone.now() - timedelta(hours=2)
    username, password = turn_credentials(user_id=7, now=past, secret=SECRET, ttl=3600)
    state, offer_sdp, _ = run_async(
        _relay_pair, {"urls": url, "username": username, "credential": password}
    )
    assert state != "connected"
    assert " typ relay" not in offer_sdp
    text = log.read_text()
    assert "401" in text or "expired" in text.lower() or "Unauthorized" in text
