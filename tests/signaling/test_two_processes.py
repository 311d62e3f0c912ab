"""Two real Daphne processes share one room through real Redis (channels-redis)."""

from __future__ import annotations

import os

import pytest

from tests.signaling.helpers import run_async
from tests.signaling.rtc_client import RoomClient, wait_for
from tests.signaling.test_rtc_e2e import three_way

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
PREFIX = os.environ.get("CHANNEL_PREFIX", "duet")


def test_peers_on_different_processes_reach_each_other(
    live_daphne, booking, therapist, partner_a, partner_b
):
    # A Redis db of its own, so nothing else on the lane's db can interfere; pub/sub
    # channels are server-wide, though, so the prefix names this run (CHANNEL_PREFIX).
    env = {"REDIS_URL": "redis://127.0.0.1:6379/15", "CHANNEL_PREFIX": f"{PREFIX}-t{booking.pk}"}
    one, two = live_daphne(env), live_daphne(env)
    try:
        # Therapist on process one, partners split across both.
        run_async(
            three_way, [one.url, two.url, two.url], booking, [therapist, partner_a, partner_b], 1
        )
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{one.log_tail()}\n{two.log_tail()}") from exc


def test_reconnect_on_the_other_process_replaces_the_old_connection(
    live_daphne, booking, therapist, partner_a
):
    from tests.factories import PASSWORD

    env = {"REDIS_URL": "redis://127.0.0.1:6379/15", "CHANNEL_PREFIX": f"{PREFIX}-r{booking.pk}"}
    one, two = live_daphne(env), live_daphne(env)

    async def scenario() -> None:
        t = RoomClient(one.url, therapist.email, PASSWORD)
        first = RoomClient(one.url, partner_a.email, PASSWORD)
        second = RoomClient(two.url, partner_a.email, PASSWORD)
        try:
            for c in (t, first, second):
                await c.login()
            await t.join(booking.room_id)
            await first.join(booking.room_id)
            await wait_for(lambda: first.state == "admitted", 10, "admission across processes")
            await second.join(booking.room_id)
            await wait_for(lambda: first.closed_code == 4409, 10, "old tab closed (4409)")
            await wait_for(
                lambda: any(
                    m["type"] == "peer_left" and m["reason"] == "replaced" for m in t.messages
                ),
                10,
                "replaced announced",
            )
            seen = len(t.messages)
            await t.send(type="sync")
            await wait_for(
                lambda: any(m["type"] == "state" for m in t.messages[seen:]), 10, "state"
            )
            state = next(m for m in t.messages[seen:] if m["type"] == "state")
            assert [p["peer_id"] for p in state["peers"]] == [second.peer_id]
            # The therapist's relay from process one reaches the new socket on process two.
            await t.send(type="restart_ice", to=second.peer_id)
            await wait_for(
                lambda: any(m["type"] == "restart_ice" for m in second.messages), 10, "relay"
            )
        finally:
            for c in (t, first, second):
                await c.close()

    run_async(scenario)
