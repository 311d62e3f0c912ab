// Pre-call tech check: preview + level meter, then a WebRTC round trip through the
// server's aiortc echo peer, measured with getStats, ending in a plain verdict.
import { canPickSpeaker, fillPickers, PREF_OF } from "./device_pickers.js";
import { _, format, locale } from "./i18n.js";
import { levelMeter } from "./level_meter.js";
import { prefs } from "./room/prefs.js";

const cfg = JSON.parse(document.getElementById("techcheck-config").textContent);
const $ = (sel) => document.querySelector(sel);
const TEST_MS = 10000;
const CONNECT_TIMEOUT_MS = 15000;
// Measurements in the reader's digits; whole numbers without grouping, like a meter.
const whole = new Intl.NumberFormat(locale(), { maximumFractionDigits: 0, useGrouping: false });
const percent = new Intl.NumberFormat(locale(), { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 });

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

const pickers = {
  videoinput: $("#tc-pick-camera"),
  audioinput: $("#tc-pick-mic"),
  audiooutput: $("#tc-pick-speaker"),
};

function chosen(key, remembered) {
  const id = remembered && prefs.get(key);
  return id ? { deviceId: { exact: id } } : {};
}

function currentId(kind) {
  if (kind === "audiooutput") return prefs.get("speaker") || "default";
  const track = stream?.getTracks().find((t) => t.kind === (kind === "videoinput" ? "video" : "audio"));
  return track?.getSettings().deviceId || prefs.get(PREF_OF[kind]) || "";
}

let previews = 0;

async function preview() {
  const status = $("#tc-media-status");
  const mine = ++previews; // a newer choice wins over a slower, older one
  stream?.getTracks().forEach((t) => t.stop());
  let got;
  const audio = (remembered) => ({
    noiseSuppression: prefs.get("noiseSuppression") !== "off",
    ...chosen("mic", remembered),
  });
  try {
    // The remembered devices exactly; if one is gone, the defaults.
    got = await navigator.mediaDevices
      .getUserMedia({ audio: audio(true), video: chosen("camera", true) })
      .catch(() => navigator.mediaDevices.getUserMedia({ audio: audio(false), video: true }));
    status.textContent = _("Camera and microphone are working. Speak to see the level move.");
  } catch (err) {
    try {
      got = await navigator.mediaDevices.getUserMedia({ audio: audio(false) });
      status.textContent = _("We can hear you, but no camera was found or it is blocked.");
    } catch {
      got = new MediaStream();
      status.textContent = _(
        "Camera and microphone are blocked. Click the camera icon in the address bar and allow them.",
      );
    }
  }
  if (mine !== previews) {
    got.getTracks().forEach((t) => t.stop());
    return;
  }
  stream = got;
  $("#tc-local").srcObject = stream;
  levelMeter(stream, $("#tc-meter"));
  await fillPickers(pickers, currentId);
  $("#tc-pick-speaker-label").hidden = !canPickSpeaker || pickers.audiooutput.options.length === 0;
  $("#tc-start").disabled = false;
}

for (const [kind, select] of Object.entries(pickers)) {
  select.addEventListener("change", () => {
    prefs.set(PREF_OF[kind], select.value);
    if (kind === "audiooutput") $("#tc-echo").setSinkId?.(select.value).catch(() => {});
    else preview();
  });
}
const noise = $("#tc-noise");
noise.checked = prefs.get("noiseSuppression") !== "off";
noise.addEventListener("change", () => {
  prefs.set("noiseSuppression", noise.checked ? "on" : "off");
  preview();
});

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
      title: _("We couldn't connect"),
      text: _("Your browser could not reach our video service from this network."),
      tips: [
        _("Switch networks: try your phone's hotspot, or move closer to the Wi-Fi router."),
        _("Turn off a VPN or ask your workplace IT whether video calls (WebRTC) are blocked."),
        _("Use an up-to-date Chrome, Edge, Firefox or Safari, and close other video apps."),
        _("Still stuck? Contact your clinic — the session can continue by phone."),
      ],
    };
  }
  if ((rttMs ?? 0) > 400 || lossPct > 5 || (jitterMs ?? 0) > 50 || (hasVideo && kbps < 150)) {
    return {
      kind: "audio",
      title: _("Audio-only recommended"),
      text: _(
        "Your connection works but is weak; video may freeze. Start with audio only — you can turn video on in the call.",
      ),
      tips: [
        _("Pause downloads, streaming and other video calls on your network."),
        _("Sit closer to the router or use a cable."),
      ],
    };
  }
  return {
    kind: "video",
    title: _("Video ready"),
    text: _("Your camera, microphone and connection are good for a video session."),
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
      const ms = (value) => (value == null ? "–" : format(_("%(ms)s ms"), { ms: whole.format(value) }));
      $("#m-rtt").textContent = ms(cur.rtt);
      $("#m-jitter").textContent = ms(cur.jitter);
      $("#m-loss").textContent = percent.format(loss / 100);
      $("#m-bitrate").textContent = format(_("%(kbps)s kbps"), { kbps: whole.format(kbps) });
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
    if (!resp.ok) throw new Error(body.detail || _("The test service is unavailable."));
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
  $("#tc-start").textContent = _("Test again");
  await release(); // free the server's echo peer as soon as we are done
}

$("#tc-start").addEventListener("click", runTest);
window.addEventListener("pagehide", () => {
  if (echoId) post(cfg.closeUrl, { echo_id: echoId }, true);
  if (pc) pc.close();
});
preview();
