"""Three aiortc peers meet through a live Daphne server, following docs/signaling.md."""

from __future__ import annotations

import asyncio

import pytest

from tests.factories import PASSWORD
from tests.signaling.helpers import run_async
from tests.signaling.rtc_client import RoomClient, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

FRAMES = 10


def full_mesh(clients: dict[str, RoomClient], minimum: int = FRAMES):
    def ready() -> bool:
        return all(
            all(c.frames.get(other, 0) >= minimum for other in clients if other != name)
            for name, c in clients.items()
        )

    return ready


async def three_way(urls, booking, users, rounds: int) -> None:
    clients = {
        user.name: RoomClient(url, user.email, PASSWORD)
        for url, user in zip(urls, users, strict=True)
    }
    try:
        await asyncio.gather(*(c.login() for c in clients.values()))
        for _ in range(rounds):
            # All three at the same moment.
            await asyncio.gather(*(c.join(booking.room_id) for c in clients.values()))
            await wait_for(
                full_mesh(clients),
                40,
                f"full mesh { {n: c.frames for n, c in clients.items()} }",
            )
            await asyncio.gather(*(c.drop() for c in clients.values()))
        await asyncio.gather(*(c.join(booking.room_id) for c in clients.values()))
        await wait_for(full_mesh(clients), 40, "full mesh before the drop")

        # One drops (network gone) and rejoins: no ghost, frames flow again both ways.
        partner = clients[users[2].name]
        await partner.drop()
        others = [c for n, c in clients.items() if n != users[2].name]
        for c in others:
            await wait_for(lambda c=c: partner.peer_id not in c.peers, 10, "peer_left")
            c.frames.pop(users[2].name, None)
        await partner.join(booking.room_id)
        await wait_for(full_mesh(clients), 40, "frames after the rejoin")
        for c in clients.values():
            assert len(c.pcs) == 2, c.pcs.keys()
    finally:
        await asyncio.gather(*(c.close() for c in clients.values()))


def test_three_aiortc_peers_through_live_daphne(
    live_daphne, booking, therapist, partner_a, partner_b
):
    server = live_daphne()
    try:
        run_async(three_way, [server.url] * 3, booking, [therapist, partner_a, partner_b], 2)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\nserver log:\n{server.log_tail()}") from exc
