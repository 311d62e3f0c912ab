"""Signaling benchmark: mesh join time and relay throughput through a live Daphne.

(1) Join-to-full-mesh for three aiortc peers through Daphne (p50/p95 over many rooms),
    as a ratio to two aiortc peers connected directly in-process, measured in this run.
(2) 100 rooms x 3 peers on one Daphne process: relayed signaling messages per second and
    p99 relay latency, as a ratio to a minimal asyncio relay built on ``websockets``.
    With REDIS_URL set it also runs (2) on channels-redis' core and pub/sub layers.

Usage:  .venv/bin/python bench/signaling.py [--mesh-rooms 12] [--rooms 100] [--messages 40]
Prints JSON objects per stage and ends with one JSON line of results.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
VAR = Path(tempfile.mkdtemp(prefix="duet-bench-"))
os.environ.update(
    DUET_VAR_DIR=str(VAR),
    DJANGO_SETTINGS_MODULE="bench.signaling_settings",
    LOG_LEVEL="WARNING",
    # The bench drives the ORM from its event loop between timed stages.
    DJANGO_ALLOW_ASYNC_UNSAFE="true",
)
os.environ.pop("DATABASE_URL", None)  # a throwaway SQLite under VAR

import django  # noqa: E402

django.setup()

import websockets  # noqa: E402
from aiortc import RTCConfiguration, RTCPeerConnection  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from tests.signaling.rtc_client import RoomClient, SmallVideoTrack, wait_for  # noqa: E402

PASSWORD = "bench-password-123"


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q / 100 * (len(values) - 1)))]


def emit(obj: dict) -> None:
    print(json.dumps(obj), flush=True)


# --- data --------------------------------------------------------------------------------
def make_people():
    from accounts.models import Couple, CoupleMembership, User

    def user(email, name, role="client"):
        return User.objects.create_user(
            email=email, password=PASSWORD, full_name=name, role=role, time_zone="UTC"
        )

    therapist = user("t@bench.test", "Tess Bench", "therapist")
    a, b = user("a@bench.test", "Ann Bench"), user("b@bench.test", "Ben Bench")
    couple = Couple.objects.create(created_by=a)
    for seat, u in enumerate((a, b), start=1):
        CoupleMembership.objects.create(couple=couple, user=u, seat=seat)
    return therapist, a, b, couple


def make_bookings(therapist, couple, n: int, *, admitted=()):
    from datetime import timedelta

    from django.utils import timezone

    from scheduling.models import Booking
    from signaling.models import RoomParticipant

    now = timezone.now()
    bookings = []
    for _ in range(n):
        booking = Booking.objects.create(
            therapist=therapist,
            couple=couple,
            starts_at=now,
            ends_at=now + timedelta(minutes=50),
        )
        for user in admitted:  # partners the therapist already let in
            RoomParticipant.objects.create(
                booking=booking, user=user, state="admitted", admitted_at=now
            )
        bookings.append(booking)
    return bookings


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


# --- servers -------------------------------------------------------------------------------
def start_daphne(layer: str) -> tuple[subprocess.Popen, str]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "BENCH_LAYER": layer, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "config.asgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=open(VAR / f"daphne-{layer}.log", "ab"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/login/", timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("daphne did not start")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


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


async def mesh_rooms(url: str, people, bookings) -> list[float]:
    therapist, a, b = people
    times = []
    for booking in bookings:
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

        await wait_for(mesh, 60, "full mesh")
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


def minimal_connector(port: int, rooms: int):
    async def connect():
        out = []
        for r in range(rooms):
            room = []
            for p in range(3):
                pid = f"r{r}p{p}"
                ws = await websockets.connect(f"ws://127.0.0.1:{port}/{pid}", max_size=2**20)
                room.append((ws, pid))
            out.append(room)
        return out

    return connect


async def main(args) -> dict:
    call_command("migrate", verbosity=0)
    therapist, a, b, couple = make_people()
    results: dict = {}

    # (1)
    direct = [await direct_pair() for _ in range(args.mesh_rooms)]
    emit({"stage": "direct_pair", "p50_ms": statistics.median(direct)})
    proc, url = start_daphne("memory")
    try:
        mesh = await mesh_rooms(
            url, (therapist, a, b), make_bookings(therapist, couple, args.mesh_rooms)
        )
        emit({"stage": "mesh_join", "p50_ms": statistics.median(mesh), "p95_ms": pct(mesh, 95)})
        results.update(
            join_p50_ms=round(statistics.median(mesh), 1),
            join_p95_ms=round(pct(mesh, 95), 1),
            direct_pair_p50_ms=round(statistics.median(direct), 1),
            join_ratio=round(statistics.median(mesh) / statistics.median(direct), 2),
            mesh_rooms=args.mesh_rooms,
        )
    finally:
        stop(proc)

    # (2) minimal relay baseline
    server, port = await minimal_relay_server()
    base = await relay_load(minimal_connector(port, args.rooms), args.rooms, args.messages)
    server.close()
    await server.wait_closed()
    emit({"stage": "minimal_relay", **base})

    cookies = [session_cookie(u) for u in (therapist, a, b)]
    layers = ["memory"] + (["core", "pubsub"] if os.environ.get("REDIS_URL") else [])
    for layer in layers:
        bookings = make_bookings(therapist, couple, args.rooms, admitted=(a, b))
        proc, url = start_daphne(layer)
        try:
            ours = await relay_load(
                duet_connector(url, bookings, cookies), args.rooms, args.messages
            )
        finally:
            stop(proc)
        emit({"stage": f"duet_relay_{layer}", **ours})
        results[f"relay_{layer}"] = {
            k: round(v, 1) if isinstance(v, float) else v for k, v in ours.items()
        }
    # The configured production layer (settings.CHANNEL_LAYER, pub/sub by measurement).
    main_layer = "pubsub" if "pubsub" in layers else "memory"
    ours = results[f"relay_{main_layer}"]
    results.update(
        relay_layer=main_layer,
        relay_msgs_per_s=ours["msgs_per_s"],
        relay_p99_ms=ours["p99_ms"],
        relay_baseline_msgs_per_s=round(base["msgs_per_s"], 1),
        relay_baseline_p99_ms=round(base["p99_ms"], 1),
        relay_ratio=round(ours["msgs_per_s"] / base["msgs_per_s"], 3),
        rooms=args.rooms,
        messages_per_peer=args.messages,
    )
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mesh-rooms", type=int, default=12)
    parser.add_argument("--rooms", type=int, default=100)
    parser.add_argument("--messages", type=int, default=40)
    parsed = parser.parse_args()
    random.seed(1)
    try:
        final = asyncio.run(main(parsed))
    finally:
        if os.environ.get("BENCH_KEEP"):
            print(f"kept {VAR}", file=sys.stderr)
        else:
            shutil.rmtree(VAR, ignore_errors=True)
    print(json.dumps(final), flush=True)
