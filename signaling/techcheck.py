"""Server-side aiortc echo peers for the pre-call tech check.

The browser sends an offer; an echo peer answers and sends each received track straight
back, so the page can measure a real round trip. Peers are capped in number and
lifetime and closed when the page says goodbye, fails, or times out.
"""

from __future__ import annotations

import asyncio
import secrets
import time

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaRelay
from django.conf import settings
from django.utils.translation import gettext as _


def max_peers() -> int:
    return getattr(settings, "TECHCHECK_MAX_PEERS", 4)


def max_seconds() -> float:
    return getattr(settings, "TECHCHECK_MAX_SECONDS", 60)


_peers: dict[str, tuple[RTCPeerConnection, int, float]] = {}
_relay = MediaRelay()
_timers: set[asyncio.Task] = set()


class EchoBusy(Exception):
    pass


def echo_count() -> int:
    return len(_peers)


async def echo_close(echo_id: str, *, user_id: int | None = None) -> bool:
    entry = _peers.get(echo_id)
    if entry is None or (user_id is not None and entry[1] != user_id):
        return False
    _peers.pop(echo_id, None)
    await entry[0].close()
    return True


async def _expire(echo_id: str, seconds: float) -> None:
    await asyncio.sleep(seconds)
    await echo_close(echo_id)


async def echo_answer(*, sdp: str, kind: str, user_id: int) -> tuple[str, dict]:
    """Answer a browser's offer with an echoing peer; (echo id, answer)."""
    # One echo per person: a reload replaces the previous one instead of stacking.
    for echo_id, (_pc, owner, _started) in list(_peers.items()):
        if owner == user_id:
            await echo_close(echo_id)
    if len(_peers) >= max_peers():
        raise EchoBusy(_("The connection test is busy; try again in a minute."))
    # Host candidates only: the echo runs next to the web server, and a public STUN
    # lookup from the server would only slow the answer down.
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    echo_id = secrets.token_urlsafe(12)
    _peers[echo_id] = (pc, user_id, time.monotonic())

    @pc.on("track")
    def on_track(track) -> None:
        pc.addTrack(_relay.subscribe(track))

    @pc.on("datachannel")
    def on_datachannel(channel) -> None:
        # Echo pings so the page can time the application-level round trip too.
        channel.on("message", channel.send)

    @pc.on("connectionstatechange")
    async def on_state() -> None:
        if pc.connectionState in ("failed", "closed"):
            await echo_close(echo_id)

    try:
        await pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type=kind))
        await pc.setLocalDescription(await pc.createAnswer())
    except Exception:
        await echo_close(echo_id)
        raise
    timer = asyncio.get_running_loop().create_task(_expire(echo_id, max_seconds()))
    _timers.add(timer)
    timer.add_done_callback(_timers.discard)
    return echo_id, {"sdp": pc.localDescription.sdp, "type": pc.localDescription.type}
