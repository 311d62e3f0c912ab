"""A three-way call across the lab, and what a person would notice, read from the page:
tiles, banners and getStats (bytes and frames received per peer connection)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from tests.factories import browser_log_in

# Sam's browser may only use TURN relays (a network that blocks everything but the
# relay): all of Sam's media goes through the proxy and coturn.
RELAY_ONLY = """(() => {
  const Real = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Real {
    constructor(config = {}, ...rest) {
      super({ ...config, iceTransportPolicy: "relay" }, ...rest);
    }
  };
})();"""

PEER_STATS = """async () => {
  const out = {};
  for (const p of window.duetRoom.peers.values()) {
    const r = await p.pc.getStats();
    const byId = new Map();
    r.forEach((s) => byId.set(s.id, s));
    const o = { state: p.pc.connectionState, audioIn: 0, audioPackets: 0, videoIn: 0,
      framesIn: 0, audioOut: 0, videoOut: 0, frameWidthOut: null, available: null,
      local: null, remote: null, ufrag: null };
    r.forEach((s) => {
      if (s.type === "inbound-rtp" && s.kind === "audio") {
        o.audioIn += s.bytesReceived || 0; o.audioPackets += s.packetsReceived || 0;
      }
      if (s.type === "inbound-rtp" && s.kind === "video") {
        o.videoIn += s.bytesReceived || 0; o.framesIn += s.framesDecoded || 0;
      }
      if (s.type === "outbound-rtp" && s.kind === "audio") o.audioOut += s.bytesSent || 0;
      if (s.type === "outbound-rtp" && s.kind === "video") {
        o.videoOut += s.bytesSent || 0; o.frameWidthOut = s.frameWidth ?? o.frameWidthOut;
      }
      if (s.type === "transport" && s.selectedCandidatePairId) {
        const pair = byId.get(s.selectedCandidatePairId);
        if (pair) {
          o.available = pair.availableOutgoingBitrate ?? null;
          o.local = byId.get(pair.localCandidateId)?.candidateType ?? null;
          o.remote = byId.get(pair.remoteCandidateId)?.candidateType ?? null;
        }
      }
    });
    const sender = p.pc.getSenders().find((s) => s.track && s.track.kind === "video");
    const enc = sender ? sender.getParameters().encodings?.[0] : null;
    o.maxBitrate = enc?.maxBitrate ?? null;
    o.scale = enc?.scaleResolutionDownBy ?? null;
    o.ufrag = (p.pc.localDescription?.sdp.match(/a=ice-ufrag:(\\S+)/) || [])[1] || null;
    o.badge = p.tile.querySelector(".tile-quality").textContent;
    o.reconnecting = !p.tile.querySelector(".tile-reconnecting").hidden;
    o.name = p.info.name;
    // Which RTCPeerConnection this is: a rebuilt one starts its counters from zero.
    p.pc.__harnessId ??= Math.random().toString(36).slice(2);
    o.pc = p.pc.__harnessId;
    out[String(p.info.user_id)] = o;
  }
  return out;
}"""

# Audio packets from one peer, sampled every 100 ms in the page (for gaps over 1 s).
AUDIO_RECORDER = """(name) => {
  const log = [];
  window.__audioLog = log;
  window.__audioTimer = setInterval(async () => {
    const p = [...window.duetRoom.peers.values()].find((x) => String(x.info.user_id) === name);
    if (!p) return;
    let n = 0;
    (await p.pc.getStats()).forEach((s) => {
      if (s.type === "inbound-rtp" && s.kind === "audio") n += s.packetsReceived || 0;
    });
    log.push([performance.now(), n]);
  }, 100);
}"""
AUDIO_RECORDING = "() => { clearInterval(window.__audioTimer); return window.__audioLog; }"


def wait_until(what: str, check, timeout: float, every: float = 0.25):
    """Poll `check()` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(every)
    raise AssertionError(f"{what}: not within {timeout} s (last: {last!r})")


@dataclass
class Call:
    pages: dict  # person -> page
    names: dict  # person -> user id (the key of their peer in `stats`)
    server: object
    marks: dict = field(default_factory=dict)

    def stats(self, who: str) -> dict:
        return self.pages[who].evaluate(PEER_STATS)

    def others(self, who: str) -> list[str]:
        return [p for p in self.pages if p != who]

    def flowing(self, timeout: float, since: float | None = None) -> dict[str, float]:
        """Wait until audio and video arrive in all six directions (bytes and decoded
        frames growing on every peer connection); returns, per direction, seconds from
        `since` (or from the call) until it was seen growing."""
        start = since if since is not None else time.monotonic()
        base = {who: self.stats(who) for who in self.pages}
        seen: dict[str, float] = {}

        def check():
            for who in self.pages:
                now = self.stats(who)
                for other in self.others(who):
                    key = f"{other}->{who}"
                    name = self.names[other]
                    a, b = base[who].get(name), now.get(name)
                    if key in seen or not b:
                        continue
                    if not a or a["pc"] != b["pc"]:  # a new connection: count from here
                        base[who][name] = b
                        continue
                    if b["audioIn"] > a["audioIn"] and b["framesIn"] > a["framesIn"]:
                        seen[key] = round(time.monotonic() - start, 2)
            return len(seen) == 6

        try:
            wait_until("media in all six directions", check, timeout)
        except AssertionError as exc:
            now = {who: self.stats(who) for who in self.pages}
            raise AssertionError(f"{exc}; seen {seen}; stats {now}") from None
        return seen

    def tile_badge(self, who: str, about: str) -> str:
        return self.stats(who)[self.names[about]]["badge"]


def start_call(lab, lab_browsers, server, booking, people: dict, *, relay_only=("sam",)) -> Call:
    """Log the three in from their own namespaces, admit the partners, wait for the mesh."""
    base = server.url
    room = f"{base}/rooms/{booking.room_id}/"
    pages = {}
    for who, user in people.items():
        ctx = lab_browsers[who].new_context(permissions=["camera", "microphone"])
        ctx.set_default_timeout(20_000)
        if who in relay_only:
            ctx.add_init_script(RELAY_ONLY)
        page = ctx.new_page()
        page.on("dialog", lambda d: d.accept())
        page.on("console", lambda m, who=who: print(f"[{who}] {m.type}: {m.text}"))
        page.on("requestfailed", lambda r, who=who: print(f"[{who}] failed {r.url} {r.failure}"))
        browser_log_in(page, base, user)
        pages[who] = page
    for who in ("sam", "aiko", "therapist"):
        page = pages[who]
        # The join button is what matters (not every subresource's "load").
        page.goto(room, wait_until="domcontentloaded")
        page.wait_for_selector("#join-btn:not([disabled])")
        page.evaluate("() => document.querySelector('#join-btn').click()")
        if who != "therapist":
            page.wait_for_selector("#waiting-screen:not([hidden])")
    t = pages["therapist"]
    t.wait_for_selector("#waiting-list .waiting-row >> nth=1")
    t.evaluate("() => document.querySelector('#admit-all').click()")
    for page in pages.values():
        page.evaluate("() => { window.__sameDocument = true; }")  # gone if the page reloads
    names = {who: str(user.pk) for who, user in people.items()}  # stats are keyed by user id
    call = Call(pages=pages, names=names, server=server)
    call.flowing(timeout=45)
    return call


def close_call(call: Call) -> None:
    for page in call.pages.values():
        page.context.close()
