"""What the room offers at home, in real Chromium through a live Daphne server: device
pickers, noise suppression, background blur, screen share, layouts, shortcuts, the
session timer and the therapist's waiting-room chime and notification."""

from __future__ import annotations

import re

import pytest

from tests.factories import browser_log_in
from tests.look.harness import look

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ONE_REMOTE_PLAYING = """() => {
  const vids = [...document.querySelectorAll('#stage video.remote-video')];
  return vids.length === 1 && vids[0].videoWidth > 0 && vids[0].readyState >= 2;
}"""

# Record desktop notifications as the page creates them (the real API, wrapped).
RECORD_NOTIFICATIONS = """(() => {
  const Real = window.Notification;
  window.__notifications = [];
  window.Notification = class extends Real {
    constructor(title, options) {
      super(title, options);
      window.__notifications.push({ title, body: options && options.body });
    }
  };
})();"""

# How sharp the background of the frame we send is: the share of pixels on a hard edge
# (a big step to the next pixel) in the strip where Chromium's fake camera writes its
# clock, top left, far from anything a segmenter could take for a person. Blurred, no
# hard edge is left there.
OUTGOING_SHARPNESS = """async () => {
  const room = window.duetRoom;
  const peer = [...room.peers.values()][0];
  const sender = peer.pc.getSenders().find(s => s.track && s.track.kind === 'video');
  const video = document.createElement('video');
  video.muted = true;
  video.srcObject = new MediaStream([sender.track]);
  await video.play();
  await new Promise(r => setTimeout(r, 700));
  const c = document.createElement('canvas');
  c.width = 320; c.height = 180;
  const g = c.getContext('2d');
  g.drawImage(video, 0, 0, c.width, c.height);
  const d = g.getImageData(0, 0, c.width, c.height).data;
  let edges = 0, n = 0;
  for (let y = 4; y < 20; y++) for (let x = 22; x < 110; x++) {
    const i = (y * c.width + x) * 4;
    const step = Math.abs(d[i] - d[i - 4]) + Math.abs(d[i + 1] - d[i - 3])
      + Math.abs(d[i + 2] - d[i - 2]);
    edges += step > 60;
    n++;
  }
  video.srcObject = null;
  return { sharpness: edges / n, trackId: sender.track.id, image: c.toDataURL('image/png') };
}"""

SENDING_TRACK = """async (id) => {
  const p = [...window.duetRoom.peers.values()][0];
  const ids = [];
  (await p.pc.getStats()).forEach(s => {
    if (s.type === 'media-source' && s.kind === 'video') ids.push(s.trackIdentifier);
  });
  return ids.includes(id);
}"""

FRAMES_DECODED = """async () => {
  const p = [...window.duetRoom.peers.values()][0];
  let n = 0;
  (await p.pc.getStats()).forEach(s => {
    if (s.type === 'inbound-rtp' && s.kind === 'video') n += s.framesDecoded || 0;
  });
  return n;
}"""


def _log_in(page, base, user):
    browser_log_in(page, base, user)


def _press(page, selector):
    page.wait_for_selector(selector, state="visible")
    page.evaluate("(sel) => document.querySelector(sel).click()", selector)


def _sender_track(page, kind):
    return page.evaluate(
        """(kind) => { const p = [...window.duetRoom.peers.values()][0];
             const s = p.pc.getSenders().find(s => s.track && s.track.kind === kind);
             return s ? s.track.id : null; }""",
        kind,
    )


def test_room_features_at_home(live_daphne, new_context, booking, therapist, partner_a):
    server = live_daphne()
    base = server.url
    room = f"{base}/rooms/{booking.room_id}/"
    t_ctx = new_context(permissions=["camera", "microphone", "notifications"])
    t_ctx.add_init_script(RECORD_NOTIFICATIONS)
    t = t_ctx.new_page()
    t.on("dialog", lambda d: d.accept())
    sam = new_context(permissions=["camera", "microphone"]).new_page()
    sam.on("dialog", lambda d: d.accept())
    _log_in(t, base, therapist)
    _log_in(sam, base, partner_a)

    # The pre-join check lists the devices and offers noise suppression and blur.
    sam.goto(room)
    sam.wait_for_selector("#join-btn:not([disabled])")
    assert sam.locator("#pick-camera option").count() >= 1
    assert sam.locator("#pick-mic option").count() >= 1
    assert sam.is_checked("#opt-noise") and not sam.is_checked("#opt-blur")

    # The therapist is in the call; Sam arrives in the waiting room: chime + notification.
    t.goto(room)
    t.wait_for_selector("#join-btn:not([disabled])")
    _press(t, "#join-btn")
    t.wait_for_selector("#call:not([hidden])")
    _press(sam, "#join-btn")
    sam.wait_for_selector("#waiting-screen:not([hidden])")
    t.wait_for_function("() => window.__notifications.length >= 1", timeout=15_000)
    note = t.evaluate("() => window.__notifications[0]")
    assert note["title"] == "Someone is in the waiting room" and "Sam" in note["body"]
    assert t.evaluate("() => window.duetRoom.chimes") >= 1
    t.wait_for_selector("#waiting-list .admit")
    _press(t, "#waiting-list .admit")
    for page in (t, sam):
        page.wait_for_function(ONE_REMOTE_PLAYING, timeout=30_000)
    sam.evaluate("() => { window.__pc = [...window.duetRoom.peers.values()][0].pc; }")

    # The session timer runs in the call heading.
    assert re.fullmatch(r"\d{2}:\d{2}|\d+:\d{2}:\d{2}", t.inner_text("#session-timer"))

    # Switching the microphone (and noise suppression) mid-call keeps the connection.
    _press(sam, "#btn-settings")
    sam.wait_for_selector("#settings-panel:not([hidden]) #device-settings")
    audio_before = _sender_track(sam, "audio")
    sam.evaluate(
        """() => { const s = document.querySelector('#pick-mic');
                   s.value = s.options[s.options.length - 1].value;
                   s.dispatchEvent(new Event('change')); }"""
    )
    sam.wait_for_function(
        "(old) => { const p = [...window.duetRoom.peers.values()][0];"
        " const s = p.pc.getSenders().find(s => s.track && s.track.kind === 'audio');"
        " return s && s.track.id !== old; }",
        arg=audio_before,
    )
    _press(sam, "#opt-noise")
    sam.wait_for_function("() => localStorage.getItem('duet.room.noiseSuppression') === 'off'")
    assert sam.evaluate(
        "() => [...window.duetRoom.peers.values()][0].pc === window.__pc"
        " && window.__pc.connectionState === 'connected'"
    )

    # Background blur: the frame the others receive loses its sharp background.
    plain = sam.evaluate(OUTGOING_SHARPNESS)
    _press(sam, "#opt-blur")
    sam.wait_for_function("() => window.duetRoom.blurTrack !== null", timeout=60_000)
    sam.wait_for_function(
        "(old) => { const p = [...window.duetRoom.peers.values()][0];"
        " const s = p.pc.getSenders().find(s => s.track && s.track.kind === 'video');"
        " return s.track.id !== old; }",
        arg=plain["trackId"],
    )
    blurred = sam.evaluate(OUTGOING_SHARPNESS)
    assert blurred["sharpness"] < plain["sharpness"] * 0.3, (
        plain["sharpness"],
        blurred["sharpness"],
        plain["image"][:40],
    )
    assert sam.evaluate("() => localStorage.getItem('duet.room.blur')") == "on"
    decoded = t.evaluate(FRAMES_DECODED)  # the therapist keeps receiving Sam's video
    t.wait_for_function(
        f"async () => (await ({FRAMES_DECODED})()) > {decoded} + 10", timeout=30_000
    )

    # Screen share: a banner, the screen goes to the others, one click stops it.
    camera_sent = _sender_track(sam, "video")
    # A real click (getDisplayMedia needs a user gesture); forced, as a busy page can
    # starve the actionability checks.
    sam.click("#btn-share", force=True, timeout=30_000)
    sam.wait_for_selector("#share-banner:not([hidden])", timeout=15_000)
    assert "You are sharing your screen" in sam.inner_text("#share-banner")
    screen = sam.evaluate(
        "() => { const s = window.duetRoom.screenTrack.getSettings();"
        " return { id: window.duetRoom.screenTrack.id, width: s.width, height: s.height }; }"
    )
    assert _sender_track(sam, "video") == screen["id"]
    # The encoder is fed by the screen, and the therapist keeps decoding frames.
    sam.wait_for_function(SENDING_TRACK, arg=screen["id"], timeout=15_000)
    decoded = t.evaluate(FRAMES_DECODED)
    t.wait_for_function(
        f"async () => (await ({FRAMES_DECODED})()) > {decoded} + 10", timeout=30_000
    )
    _press(sam, "#share-stop")
    sam.wait_for_selector("#share-banner", state="hidden")
    assert _sender_track(sam, "video") == camera_sent
    assert sam.evaluate("() => window.duetRoom.screenTrack") is None

    # Layouts and keyboard shortcuts (M, V, L, ?), with the help panel.
    t.click("#call-h")
    t.keyboard.press("l")
    assert t.evaluate("() => document.querySelector('#stage').dataset.layout") == "speaker"
    t.keyboard.press("m")
    assert t.get_attribute("#btn-mic", "aria-pressed") == "true"
    t.keyboard.press("v")
    assert t.get_attribute("#btn-camera", "aria-pressed") == "true"
    t.keyboard.press("Shift+?")
    t.wait_for_selector("#shortcuts-help[open]")
    assert "Mute or unmute" in t.inner_text("#shortcuts-help")
    t.keyboard.press("Escape")
    t.wait_for_selector("#shortcuts-help", state="hidden")

    # Video paused with one person only (what an unanswered audio-only offer does when
    # just that link is weak): their tile says so, the video on that pair goes inactive
    # both ways while the call stays up, and one click brings it back.
    video_direction = (
        "() => [...window.duetRoom.peers.values()][0].pc.getTransceivers()"
        ".filter((x) => x.receiver.track?.kind === 'video').map((x) => x.currentDirection)"
        ".join()"
    )
    t.evaluate(
        """async () => {
            const { setVideoPausedWith } = await import('/static/js/room/controls.js');
            setVideoPausedWith([...window.duetRoom.peers.values()][0], true);
        }"""
    )
    t.wait_for_selector(".remote-tile .tile-paused", state="visible")
    assert "Video paused: weak connection" in t.inner_text(".remote-tile .tile-paused")
    assert not t.evaluate("() => document.body.classList.contains('audio-only')")
    t.wait_for_function(f"() => ({video_direction})() === 'inactive'", timeout=15_000)
    t.click(".remote-tile .tile-resume")
    t.wait_for_selector(".remote-tile .tile-paused", state="hidden")
    t.wait_for_function(f"() => ({video_direction})() === 'sendrecv'", timeout=15_000)

    # Still one connection each way, and the page looks right on a laptop and a phone.
    assert sam.evaluate("() => [...window.duetRoom.peers.values()][0].pc === window.__pc")
    for size in ({"width": 1280, "height": 800}, {"width": 390, "height": 844}):
        sam.set_viewport_size(size)
        problems = look(sam)
        assert not problems, (size, problems)

    # Remembered per device: a reload starts with blur on again.
    sam.reload()
    sam.wait_for_selector("#join-btn:not([disabled])")
    assert sam.is_checked("#opt-blur") and not sam.is_checked("#opt-noise")
