"""The room consumer over WebsocketCommunicator: who gets in, admission, relaying."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser

from scheduling.models import Booking
from scheduling.signals import room_participant_joined, session_ended
from signaling.models import RoomParticipant
from tests.signaling.helpers import Peer, make_booking, run_async

pytestmark = pytest.mark.django_db(transaction=True)


def run(coro_fn, *args):
    return run_async(coro_fn, *args)


async def _room_with_both_waiting(booking, therapist, a, b):
    """Therapist in, both partners in the waiting room; returns the three peers."""
    t, pa, pb = Peer(booking, therapist), Peer(booking, a), Peer(booking, b)
    await t.connect()
    await pa.connect()
    await pb.connect()
    waiting = await t.expect("waiting")
    while len(waiting["waiting"]) < 2:
        waiting = await t.expect("waiting")
    return t, pa, pb


async def _room_with_all(booking, therapist, a, b):
    """Therapist in, both partners waiting then admitted; returns the three peers."""
    t, pa, pb = await _room_with_both_waiting(booking, therapist, a, b)
    await t.send(type="admit", peer_ids=[pa.peer_id, pb.peer_id])
    await pa.expect("admitted")
    await pb.expect("admitted")
    return t, pa, pb


# --- who may enter ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "code", "close"),
    [
        ("other_partner", "not_allowed", 4403),
        ("other_therapist", "not_allowed", 4403),
        ("clinic_admin", "not_allowed", 4403),
        ("anonymous", "not_authenticated", 4401),
    ],
)
def test_outsiders_are_refused_at_the_handshake(request, booking, who, code, close):
    user = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)

    async def scenario():
        error, closed = await Peer(booking, user).refused()
        assert (error["code"], closed) == (code, close)

    run(scenario)
    assert not RoomParticipant.objects.exists()


def test_unknown_room_is_refused(booking, partner_a):
    async def scenario():
        error, closed = await Peer(booking, partner_a, room_id="nope-not-a-room").refused()
        assert (error["code"], closed) == ("no_such_room", 4404)

    run(scenario)


@pytest.mark.parametrize(
    ("starts_in", "minutes", "extra", "code", "close"),
    [
        (timedelta(minutes=16), 50, {}, "too_early", 4425),
        (timedelta(minutes=-81), 50, {}, "room_closed", 4410),  # ended 31 min ago
        (timedelta(minutes=-10), 50, {"status": "cancelled"}, "no_such_room", 4404),
        (timedelta(minutes=-10), 50, {"format": "in_person"}, "no_such_room", 4404),
    ],
)
def test_room_is_only_open_around_the_session(
    therapist, couple, partner_a, starts_in, minutes, extra, code, close
):
    booking = make_booking(therapist, couple, starts_in=starts_in, minutes=minutes, **extra)

    async def scenario():
        for user in (therapist, partner_a):
            error, closed = await Peer(booking, user).refused()
            assert (error["code"], closed) == (code, close)

    run(scenario)


def test_room_opens_fifteen_minutes_early_and_stays_open_thirty_after(therapist, couple, partner_a):
    early = make_booking(therapist, couple, starts_in=timedelta(minutes=14))
    late = make_booking(therapist, couple, starts_in=timedelta(minutes=-75), minutes=50)

    async def scenario():
        for b in (early, late):
            peer = Peer(b, therapist)
            assert (await peer.connect())["state"] == "admitted"
            await peer.leave()

    run(scenario)


def test_ended_session_refuses_everyone(booking, therapist, partner_a):
    booking.ended_at = booking.starts_at
    booking.status = Booking.Status.COMPLETED
    booking.save()

    async def scenario():
        for user in (therapist, partner_a):
            error, closed = await Peer(booking, user).refused()
            assert (error["code"], closed) == ("room_closed", 4410)

    run(scenario)


# --- waiting room, admission, removal, end ---------------------------------------------


def test_partners_wait_and_therapist_sees_them(booking, therapist, partner_a, partner_b):
    joined = []
    room_participant_joined.connect(
        lambda **kw: joined.append(kw["user"].email), dispatch_uid="t1", weak=False
    )

    async def scenario():
        pa = Peer(booking, partner_a)
        welcome = await pa.connect()
        assert welcome["state"] == "waiting" and welcome["peers"] == []
        assert "waiting" not in welcome  # only the therapist sees the waiting list
        t = Peer(booking, therapist)
        tw = await t.connect()
        assert tw["state"] == "admitted" and tw["role"] == "therapist"
        assert [w["name"] for w in tw["waiting"]] == ["Sam"]
        assert "email" not in tw["waiting"][0]
        # A waiting partner cannot signal anyone.
        await pa.send(type="offer", to=t.peer_id, sdp="v=0")
        assert (await pa.expect("error"))["code"] == "not_admitted"
        assert await t.quiet()
        # Admit one at a time.
        await t.send(type="admit", peer_ids=[pa.peer_id])
        admitted = await pa.expect("admitted")
        assert [p["role"] for p in admitted["peers"]] == ["therapist"]
        assert admitted["peers"][0]["initiator"] is True  # the newcomer offers
        joined_msg = await t.expect("peer_joined")
        assert joined_msg["peer"]["name"] == "Sam" and joined_msg["peer"]["initiator"] is False
        assert (await t.expect("waiting"))["waiting"] == []
        for p in (pa, t):
            await p.leave()

    try:
        run(scenario)
    finally:
        room_participant_joined.disconnect(dispatch_uid="t1")
    assert joined == ["therapist@example.com", "a@example.com"]


def test_admit_both_at_once_gives_a_deterministic_offerer(booking, therapist, partner_a, partner_b):
    async def scenario():
        t, pa, pb = await _room_with_all(booking, therapist, partner_a, partner_b)
        state_a = await pa.send(type="sync") or await pa.expect("state")
        state_b = await pb.send(type="sync") or await pb.expect("state")
        a_sees = {p["name"]: p for p in state_a["peers"]}
        b_sees = {p["name"]: p for p in state_b["peers"]}
        # Exactly one side of each pair offers, and the other side is the polite one.
        assert a_sees["Aiko"]["initiator"] != b_sees["Sam"]["initiator"]
        assert a_sees["Aiko"]["polite"] != b_sees["Sam"]["polite"]
        assert a_sees["Elena"]["initiator"] and b_sees["Elena"]["initiator"]
        for p in (t, pa, pb):
            await p.leave()

    run(scenario)


def test_admit_both_from_a_list_a_moment_old_still_lets_the_other_one_in(
    booking, therapist, partner_a, partner_b
):
    """Sam was admitted a moment ago (another tab, a double click); "Admit both" with the
    old list admits Aiko and does not tell the therapist off. Someone who is gone is still
    an error, and then nobody in that request is admitted."""

    async def scenario():
        t, pa, pb = await _room_with_both_waiting(booking, therapist, partner_a, partner_b)
        await t.send(type="admit", peer_ids=[pa.peer_id])
        await pa.expect("admitted")
        await t.send(type="admit", peer_ids=[pa.peer_id, pb.peer_id])
        admitted = await pb.expect("admitted")
        assert [p["name"] for p in admitted["peers"]] == ["Elena", "Sam"]
        await t.expect("peer_joined", where=lambda m: m["peer"]["name"] == "Aiko")
        assert not [m for m in t.inbox if m["type"] == "error"]
        await t.send(type="admit", peer_ids=[pb.peer_id, "gone-peer-id"])
        error = await t.expect("error")
        assert (error["code"], error["ref_type"]) == ("not_waiting", "admit")
        for p in (t, pa, pb):
            await p.leave()

    run(scenario)
    assert set(RoomParticipant.objects.filter(booking=booking).values_list("state", flat=True)) == {
        RoomParticipant.State.ADMITTED
    }


def test_partners_cannot_admit_remove_or_end(booking, therapist, partner_a, partner_b):
    async def scenario():
        t, pa, pb = await _room_with_all(booking, therapist, partner_a, partner_b)
        for msg in (
            {"type": "admit", "peer_ids": [pb.peer_id]},
            {"type": "remove", "peer_id": pb.peer_id},
            {"type": "end"},
        ):
            await pa.send(**msg)
            assert (await pa.expect("error"))["code"] == "not_allowed"
        for p in (t, pa, pb):
            await p.leave()

    run(scenario)
    assert Booking.objects.get().ended_at is None


def test_removed_partner_is_closed_and_cannot_rejoin(booking, therapist, partner_a, partner_b):
    async def scenario():
        t, pa, pb = await _room_with_all(booking, therapist, partner_a, partner_b)
        await t.send(type="remove", peer_id=pb.peer_id)
        assert (await pb.expect("removed"))["type"] == "removed"
        assert await pb.closed() == 4430
        left = await pa.expect("peer_left", peer_id=pb.peer_id)
        assert left["reason"] == "removed"
        await t.expect("peer_left", peer_id=pb.peer_id)
        error, closed = await Peer(booking, partner_b).refused()
        assert (error["code"], closed) == ("removed", 4430)
        for p in (t, pa):
            await p.leave()

    run(scenario)


def test_end_session_closes_everyone_and_fires_the_signal(booking, therapist, partner_a, partner_b):
    ended = []
    session_ended.connect(
        lambda **kw: ended.append(kw["ended_by"].email), dispatch_uid="t2", weak=False
    )

    async def scenario():
        t = Peer(booking, therapist)
        await t.connect()
        pa, pb = Peer(booking, partner_a), Peer(booking, partner_b)
        await pa.connect()
        await t.send(type="admit", peer_ids=[pa.peer_id])
        await pa.expect("admitted")
        await pb.connect()  # still waiting when the session ends
        await t.send(type="end")
        for p in (t, pa, pb):
            assert (await p.expect("ended"))["reason"] == "ended_by_therapist"
            assert await p.closed() == 4410

    try:
        run(scenario)
    finally:
        session_ended.disconnect(dispatch_uid="t2")
    booking.refresh_from_db()
    assert booking.ended_at is not None and booking.status == "completed"
    assert ended == ["therapist@example.com"]


# --- relaying, spoofing --------------------------------------------------------------------


def test_offers_go_to_one_peer_with_server_stamped_from(booking, therapist, partner_a, partner_b):
    async def scenario():
        t, pa, pb = await _room_with_all(booking, therapist, partner_a, partner_b)
        await pb.send(type="offer", to=pa.peer_id, sdp="v=0 fake", id=7)
        got = await pa.expect("offer")
        assert got == {"type": "offer", "to": pa.peer_id, "sdp": "v=0 fake", "from": pb.peer_id}
        assert await t.quiet()
        # A client cannot claim to be someone else: "from" is rejected, not relayed.
        await pb.send(type="answer", to=pa.peer_id, sdp="x", **{"from": t.peer_id})
        error = await pb.expect("error")
        assert error["code"] == "invalid"
        assert await pa.quiet()
        await pb.send(type="ice", to=t.peer_id, candidate=None)
        assert (await t.expect("ice"))["from"] == pb.peer_id
        await pb.send(type="ice", to="no-such-peer", candidate=None, id="q")
        error = await pb.expect("error")
        assert (error["code"], error["ref"], error["ref_type"]) == ("unknown_peer", "q", "ice")
        await pb.send(type="media", audio=False, video=True)
        for other in (t, pa):
            media = await other.expect("media")
            assert media == {"type": "media", "from": pb.peer_id, "audio": False, "video": True}
        for p in (t, pa, pb):
            await p.leave()

    run(scenario)


def test_leaving_is_announced(booking, therapist, partner_a, partner_b):
    async def scenario():
        t, pa, pb = await _room_with_all(booking, therapist, partner_a, partner_b)
        await pa.leave()
        for p in (t, pb):
            assert (await p.expect("peer_left", peer_id=pa.peer_id))["reason"] == "left"
        for p in (t, pb):
            await p.leave()

    run(scenario)


# --- reconnect -----------------------------------------------------------------------------


def test_new_tab_replaces_the_old_connection(booking, therapist, partner_a, partner_b):
    async def scenario():
        t, pa, pb = await _room_with_all(booking, therapist, partner_a, partner_b)
        again = Peer(booking, partner_a)
        welcome = await again.connect()
        assert welcome["state"] == "admitted"  # admitted once, admitted for the session
        assert welcome["peer_id"] != pa.peer_id
        assert (await pa.expect("replaced"))["type"] == "replaced"
        assert await pa.closed() == 4409
        for p in (t, pb):
            await p.expect("peer_left", peer_id=pa.peer_id, reason="replaced")
            joined = await p.expect(
                "peer_joined", where=lambda m: m["peer"]["peer_id"] == welcome["peer_id"]
            )
            assert joined["peer"]["initiator"] is False  # the returning tab offers
        assert all(p["initiator"] for p in welcome["peers"])
        state = await t.send(type="sync") or await t.expect("state")
        assert sorted(p["name"] for p in state["peers"]) == ["Aiko", "Sam"]  # no ghost
        for p in (t, pb, again):
            await p.leave()

    run(scenario)


def test_a_directly_admitted_tab_offers_on_welcome_and_hears_its_old_id_leave(
    booking, therapist, partner_a, partner_b
):
    """What docs/signaling.md promises a client: no `admitted` after an admitted
    `welcome`, and a `peer_left` for its own previous id, after `welcome`."""

    async def scenario():
        t, pa, pb = await _room_with_all(booking, therapist, partner_a, partner_b)
        again = Peer(booking, partner_a)
        welcome = await again.connect()
        assert welcome["state"] == "admitted"
        assert {p["peer_id"] for p in welcome["peers"] if p["initiator"]} == {
            t.peer_id,
            pb.peer_id,
        }
        await again.expect("peer_left", peer_id=pa.peer_id, reason="replaced")
        assert await again.quiet("admitted")
        # Offering on welcome works at once; candidates inside the SDP pass unchanged.
        sdp = "v=0\r\na=candidate:1 1 UDP 2122260223 192.0.2.1 54400 typ host\r\n"
        await again.send(type="offer", to=t.peer_id, sdp=sdp)
        offer = await t.expect("offer", **{"from": welcome["peer_id"]})
        assert offer["sdp"] == sdp
        for p in (t, pa, pb, again):
            await p.leave()

    run(scenario)


def test_a_foreign_origin_is_refused_at_the_http_handshake(booking, partner_a):
    async def scenario():
        peer = Peer(booking, partner_a)
        peer.comm.scope["headers"] = [(b"origin", b"https://evil.example"), (b"host", b"127.0.0.1")]
        connected, _ = await peer.comm.connect()
        assert connected is False  # 403 before the websocket opens: no message, no close code
        await peer.comm.wait()

    run(scenario)


def test_resume_keeps_the_peer_id_and_media(booking, therapist, partner_a, partner_b):
    async def scenario():
        t, pa, pb = await _room_with_all(booking, therapist, partner_a, partner_b)
        token = pa.welcome["resume_token"]
        again = Peer(booking, partner_a, query=f"resume={token}")
        welcome = await again.connect()
        assert welcome["peer_id"] == pa.peer_id and welcome["resumed"] is True
        assert await pa.closed() == 4409
        joined = await t.expect("peer_joined", resumed=True)
        assert joined["peer"]["peer_id"] == pa.peer_id
        # Relays to the resumed peer reach the new socket.
        await pb.send(type="restart_ice", to=pa.peer_id)
        assert (await again.expect("restart_ice"))["from"] == pb.peer_id
        for p in (t, pb, again):
            await p.leave()

    run(scenario)


def test_user_connections_close_closes_only_that_user(booking, therapist, partner_a, partner_b):
    from signaling.services import user_connections_close

    async def scenario():
        t, pa, pb = await _room_with_all(booking, therapist, partner_a, partner_b)
        from asgiref.sync import sync_to_async

        await sync_to_async(user_connections_close)(user_id=partner_a.pk, reason="logout")
        assert (await pa.expect("closing"))["reason"] == "logout"
        assert await pa.closed() == 4401
        await pa.leave()  # what Daphne does after the server closes
        await t.expect("peer_left", peer_id=pa.peer_id)
        await pb.send(type="offer", to=t.peer_id, sdp="v=0")
        assert (await t.expect("offer"))["from"] == pb.peer_id
        for p in (t, pb):
            await p.leave()

    run(scenario)


def test_revoking_logins_closes_that_persons_room_sockets(booking, therapist, partner_a, partner_b):
    """Logout, password change or deactivation (accounts.session_control) closes the
    person's websockets through the signal; the others' call goes on."""
    from accounts.session_control import user_sessions_revoke

    async def scenario():
        from asgiref.sync import sync_to_async

        t, pa, pb = await _room_with_all(booking, therapist, partner_a, partner_b)
        await sync_to_async(user_sessions_revoke)(user=partner_b, reason="password_changed")
        assert (await pb.expect("closing"))["reason"] == "password_changed"
        assert await pb.closed() is not None
        await pb.leave()
        await t.expect("peer_left", peer_id=pb.peer_id)
        await pa.send(type="offer", to=t.peer_id, sdp="v=0")
        assert (await t.expect("offer"))["from"] == pa.peer_id
        for p in (t, pa):
            await p.leave()

    run(scenario)


def test_dropped_socket_stays_present_for_a_resume(booking, therapist, partner_a, partner_b):
    async def scenario():
        t, pa, pb = await _room_with_all(booking, therapist, partner_a, partner_b)
        await pa.comm.disconnect(code=1006)  # network loss, not a goodbye
        # Nobody is told to tear down their media with Sam...
        assert await t.quiet("peer_left")
        state = await t.send(type="sync") or await t.expect("state")
        assert pa.peer_id in [p["peer_id"] for p in state["peers"]]
        # ...and Sam resumes under the same peer id.
        again = Peer(booking, partner_a, query=f"resume={pa.welcome['resume_token']}")
        assert (await again.connect())["peer_id"] == pa.peer_id
        await t.expect("peer_joined", resumed=True)
        for p in (t, pb, again):
            await p.leave()

    run(scenario)


def test_a_peer_that_never_comes_back_times_out(booking, therapist, partner_a, partner_b):
    async def scenario():
        t, pa, pb = await _room_with_all(booking, therapist, partner_a, partner_b)
        await pa.comm.disconnect(code=1006)
        # Its last heartbeat is now older than the presence TTL.
        from asgiref.sync import sync_to_async
        from django.utils import timezone

        from signaling.selectors import PRESENCE_TTL

        await sync_to_async(RoomParticipant.objects.filter(user=partner_a).update)(
            last_seen=timezone.now() - PRESENCE_TTL * 2
        )
        await t.send(type="ping")
        await t.expect("pong")
        left = await t.expect("peer_left", peer_id=pa.peer_id)
        assert left["reason"] == "timeout"
        await pb.expect("peer_left", peer_id=pa.peer_id)
        for p in (t, pb):
            await p.leave()

    run(scenario)


def test_relays_in_one_process_skip_the_layer_and_the_database_thread(
    booking, therapist, partner_a, partner_b, monkeypatch
):
    """A relay between sockets of one process is handed over directly: no channel-layer
    send, and no per-message hop to the database thread (aclose_old_connections)."""
    import channels.consumer
    from channels.layers import get_channel_layer

    hops = []

    async def counting_hop():
        hops.append(1)

    monkeypatch.setattr(channels.consumer, "aclose_old_connections", counting_hop)

    async def scenario():
        t, pa, pb = await _room_with_all(booking, therapist, partner_a, partner_b)
        layer = get_channel_layer()
        sent = []
        original = layer.group_send

        async def spy(group, message):
            sent.append(group)
            await original(group, message)

        layer.group_send = spy
        try:
            hops.clear()
            for i in range(20):
                await pb.send(type="ice", to=pa.peer_id, candidate={"candidate": f"c{i}"})
            for i in range(20):
                assert (await pa.expect("ice"))["candidate"] == {"candidate": f"c{i}"}
            assert not [g for g in sent if g.startswith("peer.")] and hops == []
        finally:
            layer.group_send = original
        for p in (t, pa, pb):
            await p.leave()

    run(scenario)


def test_a_page_silent_past_the_timeout_comes_back_to_its_place(
    booking, therapist, partner_a, partner_b
):
    """A locked phone (or a starved CPU) stops the heartbeat for 45 s; the others are told
    it timed out. When it pings again it keeps its peer id and its admission, and the
    others are asked to reconnect to it: no "joined from another tab", no waiting room."""

    async def scenario():
        from asgiref.sync import sync_to_async
        from django.utils import timezone

        from signaling.selectors import PRESENCE_TTL

        t, pa, pb = await _room_with_all(booking, therapist, partner_a, partner_b)
        await sync_to_async(RoomParticipant.objects.filter(user=partner_a).update)(
            last_seen=timezone.now() - PRESENCE_TTL - timedelta(seconds=1)
        )
        await t.send(type="ping")
        await t.expect("peer_left", peer_id=pa.peer_id, reason="timeout")
        await pb.expect("peer_left", peer_id=pa.peer_id)

        await pa.send(type="ping")
        back = await pa.expect("state")
        assert back["rejoined"] is True
        assert back["state"] == "admitted" and back["peer_id"] == pa.peer_id
        assert {p["peer_id"] for p in back["peers"]} == {t.peer_id, pb.peer_id}
        for other in (t, pb):
            await other.expect(
                "peer_joined", resumed=True, where=lambda m: m["peer"]["peer_id"] == pa.peer_id
            )
        assert pa.closed_code is None and await pa.quiet("replaced", "admitted")
        # Still a full member: its offers are relayed.
        await pa.send(type="offer", to=pb.peer_id, sdp="v=0 x")
        assert (await pb.expect("offer"))["from"] == pa.peer_id
        for p in (t, pa, pb):
            await p.leave()

    run(scenario)


def test_a_resume_after_the_timeout_says_the_others_dropped_us(
    booking, therapist, partner_a, partner_b
):
    async def scenario():
        from asgiref.sync import sync_to_async
        from django.utils import timezone

        from signaling.selectors import PRESENCE_TTL

        t, pa, pb = await _room_with_all(booking, therapist, partner_a, partner_b)
        await pa.comm.disconnect(code=1006)
        await sync_to_async(RoomParticipant.objects.filter(user=partner_a).update)(
            last_seen=timezone.now() - PRESENCE_TTL * 2
        )
        await t.send(type="ping")
        await t.expect("peer_left", peer_id=pa.peer_id)
        again = Peer(booking, partner_a, query=f"resume={pa.welcome['resume_token']}")
        welcome = await again.connect()
        assert welcome["peer_id"] == pa.peer_id and welcome["state"] == "admitted"
        assert welcome["resumed"] is True and welcome["rejoined"] is True
        for p in (t, pb, again):
            await p.leave()

    run(scenario)
