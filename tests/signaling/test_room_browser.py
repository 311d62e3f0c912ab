"""Three real Chromium contexts in one room through a live Daphne server."""

from __future__ import annotations

import pytest

from tests.factories import browser_log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MESH_READY = """() => {
  const vids = [...document.querySelectorAll('#stage video.remote-video')];
  return vids.length === 2 && vids.every(v => v.videoWidth > 0 && !v.paused && v.readyState >= 2);
}"""


def _log_in(page, base, email):
    from accounts.models import User

    browser_log_in(page, base, User.objects.get(email=email))


def _join(page, url):
    page.goto(url)
    page.wait_for_selector("#join-btn:not([disabled])")
    page.click("#join-btn")


def _press(page, selector):
    """Click from inside the page: a busy three-way call can starve Playwright's
    actionability checks and post-click navigation wait on a loaded machine."""
    page.wait_for_selector(selector, state="visible")
    page.evaluate("(sel) => document.querySelector(sel).click()", selector)


def _wait_mesh(pages, server):
    for name, page in pages.items():
        try:
            page.wait_for_function(MESH_READY, timeout=30_000)
        except Exception as exc:
            raise AssertionError(
                f"{name} has no full mesh; server log: {server.log_tail()}"
            ) from exc


def test_three_way_call_in_chromium(
    live_daphne, new_context, booking, therapist, partner_a, partner_b
):
    server = live_daphne()
    base = server.url
    room = f"{base}/rooms/{booking.room_id}/"
    pages = {}
    for name, user in (("therapist", therapist), ("sam", partner_a), ("aiko", partner_b)):
        page = new_context(permissions=["camera", "microphone"]).new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        _log_in(page, base, user.email)
        pages[name] = page
    t, sam, aiko = pages["therapist"], pages["sam"], pages["aiko"]

    # Partners wait; the therapist sees both and admits them together.
    for page in (sam, aiko):
        _join(page, room)
        page.wait_for_selector("#waiting-screen:not([hidden])")
    _join(t, room)
    t.wait_for_selector("#waiting-list .waiting-row >> nth=1")
    assert "Sam" in t.inner_text("#waiting-list") and "Aiko" in t.inner_text("#waiting-list")
    _press(t, "#admit-all")
    _wait_mesh(pages, server)

    # All three rejoin at the same moment (admitted partners skip the waiting room):
    # the newcomer-offers rule must form the full mesh every time.
    for _ in range(2):
        for page in pages.values():
            page.evaluate("() => window.location.reload()")
        for page in pages.values():
            page.wait_for_selector("#join-btn:not([disabled])")
        for page in pages.values():
            page.evaluate("() => document.querySelector('#join-btn').click()")
        _wait_mesh(pages, server)

    # The websocket drops (not the media): the client reconnects with its resume token
    # and keeps the very same peer connections, which keep playing.
    sam.evaluate("() => { window.__pcs = [...window.duetRoom.peers.values()].map(p => p.pc); }")
    sam.evaluate("() => window.duetRoom.ws.close(4000)")
    sam.wait_for_function(
        """() => window.duetRoom.ws && window.duetRoom.ws.readyState === 1
                 && window.duetRoom.retries === 0 && window.duetRoom.peers.size === 2""",
        timeout=20_000,
    )
    assert sam.evaluate(
        """() => [...window.duetRoom.peers.values()].every(
                 p => window.__pcs.includes(p.pc) && p.pc.connectionState === 'connected')"""
    )
    _wait_mesh(pages, server)

    # One side starts a connection afresh while the other kept its end (as after a
    # reload whose leave never reached the other page), and the new offer does not fit
    # the kept connection (its sections differ): Chromium refuses it there, so the other
    # side meets it with a fresh connection of its own.
    offerer = "() => [...window.duetRoom.peers.values()].find(p => p.info.initiator)"
    starter = next(p for p in pages.values() if p.evaluate(f"() => !!({offerer})()"))
    starter_id = starter.evaluate("() => window.duetRoom.peerId")
    keeper_id = starter.evaluate(f"() => ({offerer})().id")
    keeper = next(
        p for p in pages.values() if p.evaluate("() => window.duetRoom.peerId") == keeper_id
    )
    keeper.evaluate("(id) => { window.__keptPc = window.duetRoom.peers.get(id).pc; }", starter_id)
    starter.evaluate(
        f"""async () => {{
          const src = document.querySelector('script[type=module][src*="js/room.js"]').src;
          const module = (name) => import(new URL(`./room/${{name}}.js`, src));  // the room's own
          const peers = await module("peers"), chat = await module("chat");
          const peer = peers.renewPeer(({offerer})());
          // The chat channel is offered alone first, the media after it: a new order.
          chat.wireChat(peer, peer.pc.createDataChannel("chat"));
          for (let i = 0; i < 500 && peer.pc.signalingState === "stable"; i++) {{
            await new Promise((done) => setTimeout(done, 10));
          }}
          peers.addLocalTracks(peer);
        }}"""
    )
    keeper.wait_for_function(
        """(id) => { const p = window.duetRoom.peers.get(id);
                     return p.pc !== window.__keptPc && p.pc.connectionState === 'connected'; }""",
        arg=starter_id,
        timeout=20_000,
    )
    _wait_mesh(pages, server)

    # Names on tiles; muting shows on the others' tiles.
    assert sorted(t.locator("#stage .remote-tile .tile-name").all_inner_texts()) == ["Aiko", "Sam"]
    _press(sam, "#btn-mic")
    for page in (t, aiko):
        page.wait_for_selector(
            "#stage .remote-tile[data-muted=true] .tile-muted:not([hidden])", timeout=10_000
        )
        muted = page.locator("#stage .remote-tile[data-muted=true] .tile-name").inner_text()
        assert muted == "Sam"

    # Chat over the data channel reaches the others.
    _press(aiko, "#btn-chat")
    aiko.fill("#chat-input", "hello from Aiko")
    aiko.evaluate("() => document.querySelector('#chat-form').requestSubmit()")
    _press(t, "#btn-chat")
    t.wait_for_selector("#chat-log >> text=hello from Aiko")

    # The therapist ends the session: everyone leaves the room.
    _press(t, "#btn-end")
    for page in pages.values():
        page.wait_for_selector("#call-over:not([hidden])", timeout=30_000)
        assert page.evaluate("() => document.body.dataset.roomState") == "over"
        assert page.locator("#stage video.remote-video").count() == 0
    booking.refresh_from_db()
    assert booking.ended_at is not None and booking.status == "completed"
