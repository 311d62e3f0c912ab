"""A Duet room client built on aiortc, written from docs/signaling.md alone.

aiortc has no trickle ICE (candidates travel inside the SDP), no rollback and no ICE
restart, so this client offers when it is the initiator and answers otherwise; it never
plays the polite side of a glare.
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import json
import re
from urllib.parse import urlencode

import aiohttp
import av
from aiortc import (
    MediaStreamTrack,
    RTCConfiguration,
    RTCIceServer,
    RTCPeerConnection,
    RTCSessionDescription,
)
from aiortc.sdp import candidate_from_sdp

FRAME_RATE = 15


class SmallVideoTrack(MediaStreamTrack):
    """Tiny synthetic frames: enough to prove media flows without burning CPU."""

    kind = "video"

    def __init__(self) -> None:
        super().__init__()
        self._pts = 0

    async def recv(self) -> av.VideoFrame:
        await asyncio.sleep(1 / FRAME_RATE)
        frame = av.VideoFrame(160, 120, "yuv420p")
        for plane in frame.planes:
            plane.update(bytes(plane.buffer_size))
        self._pts += 90000 // FRAME_RATE
        frame.pts = self._pts
        frame.time_base = fractions.Fraction(1, 90000)
        return frame


# One-time recovery codes per email for people who sign in in two steps (therapists);
# filled by tests/signaling/conftest.py. A code per login never trips replay protection.
SECOND_FACTOR_CODES: dict[str, list[str]] = {}


class RoomClient:
    def __init__(self, base_url: str, email: str, password: str, *, ice_servers=None) -> None:
        self.base = base_url
        self.email, self.password = email, password
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.ice_servers = ice_servers if ice_servers is not None else []
        self.peer_id = ""
        self.role = ""
        self.state = ""
        self.peers: dict[str, dict] = {}  # peer id -> peer object from the server
        self.pcs: dict[str, RTCPeerConnection] = {}
        self.frames: dict[str, int] = {}  # remote name -> frames received
        self.messages: list[dict] = []
        self.auto_admit = True
        self.closed_code: int | None = None
        self._reader: asyncio.Task | None = None
        self._tasks: set[asyncio.Task] = set()
        # One ordered queue per remote peer, as a browser has one RTCPeerConnection per
        # peer: a slow answer to one peer never holds up the offer to another.
        self._queues: dict[str, asyncio.Queue] = {}
        self._workers: dict[str, asyncio.Task] = {}

    # --- HTTP login, as a person would -------------------------------------------------
    async def login(self) -> None:
        async with self.http.get(f"{self.base}/login/") as resp:
            page = await resp.text()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        async with self.http.post(
            f"{self.base}/login/",
            data={"csrfmiddlewaretoken": token, "username": self.email, "password": self.password},
            headers={"Referer": f"{self.base}/login/"},
        ) as resp:
            landed = resp.url.path
            page = await resp.text()
        if landed == "/login/verify/":
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
            async with self.http.post(
                f"{self.base}/login/verify/",
                data={"csrfmiddlewaretoken": token, "code": SECOND_FACTOR_CODES[self.email].pop()},
                headers={"Referer": f"{self.base}/login/verify/"},
            ) as resp:
                landed = resp.url.path
        assert landed == "/dashboard/", f"login failed for {self.email}"

    # --- signaling ------------------------------------------------------------------------
    async def join(self, room_id: str, *, resume: str = "", params: dict | None = None) -> None:
        """``params``: extra query parameters (a proxy's routing hint; the server ignores them)."""
        ws_base = self.base.replace("http://", "ws://")
        fields = {**({"resume": resume} if resume else {}), **(params or {})}
        query = f"?{urlencode(fields)}" if fields else ""
        self.ws = await self.http.ws_connect(
            f"{ws_base}/ws/rooms/{room_id}/{query}", origin=self.base, heartbeat=None
        )
        self.closed_code = None
        self._reader = asyncio.create_task(self._read())

    @property
    def socket_closed(self) -> bool:
        """The websocket has ended (closed by either side, or the connection was lost)."""
        return self._reader is not None and self._reader.done()

    async def send(self, **msg) -> None:
        await self.ws.send_str(json.dumps(msg))

    PER_PEER = ("offer", "answer", "ice")

    async def _read(self) -> None:
        async for raw in self.ws:
            if raw.type != aiohttp.WSMsgType.TEXT:
                break
            msg = json.loads(raw.data)
            self.messages.append(msg)
            handler = getattr(self, f"on_{msg['type']}", None)
            if handler is None:
                continue
            if msg["type"] in self.PER_PEER and msg.get("from"):
                self._for_peer(msg["from"], handler, msg)
            else:
                await handler(msg)
        self.closed_code = self.ws.close_code

    def _for_peer(self, peer_id: str, handler, *args) -> None:
        """Run ``handler(*args)`` after everything queued for ``peer_id`` before it."""
        queue = self._queues.get(peer_id)
        if queue is None:
            queue = self._queues[peer_id] = asyncio.Queue()
            self._workers[peer_id] = asyncio.create_task(self._work(queue))
        queue.put_nowait((handler, args))

    @staticmethod
    async def _work(queue: asyncio.Queue) -> None:
        while True:
            handler, args = await queue.get()
            await handler(*args)

    async def on_welcome(self, msg: dict) -> None:
        self.peer_id, self.role = msg["peer_id"], msg["role"]
        await self._apply(msg)

    async def on_admitted(self, msg: dict) -> None:
        await self._apply(msg)

    on_state = on_admitted

    async def _apply(self, msg: dict) -> None:
        self.state = msg["state"]
        if self.role == "therapist":
            await self.on_waiting({"waiting": msg.get("waiting", [])})
        for peer in msg["peers"]:
            self.peers[peer["peer_id"]] = peer
            if peer["initiator"] and peer["peer_id"] not in self.pcs:
                self._for_peer(peer["peer_id"], self._offer, peer["peer_id"])

    async def on_waiting(self, msg: dict) -> None:
        if self.auto_admit and msg["waiting"]:
            await self.send(type="admit", peer_ids=[w["peer_id"] for w in msg["waiting"]])

    async def on_peer_joined(self, msg: dict) -> None:
        peer = msg["peer"]
        self.peers[peer["peer_id"]] = peer
        if peer["initiator"] and peer["peer_id"] not in self.pcs:
            self._for_peer(peer["peer_id"], self._offer, peer["peer_id"])

    async def on_peer_left(self, msg: dict) -> None:
        self.peers.pop(msg["peer_id"], None)
        self._for_peer(msg["peer_id"], self._close_pc, msg["peer_id"])

    async def _close_pc(self, peer_id: str) -> None:
        pc = self.pcs.pop(peer_id, None)
        if pc:
            await pc.close()

    def _new_pc(self, peer_id: str) -> RTCPeerConnection:
        servers = [RTCIceServer(**s) for s in self.ice_servers]
        pc = RTCPeerConnection(RTCConfiguration(iceServers=servers))
        self.pcs[peer_id] = pc
        pc.addTrack(SmallVideoTrack())

        @pc.on("track")
        def on_track(track) -> None:
            task = asyncio.ensure_future(self._count_frames(peer_id, track))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

        return pc

    async def _count_frames(self, peer_id: str, track) -> None:
        name = self.peers.get(peer_id, {}).get("name", peer_id)
        with contextlib.suppress(Exception):
            while True:
                await track.recv()
                self.frames[name] = self.frames.get(name, 0) + 1

    async def _offer(self, peer_id: str) -> None:
        if peer_id in self.pcs or peer_id not in self.peers:
            return  # offered already, or gone before its turn came
        pc = self._new_pc(peer_id)
        await pc.setLocalDescription(await pc.createOffer())
        await self.send(type="offer", to=peer_id, sdp=pc.localDescription.sdp)

    async def on_offer(self, msg: dict) -> None:
        old = self.pcs.pop(msg["from"], None)
        if old:
            await old.close()
        pc = self._new_pc(msg["from"])
        await pc.setRemoteDescription(RTCSessionDescription(sdp=msg["sdp"], type="offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        await self.send(type="answer", to=msg["from"], sdp=pc.localDescription.sdp)

    async def on_answer(self, msg: dict) -> None:
        pc = self.pcs.get(msg["from"])
        if pc and pc.signalingState == "have-local-offer":
            await pc.setRemoteDescription(RTCSessionDescription(sdp=msg["sdp"], type="answer"))

    async def on_ice(self, msg: dict) -> None:
        pc, cand = self.pcs.get(msg["from"]), msg["candidate"]
        if pc and cand and cand.get("candidate"):
            candidate = candidate_from_sdp(cand["candidate"].removeprefix("candidate:"))
            candidate.sdpMid, candidate.sdpMLineIndex = cand["sdpMid"], cand["sdpMLineIndex"]
            await pc.addIceCandidate(candidate)

    # --- teardown -----------------------------------------------------------------------------
    async def drop(self) -> None:
        """Leave abruptly: socket and peer connections gone, as after a crash."""
        for worker in self._workers.values():
            worker.cancel()
        self._workers.clear()
        self._queues.clear()
        for pc in list(self.pcs.values()):
            await pc.close()
        self.pcs.clear()
        self.peers.clear()
        self.frames.clear()
        if self.ws is not None:
            await self.ws.close()
        if self._reader:
            with contextlib.suppress(Exception):
                await self._reader

    async def close(self) -> None:
        await self.drop()
        for task in list(self._tasks):
            task.cancel()
        await self.http.close()


async def wait_for(predicate, timeout: float, what: str, *, every: float = 0.1) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(every)
