// Connection quality per peer from getStats: a badge on the tile, and after a while of
// weak samples a hint offering audio only.
import { $, state, ui } from "./state.js";

export const QUALITY_SAMPLE_MS = 2000;
const BAD_SAMPLES_BEFORE_HINT = 3;

export async function sampleQuality(peer) {
  if (peer.pc.connectionState !== "connected") return;
  const report = await peer.pc.getStats();
  let rtt = null;
  let lost = 0;
  let received = 0;
  report.forEach((s) => {
    if (s.type === "candidate-pair" && s.nominated && s.state === "succeeded") {
      rtt = s.currentRoundTripTime ?? rtt;
    }
    if (s.type === "inbound-rtp") {
      lost += s.packetsLost || 0;
      received += s.packetsReceived || 0;
    }
  });
  const prev = peer.lastStats || { lost: 0, received: 0 };
  peer.lastStats = { lost, received };
  const dLost = lost - prev.lost;
  const dTotal = dLost + (received - prev.received);
  const loss = dTotal > 0 ? dLost / dTotal : 0;
  const rttMs = rtt == null ? null : Math.round(rtt * 1000);
  let level = "good";
  if ((rttMs ?? 0) > 400 || loss > 0.08) level = "poor";
  else if ((rttMs ?? 0) > 200 || loss > 0.03) level = "fair";
  const badge = peer.tile.querySelector(".tile-quality");
  badge.dataset.level = level;
  badge.textContent = level === "good" ? "Good" : level === "fair" ? "Fair" : "Weak";
  badge.title = `Round trip ${rttMs ?? "?"} ms, packet loss ${(loss * 100).toFixed(1)}%`;
  peer.badSamples = level === "poor" ? peer.badSamples + 1 : 0;
  if (peer.badSamples >= BAD_SAMPLES_BEFORE_HINT && !state.audioOnly) {
    ui.hint.hidden = false;
    $("#quality-hint-text").textContent =
      `Your connection with ${peer.info.name} has been weak for a while. Audio-only usually keeps the conversation going.`;
  }
}
