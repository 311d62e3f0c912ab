"""The loads bench/signaling.py puts on Duet's Daphne: rooms meshing with media, ICE
relayed between peers, joins with every other room busy."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time

import websockets

from bench.signaling_parts import (
    PASSWORD,
    cpu_seconds,
    emit,
    fresh_codes,
    make_bookings,
    pct,
    start_daphne,
    stop,
)
from tests.signaling.rtc_client import RoomClient, wait_for


async def mesh_rooms(url: str, people, bookings) -> list[float]:
    therapist, a, b = people
    times = []
    for booking in bookings:
        fresh_codes(therapist)
        clients = [RoomClient(url, u.email, PASSWORD) for u in (therapist, a, b)]
        await asyncio.gather(*(c.login() for c in clients))
        names = [u.name for u in (therapist, a, b)]
        start = time.perf_counter()
        await asyncio.gather(*(c.join(booking.room_id) for c in clients))

        def mesh(clients=clients, names=names) -> bool:
            return all(
                all(c.frames.get(n, 0) >= 1 for n in names if n != mine)
                for c, mine in zip(clients, names, strict=True)
            )

        # Polled every 5 ms: the in-process baseline is timed by events, not by a 100 ms poll.
        await wait_for(mesh, 60, "full mesh", every=0.005)
        times.append((time.perf_counter() - start) * 1000)
        await asyncio.gather(*(c.close() for c in clients))
    return times


# --- (2) relay throughput ---------------------------------------------------------------------
async def relay_load(connect, rooms: int, messages: int) -> dict:
    """3 peers per room; each sends ``messages`` ICE messages to the others, timestamped."""
    peers = await connect()  # list of rooms, each a list of (ws, peer_id)
    latencies: list[float] = []
    expected = rooms * 3 * messages
    done = asyncio.Event()

    async def reader(ws) -> None:
        async for raw in ws:
            msg = json.loads(raw)
            if msg.get("type") == "ice":
                sent = float(msg["candidate"]["candidate"].split()[-1])
                latencies.append((time.perf_counter() - sent) * 1000)
                if len(latencies) >= expected:
                    done.set()

    readers = [asyncio.ensure_future(reader(ws)) for room in peers for ws, _ in room]

    async def writer(ws, others) -> None:
        for i in range(messages):
            to = others[i % len(others)]
            stamp = f"candidate:bench 1 udp 1 127.0.0.1 9 typ host {time.perf_counter():.6f}"
            await ws.send(
                json.dumps(
                    {
                        "type": "ice",
                        "to": to,
                        "candidate": {"candidate": stamp, "sdpMid": "0", "sdpMLineIndex": 0},
                    }
                )
            )
            if i % 10 == 9:
                await asyncio.sleep(0)

    start = time.perf_counter()
    await asyncio.gather(
        *(writer(ws, [pid for _, pid in room if pid != me]) for room in peers for ws, me in room)
    )
    with contextlib.suppress(TimeoutError):  # report what was delivered
        await asyncio.wait_for(done.wait(), 120)
    elapsed = time.perf_counter() - start
    for r in readers:
        r.cancel()
    for room in peers:
        for ws, _ in room:
            await ws.close()
    return {
        "msgs_per_s": len(latencies) / elapsed,
        "p50_ms": pct(latencies, 50) if latencies else None,
        "p99_ms": pct(latencies, 99) if latencies else None,
        "delivered": len(latencies),
        "expected": expected,
    }


def duet_connector(url: str, bookings, cookies):
    ws_url = url.replace("http://", "ws://")

    async def connect():
        rooms = []
        for booking in bookings:
            room = []
            for cookie in cookies:
                ws = await websockets.connect(
                    f"{ws_url}/ws/rooms/{booking.room_id}/",
                    origin=url,
                    additional_headers={"Cookie": f"sessionid={cookie}"},
                    max_size=2**20,
                )
                welcome = json.loads(await ws.recv())
                assert welcome["type"] == "welcome" and welcome["state"] == "admitted", welcome
                room.append((ws, welcome["peer_id"]))
            rooms.append(room)
        # Let the join announcements settle before timing.
        await asyncio.sleep(1)
        for room in rooms:
            for ws, _ in room:
                while True:
                    try:
                        await asyncio.wait_for(ws.recv(), 0.01)
                    except TimeoutError:
                        break
        return rooms

    return connect


# --- (3) joins on a busy server -----------------------------------------------------------
async def ws_join(url: str, booking, cookies) -> float:
    """Three sockets join one room at once: until every peer knows the other two."""
    ws_url = url.replace("http://", "ws://")
    start = time.perf_counter()

    async def one(cookie):
        ws = await websockets.connect(
            f"{ws_url}/ws/rooms/{booking.room_id}/",
            origin=url,
            additional_headers={"Cookie": f"sessionid={cookie}"},
        )
        known: set[str] = set()
        me = ""
        while len(known) < 2:
            msg = json.loads(await asyncio.wait_for(ws.recv(), 60))
            if msg["type"] == "welcome":
                me = msg["peer_id"]
                known.update(p["peer_id"] for p in msg["peers"])
            elif msg["type"] == "peer_joined":
                known.add(msg["peer"]["peer_id"])
            known.discard(me)
        return ws

    sockets = await asyncio.gather(*(one(c) for c in cookies))
    elapsed = (time.perf_counter() - start) * 1000
    for ws in sockets:
        await ws.close()
    return elapsed


async def busy_rooms(url: str, bookings, cookies) -> tuple[list, list]:
    """Every room full (3 peers), each peer sending a heartbeat every HEARTBEAT_SECONDS."""
    from signaling.protocol import HEARTBEAT_SECONDS

    ws_url = url.replace("http://", "ws://")
    sockets, tasks = [], []

    async def keep(ws, offset: float) -> None:
        await asyncio.sleep(offset)
        with contextlib.suppress(Exception):
            while True:
                await ws.send(json.dumps({"type": "ping"}))
                await asyncio.sleep(HEARTBEAT_SECONDS)

    async def drain(ws) -> None:
        with contextlib.suppress(Exception):
            async for _ in ws:
                pass

    failed = 0
    for booking in bookings:
        for cookie in cookies:
            try:
                ws = await websockets.connect(
                    f"{ws_url}/ws/rooms/{booking.room_id}/",
                    origin=url,
                    additional_headers={"Cookie": f"sessionid={cookie}"},
                    open_timeout=60,
                )
            except (OSError, EOFError, TimeoutError, websockets.exceptions.WebSocketException):
                failed += 1  # reported: a server that refuses sockets under load is a finding
                continue
            sockets.append(ws)
            tasks.append(asyncio.ensure_future(keep(ws, random.random() * HEARTBEAT_SECONDS)))
            tasks.append(asyncio.ensure_future(drain(ws)))
    return sockets, tasks, failed


async def settled(bookings, timeout: float = 120) -> None:
    """Until the server has run every disconnect of these rooms (their participants hold no
    connection): joins timed as "idle" must not queue behind 900 goodbyes."""
    from signaling.models import RoomParticipant

    ids = [b.pk for b in bookings]

    def quiet() -> bool:
        return (
            not RoomParticipant.objects.filter(booking_id__in=ids).exclude(channel_name="").exists()
        )

    await wait_for(quiet, timeout, "the busy rooms' disconnects", every=0.2)


async def relay_stage(layer: str, rooms: int, messages: int, people, couple, cookies) -> dict:
    therapist, a, b = people
    bookings = make_bookings(therapist, couple, rooms, admitted=(a, b))
    proc, url = start_daphne(layer)
    try:
        connect = duet_connector(url, bookings, cookies)
        peers_ready = await connect()
        cpu = cpu_seconds(proc.pid)

        async def reuse():
            return peers_ready

        ours = await relay_load(reuse, rooms, messages)
        ours["server_cpu_s"] = cpu_seconds(proc.pid) - cpu
    finally:
        stop(proc)
    ours["cpu_ms_per_msg"] = 1000 * ours["server_cpu_s"] / max(ours["delivered"], 1)
    emit({"stage": f"duet_relay_{layer}", **ours})
    return ours
