"""Bad input is answered and survived: size, rate, schema, abuse; plus fuzzing."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from signaling import protocol
from tests.signaling.helpers import Peer, run_async

pytestmark = pytest.mark.django_db(transaction=True)


async def _pair(booking, therapist, partner):
    t, p = Peer(booking, therapist), Peer(booking, partner)
    await t.connect()
    if (await p.connect())["state"] == "waiting":
        await t.send(type="admit", peer_ids=[p.peer_id])
        await p.expect("admitted")
    return t, p


async def _still_relays(sender: Peer, receiver: Peer) -> None:
    await sender.send(type="ice", to=receiver.peer_id, candidate=None)
    assert (await receiver.expect("ice"))["from"] == sender.peer_id


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("not json", "bad_json"),
        ("[1, 2]", "invalid"),
        ('{"no": "type"}', "invalid"),
        ('{"type": "launch_missiles"}', "unknown_type"),
        ('{"type": "offer", "to": "x"}', "invalid"),
        ('{"type": "offer", "to": 5, "sdp": "v=0"}', "invalid"),
        ('{"type": "media", "audio": "yes", "video": true}', "invalid"),
        ('{"type": "ice", "to": "x", "candidate": {"candidate": 1}}', "invalid"),
        ('{"type": "ping", "extra": 1}', "invalid"),
        ("x" * (protocol.MAX_MESSAGE_BYTES + 1), "too_large"),
    ],
)
def test_bad_messages_get_an_error_and_the_call_goes_on(booking, therapist, partner_a, text, code):
    async def scenario():
        t, p = await _pair(booking, therapist, partner_a)
        await p.send_text(text)
        assert (await p.expect("error"))["code"] == code
        await _still_relays(p, t)
        await _still_relays(t, p)
        for x in (t, p):
            await x.leave()

    run_async(scenario)


def test_binary_frames_are_refused(booking, therapist, partner_a):
    async def scenario():
        t, p = await _pair(booking, therapist, partner_a)
        await p.comm.send_to(bytes_data=b"\x00\x01")
        assert (await p.expect("error"))["code"] == "bad_frame"
        await _still_relays(p, t)
        for x in (t, p):
            await x.leave()

    run_async(scenario)


def test_flooding_is_rate_limited_and_repeated_abuse_closes_only_the_abuser(
    booking, therapist, partner_a, partner_b
):
    async def scenario():
        t, p = await _pair(booking, therapist, partner_a)
        flood = protocol.RATE_BURST + 40
        for _ in range(flood):
            await p.send(type="ice", to=t.peer_id, candidate=None)
        codes = []
        while True:
            msg = await p.next()
            if msg["type"] == "__closed__":
                break
            if msg["type"] == "error":
                codes.append(msg["code"])
        assert p.closed_code == 4429
        assert "rate_limited" in codes and codes[-1] == "abuse"
        # The therapist got the burst the limit allowed, and is still served.
        relayed = 0
        while not await t.comm.receive_nothing(0.3):
            relayed += (await t.next())["type"] == "ice"
        assert protocol.RATE_BURST <= relayed < flood
        b = Peer(booking, partner_b)
        await b.connect()
        assert [w["name"] for w in (await t.expect("waiting"))["waiting"]] == ["Aiko"]
        for x in (t, b):
            await x.leave()

    run_async(scenario)


@pytest.mark.parametrize(
    ("msg", "code"),
    [
        ({"type": "launch_missiles", "id": "m1"}, "unknown_type"),
        ({"type": "offer", "to": "x", "id": 7}, "invalid"),
        ({"type": "ping", "extra": 1, "id": "m3"}, "invalid"),
        ({"type": 5, "id": "m4"}, "invalid"),
        (
            {"type": "offer", "to": "x", "sdp": "v" * protocol.MAX_MESSAGE_BYTES, "id": "m5"},
            "too_large",
        ),
    ],
)
def test_every_error_a_message_causes_echoes_its_id(booking, therapist, partner_a, msg, code):
    async def scenario():
        t, p = await _pair(booking, therapist, partner_a)
        await p.send(**msg)
        error = await p.expect("error")
        assert (error["code"], error["ref"]) == (code, msg["id"])
        await p.send(type="ice", to=p.peer_id, candidate=None, id="self")
        error = await p.expect("error")
        assert (error["code"], error["ref"], error["ref_type"]) == ("invalid", "self", "ice")
        for x in (t, p):
            await x.leave()

    run_async(scenario)


def test_the_rate_limit_counts_messages_as_they_arrive_not_as_they_are_handled(
    booking, therapist, partner_a
):
    """A burst sent faster than the server handles it is still a burst: 260 pings sent
    at once get at most the burst's worth of pongs, however slow each pong is."""

    async def scenario():
        t, p = await _pair(booking, therapist, partner_a)
        for i in range(protocol.RATE_BURST + 60):
            await p.send(type="ping", id=i)
        pongs, limited = 0, []
        while True:
            msg = await p.next()
            if msg["type"] == "__closed__":
                break
            pongs += msg["type"] == "pong"
            if msg.get("code") == "rate_limited":
                limited.append(msg["ref"])
        # The pings that came in over the limit are the ones refused, by their id.
        assert pongs <= protocol.RATE_BURST + 1
        assert limited and min(limited) >= protocol.RATE_BURST - 10
        assert p.closed_code == 4429
        for x in (t, p):
            await x.leave()

    run_async(scenario)


def test_after_an_abuse_close_the_peer_is_gone_at_once_every_time(
    booking, therapist, partner_a, partner_b
):
    """Without waiting for the closing handshake (the abuser may never answer it), the
    others get peer_left, and neither sync nor a new joiner's list shows the abuser."""

    async def scenario():
        t = Peer(booking, therapist)
        await t.connect()
        for _trial in range(5):
            p = Peer(booking, partner_a)
            if (await p.connect())["state"] == "waiting":  # first time only
                await t.send(type="admit", peer_ids=[p.peer_id])
                await p.expect("admitted")
            await t.expect("peer_joined", where=lambda m, p=p: m["peer"]["peer_id"] == p.peer_id)
            for _ in range(protocol.MAX_STRIKES):
                await p.send_text("not json")
            assert await p.closed() == 4429
            left = await t.expect("peer_left", peer_id=p.peer_id)
            assert left["reason"] == "abuse"
            await t.send(type="sync")
            assert [x["peer_id"] for x in (await t.expect("state"))["peers"]] == []
            b = Peer(booking, partner_b)
            if (await b.connect())["state"] == "waiting":
                await t.send(type="admit", peer_ids=[b.peer_id])
                joined = await b.expect("admitted")
            else:
                joined = b.welcome
            assert [x["peer_id"] for x in joined["peers"]] == [t.peer_id]
            await b.leave()
            await t.expect("peer_left", peer_id=b.peer_id)
            await p.leave()
        await t.leave()

    run_async(scenario)


json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
message_like = st.fixed_dictionaries(
    {"type": st.sampled_from([*protocol.FIELDS, "hello", ""])},
    optional={
        "to": st.text(max_size=40) | json_values,
        "sdp": st.text(max_size=50) | json_values,
        "candidate": json_values,
        "audio": json_values,
        "video": json_values,
        "peer_ids": json_values,
        "peer_id": json_values,
        "from": st.text(max_size=20),
        "id": json_values,
    },
)
frames = st.one_of(
    message_like.map(json.dumps),
    json_values.map(json.dumps),
    st.text(max_size=60),
    st.binary(max_size=30),
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batch=st.lists(frames, min_size=1, max_size=8))
def test_fuzzed_partner_never_breaks_the_room(booking, therapist, partner_a, batch):
    async def scenario():
        t, p = await _pair(booking, therapist, partner_a)
        for frame in batch:
            if isinstance(frame, bytes):
                await p.send_bytes(frame)
            else:
                await p.send_text(frame)
        # Every frame gets at most its answer; none is a server error; the pair still talks.
        while not await p.comm.receive_nothing(0.05):
            msg = await p.next()
            assert msg.get("code") != "server_error", msg
            if msg["type"] == "__closed__":
                break
        if p.closed_code is None:
            await _still_relays(p, t)
        await _still_relays(t, p) if p.closed_code is None else None
        while not await t.comm.receive_nothing(0.05):
            msg = await t.next()
            assert msg["type"] != "error"
        for x in (t, p):
            await x.leave()

    run_async(scenario)
