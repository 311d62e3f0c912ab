"""The baselines of bench/signaling.py: aiortc peers meshed in-process with no server,
a minimal asyncio relay on ``websockets``, and sockets for the trivial Channels consumer
(bench/trivial_asgi.py)."""

from __future__ import annotations

import asyncio
import json
import time

import websockets
from aiortc import RTCConfiguration, RTCPeerConnection

from tests.signaling.rtc_client import SmallVideoTrack


# --- (1) join to full mesh -------------------------------------------------------------------
async def direct_pair() -> float:
    """Two aiortc peers in-process, no server: offer to first frame both ways."""
    a = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    b = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    got = {"a": asyncio.Event(), "b": asyncio.Event()}
    for pc, key in ((a, "a"), (b, "b")):
        pc.addTrack(SmallVideoTrack())

        @pc.on("track")
        def on_track(track, key=key) -> None:
            async def first() -> None:
                await track.recv()
                got[key].set()

            asyncio.ensure_future(first())  # noqa: RUF006 - awaited via got[key]

    start = time.perf_counter()
    await a.setLocalDescription(await a.createOffer())
    await b.setRemoteDescription(a.localDescription)
    await b.setLocalDescription(await b.createAnswer())
    await a.setRemoteDescription(b.localDescription)
    await asyncio.wait_for(asyncio.gather(got["a"].wait(), got["b"].wait()), 30)
    elapsed = time.perf_counter() - start
    await a.close()
    await b.close()
    return elapsed * 1000


async def direct_mesh3() -> float:
    """Three aiortc peers meshed directly in-process, no server: first offer to a first
    frame from both others at every peer (the baseline of join_ratio)."""
    names = ("t", "a", "b")
    got = {(me, other): asyncio.Event() for me in names for other in names if me != other}
    pcs = []
    start = time.perf_counter()
    for i, x in enumerate(names):
        for y in names[i + 1 :]:
            pair = {}
            for me in (x, y):
                pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
                pc.addTrack(SmallVideoTrack())
                other = y if me == x else x

                @pc.on("track")
                def on_track(track, me=me, other=other) -> None:
                    async def first() -> None:
                        await track.recv()
                        got[(me, other)].set()

                    asyncio.ensure_future(first())  # noqa: RUF006 - awaited via got

                pair[me] = pc
                pcs.append(pc)
            await pair[x].setLocalDescription(await pair[x].createOffer())
            await pair[y].setRemoteDescription(pair[x].localDescription)
            await pair[y].setLocalDescription(await pair[y].createAnswer())
            await pair[x].setRemoteDescription(pair[y].localDescription)
    await asyncio.wait_for(asyncio.gather(*(e.wait() for e in got.values())), 60)
    elapsed = time.perf_counter() - start
    for pc in pcs:
        await pc.close()
    return elapsed * 1000


async def minimal_relay_server():
    """The smallest honest relay: parse JSON, stamp from, forward to one peer."""
    peers: dict[str, object] = {}

    async def handler(ws) -> None:
        peer_id = ws.request.path.strip("/")
        peers[peer_id] = ws
        try:
            async for raw in ws:
                msg = json.loads(raw)
                msg["from"] = peer_id
                target = peers.get(msg.get("to"))
                if target is not None:
                    await target.send(json.dumps(msg))
        finally:
            peers.pop(peer_id, None)

    server = await websockets.serve(handler, "127.0.0.1", 0, max_size=2**20)
    port = server.sockets[0].getsockname()[1]
    return server, port


def minimal_connector(port: int, rooms: int, *, channels_path: bool = False):
    """Sockets for the minimal relay, or (``channels_path``) the trivial consumer."""

    async def connect():
        out = []
        for r in range(rooms):
            room = []
            for p in range(3):
                pid = f"r{r}p{p}"
                url = f"ws://127.0.0.1:{port}/" + (f"ws/trivial/{pid}/" if channels_path else pid)
                ws = await websockets.connect(
                    url, max_size=2**20, origin=f"http://127.0.0.1:{port}"
                )
                room.append((ws, pid))
            out.append(room)
        return out

    return connect
