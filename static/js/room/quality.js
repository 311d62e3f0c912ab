// Connection quality per peer from getStats: a badge on the tile, the video we send that
// peer stepped down (and back up) to what the link carries, and after a while of weak
// samples an offer of audio only — taken automatically if nobody answers it.
import { _, format, locale } from "../i18n.js";
import { setAudioOnly, setVideoPausedWith } from "./controls.js";
import { $, announce, state, ui } from "./state.js";
import { stalledTooLong } from "./peers.js";
import { checkSignaling } from "./signaling.js";
import { renderLink } from "./tiles.js";

export const QUALITY_SAMPLE_MS = 2000;
const BAD_SAMPLES_BEFORE_HINT = 3;
const STALLED_SAMPLES_BEFORE_RESTART = 3; // 6 s with nothing arriving, and again every 6 s
const GOOD_SAMPLES_BEFORE_STEP_UP = 5; // climb back slowly: a flapping picture is worse than a soft one
export const AUTO_AUDIO_ONLY_MS = 20000; // an unanswered audio-only offer is taken after this

// Bitrate budget: everything we send must fit a 1.5 Mbit/s uplink (a common home or
// mobile upload). It is split evenly between the peers (two in a three-way call), and
// each peer's share keeps room for the audio first: voice is what a session cannot lose.
export const UPLINK_BPS = 1_500_000;
export const AUDIO_RESERVE_BPS = 64_000; // Opus at ~32 kbit/s plus packet overhead, with margin

// The video sent to one peer, one step lower per weak sample: less bitrate first, then
// fewer pixels (a sharp small picture beats a blocky large one at the same bitrate).
const STEPS = [
  { maxBitrate: Infinity, scale: 1 },
  { maxBitrate: 300_000, scale: 2 },
  { maxBitrate: 120_000, scale: 4 },
];

export function videoBudget() {
  const share = Math.floor(UPLINK_BPS / Math.max(1, state.peers.size));
  return share - AUDIO_RESERVE_BPS;
}

/** Cap the video we send this peer to its budget and its current step. */
export async function applySenderLimits(peer) {
  const step = STEPS[peer.sendStep || 0];
  const maxBitrate = Math.min(videoBudget(), step.maxBitrate);
  for (const sender of peer.pc.getSenders()) {
    if (sender.track?.kind !== "video") continue;
    const params = sender.getParameters();
    if (!params.encodings?.length) return; // not negotiated yet: the next sample retries
    const enc = params.encodings[0];
    if (enc.maxBitrate === maxBitrate && enc.scaleResolutionDownBy === step.scale) return;
    enc.maxBitrate = maxBitrate;
    enc.scaleResolutionDownBy = step.scale;
    try {
      await sender.setParameters(params);
      peer.tile.dataset.sendStep = String(peer.sendStep || 0);
    } catch (err) {
      console.warn("room: sender limits", err); // a renegotiation raced us; retried next sample
    }
  }
}

/** Read one getStats sample: round trip, loss both ways, and what the link can carry. */
async function measure(peer) {
  const report = await peer.pc.getStats();
  let rtt = null;
  let available = null;
  let remoteLoss = 0;
  // Per kind: video repairs most losses by retransmission and would hide them in a sum,
  // while audio shows what the path really drops.
  const now = { audio: { lost: 0, received: 0 }, video: { lost: 0, received: 0 } };
  report.forEach((s) => {
    if (s.type === "candidate-pair" && s.nominated && s.state === "succeeded") {
      rtt = s.currentRoundTripTime ?? rtt;
      available = s.availableOutgoingBitrate ?? available;
    }
    if (s.type === "inbound-rtp" && now[s.kind]) {
      now[s.kind].lost += s.packetsLost || 0;
      now[s.kind].received += s.packetsReceived || 0;
    }
    // What the peer reports losing of what we send (RTCP receiver reports).
    if (s.type === "remote-inbound-rtp") remoteLoss = Math.max(remoteLoss, s.fractionLost || 0);
  });
  const prev = peer.lastStats;
  peer.lastStats = now;
  if (!prev) return { rttMs: null, loss: 0, available, stalled: false };
  let loss = remoteLoss;
  for (const kind of ["audio", "video"]) {
    const dLost = now[kind].lost - prev[kind].lost;
    const dTotal = dLost + now[kind].received - prev[kind].received;
    if (dTotal > 0) loss = Math.max(loss, dLost / dTotal);
  }
  // Nothing at all arrived for a whole sample: even a muted microphone or a stopped
  // camera keeps sending packets, so the path is down (ICE says so only seconds later).
  // (A peer with no microphone or camera never sends: never "stalled".)
  const received = now.audio.received + now.video.received;
  const before = prev.audio.received + prev.video.received;
  const stalled = before > 0 && received === before;
  return { rttMs: rtt == null ? null : Math.round(rtt * 1000), loss, available, stalled };
}

export async function sampleQuality(peer) {
  if (peer.pc.connectionState !== "connected") return;
  const { rttMs, loss, available, stalled } = await measure(peer);
  peer.stalled = stalled;
  peer.stalledSamples = stalled ? (peer.stalledSamples || 0) + 1 : 0;
  renderLink(peer);
  // If our own network changed, the websocket is likely dead too: find out now, so that
  // the ICE restart which follows has a way through.
  if (stalled) checkSignaling();
  if (peer.stalledSamples > 0 && peer.stalledSamples % STALLED_SAMPLES_BEFORE_RESTART === 0) {
    stalledTooLong(peer);
  }
  // Weak: speech breaks up and video stalls (3 % audio loss is audible), the delay makes
  // people talk over each other, or the link cannot carry even a small picture.
  let level = "good";
  if ((rttMs ?? 0) > 400 || loss >= 0.03 || (available != null && available < 120_000)) level = "poor";
  else if ((rttMs ?? 0) > 200 || loss >= 0.01 || (available != null && available < 250_000)) level = "fair";
  const badge = peer.tile.querySelector(".tile-quality");
  badge.dataset.level = level;
  badge.textContent = level === "good" ? _("Good") : level === "fair" ? _("Fair") : _("Weak connection");
  badge.title = format(_("Round trip %(rtt)s ms, packet loss %(loss)s"), {
    rtt: rttMs == null ? "?" : new Intl.NumberFormat(locale(), { useGrouping: false }).format(rttMs),
    loss: new Intl.NumberFormat(locale(), { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(loss),
  });
  adapt(peer, level);
}

function adapt(peer, level) {
  peer.sendStep ??= 0;
  peer.goodSamples = level === "good" ? (peer.goodSamples || 0) + 1 : 0;
  if (level === "poor") peer.sendStep = Math.min(peer.sendStep + 1, STEPS.length - 1);
  else if (peer.goodSamples >= GOOD_SAMPLES_BEFORE_STEP_UP && peer.sendStep > 0) {
    peer.sendStep -= 1;
    peer.goodSamples = 0;
  }
  applySenderLimits(peer);

  peer.badSamples = level === "poor" ? peer.badSamples + 1 : 0;
  if (state.audioOnly || peer.videoPaused) return;
  if (peer.badSamples >= BAD_SAMPLES_BEFORE_HINT && ui.hint.hidden) {
    ui.hint.hidden = false;
    state.hintShownAt = Date.now();
    $("#quality-hint-text").textContent = format(
      _("Your connection with %(name)s has been weak for a while. Audio-only usually keeps the conversation going."),
      { name: peer.info.name },
    );
  }
  // Nobody answered the offer and the link is still weak: a frozen picture with broken
  // sound helps no one, so keep the voices and say how to bring video back. When every
  // link is weak the trouble is our own network: all video goes. When only this one is,
  // video pauses with this person alone and the others keep seeing each other.
  if (!ui.hint.hidden && level === "poor" && Date.now() - state.hintShownAt >= AUTO_AUDIO_ONLY_MS) {
    const everyLinkWeak = [...state.peers.values()].every((p) => p.badSamples > 0);
    if (everyLinkWeak) {
      setAudioOnly(true);
      announce(_("The connection stayed weak, so video is paused. Press “Video on” to bring it back."));
    } else {
      ui.hint.hidden = true;
      setVideoPausedWith(peer, true);
      announce(
        format(
          _("The connection with %(name)s stayed weak, so video with %(name)s is paused. Everyone else keeps their video."),
          { name: peer.info.name },
        ),
      );
    }
  }
}
