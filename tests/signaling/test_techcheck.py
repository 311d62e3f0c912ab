"""Pre-call tech check: the page, the aiortc echo peer and its limits."""

from __future__ import annotations

import asyncio
import json

import pytest
from django.test import AsyncClient
from django.urls import reverse

from signaling import techcheck
from tests.signaling.helpers import run_async
from tests.signaling.rtc_client import SmallVideoTrack

OFFER_URL = "/rooms/tech-check/offer/"
CLOSE_URL = "/rooms/tech-check/close/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "persona", ["partner_a", "partner_b", "therapist", "other_partner", "clinic_admin"]
)
def test_every_signed_in_person_can_open_the_tech_check(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    page = client.get(reverse("signaling:tech_check")).content.decode()
    assert "Test my connection" in page
    assert "private space" in page and "notifications" in page
    assert "techcheck.js" in page


@pytest.mark.django_db
def test_tech_check_needs_login(client):
    response = client.get(reverse("signaling:tech_check"))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert client.post(OFFER_URL, "{}", content_type="application/json").status_code in (401, 403)


async def _offer(client: AsyncClient):
    from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pc.addTrack(SmallVideoTrack())
    echoed = asyncio.Event()

    tasks: set = set()

    @pc.on("track")
    def on_track(track) -> None:
        async def pull() -> None:
            for _ in range(5):
                await track.recv()
            echoed.set()

        tasks.add(asyncio.ensure_future(pull()))

    await pc.setLocalDescription(await pc.createOffer())
    resp = await client.post(
        OFFER_URL,
        json.dumps({"sdp": pc.localDescription.sdp, "type": "offer"}),
        content_type="application/json",
    )
    body = resp.json()
    if resp.status_code == 200:
        await pc.setRemoteDescription(RTCSessionDescription(sdp=body["sdp"], type="answer"))
    return pc, resp.status_code, body, echoed


async def _until(predicate, timeout: float) -> bool:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


@pytest.mark.django_db(transaction=True)
def test_echo_peer_returns_media_and_is_limited_and_cleaned_up(
    settings, partner_a, partner_b, therapist
):
    settings.TECHCHECK_MAX_PEERS = 2
    settings.TECHCHECK_MAX_SECONDS = 3

    async def scenario() -> None:
        clients = []
        for user in (partner_a, partner_b, therapist):
            c = AsyncClient(enforce_csrf_checks=False)
            await c.aforce_login(user)
            clients.append(c)
        pc_a, status, body, echoed = await _offer(clients[0])
        assert status == 200, body
        await asyncio.wait_for(echoed.wait(), 15)  # my video came back
        pc_b, status, _, _ = await _offer(clients[1])
        assert status == 200 and techcheck.echo_count() == 2
        # Full: a third person is told to try again rather than piling up peers.
        pc_c, status, body, _ = await _offer(clients[2])
        assert (status, body["code"]) == (503, "busy")
        # Someone else cannot close my echo; I can, when the page goes away.
        resp = await clients[1].post(
            CLOSE_URL, json.dumps({"echo_id": "nope"}), content_type="application/json"
        )
        assert resp.json() == {"closed": False}
        echo_b = next(k for k, v in techcheck._peers.items() if v[1] == partner_b.pk)
        resp = await clients[0].post(
            CLOSE_URL, json.dumps({"echo_id": echo_b}), content_type="application/json"
        )
        assert resp.json() == {"closed": False}
        resp = await clients[1].post(
            CLOSE_URL, json.dumps({"echo_id": echo_b}), content_type="application/json"
        )
        assert resp.json() == {"closed": True} and techcheck.echo_count() == 1
        # The remaining one is closed by its time limit.
        assert await _until(lambda: techcheck.echo_count() == 0, 10)
        for pc in (pc_a, pc_b, pc_c):
            await pc.close()

    run_async(scenario)


@pytest.mark.django_db(transaction=True)
def test_bad_offers_get_a_clear_error(partner_a):
    async def scenario() -> None:
        c = AsyncClient()
        await c.aforce_login(partner_a)
        for body in ("nope", json.dumps({"type": "offer"}), json.dumps({"sdp": "garbage"})):
            resp = await c.post(OFFER_URL, body, content_type="application/json")
            assert resp.status_code == 422 and resp.json()["code"] in ("invalid", "bad_offer")
        assert techcheck.echo_count() == 0

    run_async(scenario)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_tech_check_in_chromium_gives_a_verdict(live_daphne, new_context, partner_a):
    from tests.factories import PASSWORD

    server = live_daphne()
    page = new_context(permissions=["camera", "microphone"]).new_page()
    page.goto(f"{server.url}/login/")
    page.fill("#id_username", partner_a.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/dashboard/")
    page.goto(f"{server.url}/rooms/tech-check/")
    page.wait_for_selector("#tc-start:not([disabled])")
    page.click("#tc-start")
    page.wait_for_selector("#tc-verdict:not([hidden])", timeout=40_000)
    verdict = page.evaluate("() => document.body.dataset.techcheck")
    assert verdict in ("video", "audio"), page.inner_text("#tc-verdict")
    assert page.inner_text("#m-rtt").endswith("ms")
    assert page.evaluate("() => document.querySelector('#tc-echo').videoWidth") > 0


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_tech_check_device_choice_is_remembered_for_the_room(live_daphne, new_context, partner_a):
    """Pick a microphone and turn noise suppression off in the tech check: the page
    reopens the microphone that way, and the room's pre-join check starts with it."""
    from tests.factories import browser_log_in

    server = live_daphne()
    page = new_context(permissions=["camera", "microphone"]).new_page()
    browser_log_in(page, server.url, partner_a)
    page.goto(f"{server.url}/rooms/tech-check/")
    page.wait_for_selector("#tc-start:not([disabled])")
    assert page.locator("#tc-pick-camera option").count() >= 1
    mics = page.locator("#tc-pick-mic option").evaluate_all("os => os.map(o => o.value)")
    assert mics
    page.select_option("#tc-pick-mic", mics[-1])
    page.uncheck("#tc-noise")
    settings = (
        "() => document.querySelector('#tc-local').srcObject.getAudioTracks()[0].getSettings()"
    )
    try:
        page.wait_for_function(
            f"(id) => {{ const s = ({settings})();"
            " return s.deviceId === id && s.noiseSuppression === false; }",
            arg=mics[-1],
        )
    except Exception as exc:
        raise AssertionError((mics, page.evaluate(settings))) from exc
    stored = page.evaluate(
        "() => ['mic', 'noiseSuppression'].map(k => localStorage.getItem('duet.room.' + k))"
    )
    assert stored == [mics[-1], "off"]
