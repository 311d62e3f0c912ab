"""Signaling benchmark: joins, relay throughput and server CPU through a live Daphne.

(1) Join-to-full-mesh for three aiortc peers through Daphne (therapist signs in with
    the second factor; p50/p95 over many rooms), as a ratio to three aiortc peers meshed
    directly in-process (``join_ratio``).
(2) 100 rooms x 3 peers on one Daphne process, each peer sending ICE messages to the
    others: relayed messages per second as a ratio to a minimal asyncio relay on
    ``websockets`` (``relay_ratio`` on the Redis pub/sub layer when REDIS_URL is set,
    ``relay_ratio_inmemory`` on the in-memory layer), and the Daphne process's CPU per
    relayed message as a ratio to a trivial Channels consumer on Daphne
    (bench/trivial_asgi.py, ``cpu_per_msg_ratio``).
(3) 300 rooms x 3 peers connected with heartbeats on one Daphne: the p95 time for three
    peers to join a room and see each other, as a ratio to the same joins on an idle
    server (``join_p95_ratio_300_rooms``).

Usage:  .venv/bin/python bench/signaling.py [--mesh-rooms 12] [--rooms 100] [--messages 40]
        [--big-rooms 300] [--joins 30] [--smoke] [--out FILE]
Prints JSON objects per stage and ends with one JSON line of results.
"""

from __future__ import annotations

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

from bench.common import Run  # noqa: E402
from bench.common import parser as bench_parser  # noqa: E402
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
    from accounts.security_models import TotpDevice
    from tests.factories import TOTP_SECRET

    def user(email, name, role="client"):
        return User.objects.create_user(
            email=email, password=PASSWORD, full_name=name, role=role, time_zone="UTC"
        )

    therapist = user("t@bench.test", "Tess Bench", "therapist")
    # Therapists always sign in in two steps; the aiortc clients use recovery codes.
    TotpDevice.objects.create(user=therapist, name="Bench", confirmed=True, secret=TOTP_SECRET)
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
def cpu_seconds(pid: int) -> float:
    """User + system CPU a process has used (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_daphne(layer: str, app: str = "config.asgi:application") -> tuple[subprocess.Popen, str]:
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
            app,
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


def fresh_codes(therapist) -> None:
    """One recovery code per therapist login (a code is single-use)."""
    from accounts.twofactor import recovery_codes_regenerate
    from tests.signaling.rtc_client import SECOND_FACTOR_CODES

    SECOND_FACTOR_CODES[therapist.email] = recovery_codes_regenerate(user=therapist)


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


async def main(args) -> dict:
    call_command("migrate", verbosity=0)
    therapist, a, b, couple = make_people()
    people = (therapist, a, b)
    results: dict = {}

    # (1) joins with media, against three peers meshed in-process
    direct = [await direct_mesh3() for _ in range(args.mesh_rooms)]
    emit({"stage": "direct_mesh3", "p50_ms": statistics.median(direct)})
    proc, url = start_daphne("memory")
    try:
        mesh = await mesh_rooms(url, people, make_bookings(therapist, couple, args.mesh_rooms))
    finally:
        stop(proc)
    emit({"stage": "mesh_join", "p50_ms": statistics.median(mesh), "p95_ms": pct(mesh, 95)})
    results.update(
        join_p50_ms=round(statistics.median(mesh), 1),
        join_p95_ms=round(pct(mesh, 95), 1),
        direct_mesh3_p50_ms=round(statistics.median(direct), 1),
        join_ratio=round(statistics.median(mesh) / statistics.median(direct), 2),
        mesh_rooms=args.mesh_rooms,
    )

    # (2) relay: the minimal websockets relay, the trivial Channels consumer, ours
    server, port = await minimal_relay_server()
    base = await relay_load(minimal_connector(port, args.rooms), args.rooms, args.messages)
    server.close()
    await server.wait_closed()
    emit({"stage": "minimal_relay", **base})

    proc, url = start_daphne("memory", app="bench.trivial_asgi:application")
    try:
        trivial_port = int(url.rsplit(":", 1)[1])
        sockets = await minimal_connector(trivial_port, args.rooms, channels_path=True)()
        cpu = cpu_seconds(proc.pid)

        async def reuse():
            return sockets

        trivial = await relay_load(reuse, args.rooms, args.messages)
        trivial["server_cpu_s"] = cpu_seconds(proc.pid) - cpu
    finally:
        stop(proc)
    trivial["cpu_ms_per_msg"] = 1000 * trivial["server_cpu_s"] / max(trivial["delivered"], 1)
    emit({"stage": "trivial_channels_consumer", **trivial})

    cookies = [session_cookie(u) for u in people]
    layers = ["memory"] + (["pubsub"] if os.environ.get("REDIS_URL") else [])
    relays = {
        layer: await relay_stage(layer, args.rooms, args.messages, people, couple, cookies)
        for layer in layers
    }
    main_layer = "pubsub" if "pubsub" in relays else "memory"
    ours = relays[main_layer]
    results.update(
        relay_layer=main_layer,
        relay_msgs_per_s=round(ours["msgs_per_s"], 1),
        relay_p99_ms=ours["p99_ms"] and round(ours["p99_ms"], 1),
        relay_delivered=ours["delivered"],
        relay_expected=ours["expected"],
        relay_inmemory_msgs_per_s=round(relays["memory"]["msgs_per_s"], 1),
        relay_baseline_msgs_per_s=round(base["msgs_per_s"], 1),
        relay_ratio=round(ours["msgs_per_s"] / base["msgs_per_s"], 3),
        relay_ratio_inmemory=round(relays["memory"]["msgs_per_s"] / base["msgs_per_s"], 3),
        server_cpu_ms_per_msg=round(ours["cpu_ms_per_msg"], 3),
        trivial_cpu_ms_per_msg=round(trivial["cpu_ms_per_msg"], 3),
        cpu_per_msg_ratio=round(ours["cpu_ms_per_msg"] / max(trivial["cpu_ms_per_msg"], 1e-6), 2),
        rooms=args.rooms,
        messages_per_peer=args.messages,
    )

    # (3) joins on an idle server, then with every other room busy
    proc, url = start_daphne(main_layer)
    try:
        idle = [
            await ws_join(url, bk, cookies)
            for bk in make_bookings(therapist, couple, args.joins, admitted=(a, b))
        ]
        sockets, tasks, refused = await busy_rooms(
            url, make_bookings(therapist, couple, args.big_rooms, admitted=(a, b)), cookies
        )
        busy = [
            await ws_join(url, bk, cookies)
            for bk in make_bookings(therapist, couple, args.joins, admitted=(a, b))
        ]
        for t in tasks:
            t.cancel()
        for ws in sockets:
            with contextlib.suppress(Exception):
                await ws.close()
    finally:
        stop(proc)
    emit({"stage": "joins", "idle_p95_ms": pct(idle, 95), "busy_p95_ms": pct(busy, 95)})
    results.update(
        join_idle_p95_ms=round(pct(idle, 95), 1),
        join_busy_p95_ms=round(pct(busy, 95), 1),
        big_rooms=args.big_rooms,
        busy_sockets_connected=len(sockets),
        busy_sockets_refused=refused,
        join_p95_ratio_300_rooms=round(pct(busy, 95) / pct(idle, 95), 2),
    )
    return results


if __name__ == "__main__":
    parser = bench_parser(__doc__)
    parser.add_argument("--mesh-rooms", type=int, default=12)
    parser.add_argument("--rooms", type=int, default=100)
    parser.add_argument("--messages", type=int, default=40)
    parser.add_argument("--big-rooms", type=int, default=300)
    parser.add_argument("--joins", type=int, default=30)
    parsed = parser.parse_args()
    if parsed.smoke:
        parsed.mesh_rooms, parsed.rooms, parsed.messages = 1, 4, 5
        parsed.big_rooms, parsed.joins = 4, 3
    run = Run(parsed)
    random.seed(1)
    try:
        final = asyncio.run(main(parsed))
    finally:
        if os.environ.get("BENCH_KEEP"):
            print(f"kept {VAR}", file=sys.stderr)
        else:
            shutil.rmtree(VAR, ignore_errors=True)
    run.finish(final)
