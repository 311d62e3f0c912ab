"""Signaling benchmark: joins, relay throughput and server CPU through a live Daphne.

(1) Join-to-full-mesh for three aiortc peers through Daphne (therapist signs in with
    the second factor; p50/p95 over many rooms), as a ratio to three aiortc peers meshed
    directly in-process (``join_ratio``); the two alternate room by room.
(2) 100 rooms x 3 peers on one Daphne process, each peer sending ICE messages to the
    others: relayed messages per second as a ratio to a minimal asyncio relay on
    ``websockets`` (``relay_ratio`` on the Redis pub/sub layer when REDIS_URL is set,
    ``relay_ratio_inmemory`` on the in-memory layer), and the Daphne process's CPU per
    relayed message as a ratio to a trivial Channels consumer on Daphne
    (bench/trivial_asgi.py, ``cpu_per_msg_ratio``).
(3) 300 rooms x 3 peers connected with heartbeats on one Daphne: the p95 time for three
    peers to join a room and see each other, as a ratio to the same joins on an idle
    server (``join_p95_ratio_300_rooms``); idle and busy joins take turns, three times.

Usage:  .venv/bin/python bench/signaling.py [--mesh-rooms 24] [--rooms 100] [--messages 40]
        [--big-rooms 300] [--joins 90] [--smoke] [--out FILE]
Prints JSON objects per stage and ends with one JSON line of results.

Here: the run and the figures it reports. The loads are in bench/signaling_load.py, the
baselines in bench/signaling_baselines.py, people, bookings and the Daphne process in
bench/signaling_parts.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import shutil
import statistics
import sys
import tempfile
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

from django.core.management import call_command  # noqa: E402

from bench.common import Run  # noqa: E402
from bench.common import parser as bench_parser  # noqa: E402
from bench.signaling_baselines import (  # noqa: E402
    direct_mesh3,
    minimal_connector,
    minimal_relay_server,
)
from bench.signaling_load import (  # noqa: E402
    busy_rooms,
    mesh_rooms,
    relay_load,
    relay_stage,
    settled,
    ws_join,
)
from bench.signaling_parts import (  # noqa: E402
    cpu_seconds,
    emit,
    make_bookings,
    make_people,
    pct,
    session_cookie,
    start_daphne,
    stop,
)

ROUNDS = 3  # stage 3 alternates idle and busy joins this many times


async def main(args) -> dict:
    call_command("migrate", verbosity=0)
    therapist, a, b, couple = make_people()
    people = (therapist, a, b)
    results: dict = {}

    # (1) joins with media, against three peers meshed in-process. The two alternate, room
    # by room, so a noisy neighbour's burst lands on both sides of the ratio.
    direct: list[float] = []
    mesh: list[float] = []
    proc, url = start_daphne("memory")
    try:
        for booking in make_bookings(therapist, couple, args.mesh_rooms):
            direct.append(await direct_mesh3())
            mesh += await mesh_rooms(url, people, [booking])
    finally:
        stop(proc)
    emit({"stage": "direct_mesh3", "p50_ms": statistics.median(direct)})
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

    # (3) joins on an idle server, then with every other room busy. Idle and busy take
    # turns (ROUNDS of each), so a slow minute on a shared machine is not all on one side.
    idle: list[float] = []
    busy: list[float] = []
    connected, refused = [], 0
    per_round = max(1, args.joins // ROUNDS)
    proc, url = start_daphne(main_layer)
    try:
        for bk in make_bookings(therapist, couple, 3, admitted=(a, b)):
            await ws_join(url, bk, cookies)  # warm-up, not counted: a new process's first joins
        for _ in range(ROUNDS):
            for bk in make_bookings(therapist, couple, per_round, admitted=(a, b)):
                idle.append(await ws_join(url, bk, cookies))
            big = make_bookings(therapist, couple, args.big_rooms, admitted=(a, b))
            sockets, tasks, failed = await busy_rooms(url, big, cookies)
            connected.append(len(sockets))
            refused += failed
            for bk in make_bookings(therapist, couple, per_round, admitted=(a, b)):
                busy.append(await ws_join(url, bk, cookies))
            for t in tasks:
                t.cancel()
            for ws in sockets:
                with contextlib.suppress(Exception):
                    await ws.close()
            await settled(big)
    finally:
        stop(proc)
    emit({"stage": "joins", "idle_p95_ms": pct(idle, 95), "busy_p95_ms": pct(busy, 95)})
    results.update(
        join_idle_p95_ms=round(pct(idle, 95), 1),
        join_busy_p95_ms=round(pct(busy, 95), 1),
        big_rooms=args.big_rooms,
        busy_sockets_connected=min(connected),
        busy_sockets_refused=refused,
        join_p95_ratio_300_rooms=round(pct(busy, 95) / pct(idle, 95), 2),
    )
    return results


if __name__ == "__main__":
    parser = bench_parser(__doc__)
    parser.add_argument("--mesh-rooms", type=int, default=24)
    parser.add_argument("--rooms", type=int, default=100)
    parser.add_argument("--messages", type=int, default=40)
    parser.add_argument("--big-rooms", type=int, default=300)
    parser.add_argument("--joins", type=int, default=90)
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
