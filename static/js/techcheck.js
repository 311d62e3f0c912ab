// Pre-call tech check: preview + level meter, then a WebRTC round trip through the
// server's aiortc echo peer, measured with getStats, ending in a plain verdict.
import { levelMeter } from "./level_meter.js";

const cfg = JSON.parse(document.getElementById("techcheck-config").textContent);
const $ = (sel) => document.querySelector(sel);
const TEST_MS = 10000;
const CONNECT_TIMEOUT_MS = 15000;

let stream = null;
let pc = null;
let echoId = "";

function csrf() {
  return document.cookie.split("; ").find((c) => c.startsWith("csrftoken="))?.split("=")[1] || "";
}

async function post(url, body, keepalive = false) {
  return fetch(url, {
    method: "POST",
    credentials: "same-origin",
    keepalive,
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
    body: JSON.stringify(body),
  });
}

async function preview() {
  const status = $("#tc-media-status");
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    status.textContent = "Camera and microphone are working. Speak to see the level move.";
  } catch (err) {
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      status.textContent = "We can hear you, but no camera was found or it is blocked.";
    } catch {
      stream = new MediaStream();
      status.textContent =
        "Camera and microphone are blocked. Click the camera icon in the address bar and allow them.";
    }
  }
  $("#tc-local").srcObject = stream;
  levelMeter(stream, $("#tc-meter"));
  $("#tc-start").disabled = false;
}

function waitForIce(conn) {
  if (conn.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => conn.iceGatheringState === "complete" && resolve();
    conn.addEventListener("icegatheringstatechange", done);
    setTimeout(resolve, 3000); // use whatever candidates we have
  });
}

export function verdict({ connected, rttMs, lossPct, jitterMs, kbps, hasVideo }) {
  if (!connected) {
    return {
      kind: "fail",
      title: "We couldn't connect",
      text: "Your browser could not reach our video service from this network.",
      tips: [
        "Switch networks: try your phone's hotspot, or move closer to the Wi-Fi router.",
        "Turn off a VPN or ask your workplace IT whether video calls (WebRTC) are blocked.",
        "Use an up-to-date Chrome, Edge, Firefox or Safari, and close other video apps.",
        "Still stuck? Contact your clinic — the session can continue by phone.",
      ],
    };
  }
  if ((rttMs ?? 0) > 400 || lossPct > 5 || (jitterMs ?? 0) > 50 || (hasVideo && kbps < 150)) {
    return {
      kind: "audio",
      title: "Audio-only recommended",
      text: "Your connection works but is weak; video may freeze. Start with audio only — you can turn video on in the call.",
      tips: [
        "Pause downloads, streaming and other video calls on your network.",
        "Sit closer to the router or use a cable.",
      ],
    };
  }
  return {
    kind: "video",
    title: "Video ready",
    text: "Your camera, microphone and connection are good for a video session.",
    tips: [],
  };
}

async function measure() {
  const samples = [];
  let prev = null;
  const start = performance.now();
  while (performance.now() - start < TEST_MS) {
    await new Promise((r) => setTimeout(r, 1000));
    $("#tc-progress").value = (performance.now() - start) / TEST_MS;
    const report = await pc.getStats();
    const cur = { rtt: null, jitter: null, lost: 0, received: 0, bytes: 0, t: performance.now() };
    report.forEach((s) => {
      if (s.type === "candidate-pair" && s.state === "succeeded" && s.currentRoundTripTime != null) {
        cur.rtt = s.currentRoundTripTime * 1000;
      }
      if (s.type === "inbound-rtp") {
        cur.lost += s.packetsLost || 0;
        cur.received += s.packetsReceived || 0;
        if (s.kind === "audio" && s.jitter != null) cur.jitter = s.jitter * 1000;
        if (s.kind === "video") cur.bytes += s.bytesReceived || 0;
      }
    });
    if (prev) {
      const kbps = ((cur.bytes - prev.bytes) * 8) / (cur.t - prev.t);
      const total = cur.lost - prev.lost + (cur.received - prev.received);
      const loss = total > 0 ? ((cur.lost - prev.lost) / total) * 100 : 0;
      samples.push({ rtt: cur.rtt, jitter: cur.jitter, loss, kbps });
      $("#m-rtt").textContent = cur.rtt == null ? "–" : `${Math.round(cur.rtt)} ms`;
      $("#m-jitter").textContent = cur.jitter == null ? "–" : `${Math.round(cur.jitter)} ms`;
      $("#m-loss").textContent = `${loss.toFixed(1)} %`;
      $("#m-bitrate").textContent = `${Math.round(kbps)} kbps`;
    }
    prev = cur;
  }
  const avg = (key) => {
    const vals = samples.map((s) => s[key]).filter((v) => v != null);
    return vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : null;
  };
  return { rttMs: avg("rtt"), jitterMs: avg("jitter"), lossPct: avg("loss") ?? 0, kbps: avg("kbps") ?? 0 };
}

function showVerdict(v) {
  const box = $("#tc-verdict");
  box.hidden = false;
  box.dataset.verdict = v.kind;
  $("#tc-verdict-title").textContent = v.title;
  $("#tc-verdict-text").textContent = v.text;
  const tips = $("#tc-verdict-tips");
  tips.replaceChildren(
    ...v.tips.map((t) => {
      const li = document.createElement("li");
      li.textContent = t;
      return li;
    }),
  );
  document.body.dataset.techcheck = v.kind;
}

async function release() {
  if (pc) pc.close();
  pc = null;
  if (echoId) await post(cfg.closeUrl, { echo_id: echoId }, true).catch(() => {});
  echoId = "";
}

async function runTest() {
  $("#tc-start").disabled = true;
  $("#tc-progress").hidden = false;
  $("#tc-verdict").hidden = true;
  await release();
  pc = new RTCPeerConnection({ iceServers: cfg.iceServers || [] });
  for (const track of stream.getTracks()) pc.addTrack(track, stream);
  if (!stream.getTracks().length) pc.addTransceiver("audio");
  pc.createDataChannel("ping");
  pc.ontrack = ({ track }) => {
    if (track.kind !== "video") return;
    $("#tc-echo").srcObject = new MediaStream([track]);
  };
  let v;
  try {
    await pc.setLocalDescription(await pc.createOffer());
    await waitForIce(pc);
    const resp = await post(cfg.offerUrl, { sdp: pc.localDescription.sdp, type: "offer" });
    const body = await resp.json();
    if (!resp.ok) throw new Error(body.detail || "The test service is unavailable.");
    echoId = body.echo_id;
    await pc.setRemoteDescription({ type: body.type, sdp: body.sdp });
    await new Promise((resolve, reject) => {
      const check = () => {
        if (pc.connectionState === "connected") resolve();
        if (pc.connectionState === "failed") reject(new Error("failed"));
      };
      pc.addEventListener("connectionstatechange", check);
      setTimeout(() => reject(new Error("timeout")), CONNECT_TIMEOUT_MS);
      check();
    });
    const m = await measure();
    v = verdict({ connected: true, hasVideo: stream.getVideoTracks().length > 0, ...m });
  } catch (err) {
    console.warn("tech check:", err);
    v = verdict({ connected: false });
  }
  showVerdict(v);
  $("#tc-progress").hidden = true;
  $("#tc-start").disabled = false;
  $("#tc-start").textContent = "Test again";
  await release(); // free the server's echo peer as soon as we are done
}

$("#tc-start").addEventListener("click", runTest);
window.addEventListener("pagehide", () => {
  if (echoId) post(cfg.closeUrl, { echo_id: echoId }, true);
  if (pc) pc.close();
});
preview();
