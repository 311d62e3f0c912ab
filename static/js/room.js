// Duet video room: a full mesh of three WebRTC peers over the signaling protocol in
// docs/signaling.md. The newcomer (server-assigned "initiator") offers; the older peer
// answers. Perfect negotiation (server-assigned "polite") only handles renegotiation.

const cfg = JSON.parse(document.getElementById("room-config").textContent);
const $ = (sel, root = document) => root.querySelector(sel);

const FATAL_CLOSES = {
  4401: "You were signed out. Log in again to rejoin.",
  4403: "This session room is not yours.",
  4404: "There is no session room at this address.",
  4409: "You joined this session from another tab or device.",
  4410: "The session has ended.",
  4425: "The room is not open yet. It opens 15 minutes before the start.",
  4429: "The connection was closed because of too many bad messages.",
  4430: "The therapist removed you from this session.",
};
const QUALITY_SAMPLE_MS = 2000;
const BAD_SAMPLES_BEFORE_HINT = 3;

const state = {
  ws: null,
  peerId: "",
  seq: 0,
  resumeToken: "",
  admitted: false,
  ended: false,
  retries: 0,
  heartbeat: null,
  iceServers: [],
  local: null,
  audioOn: true,
  videoOn: true,
  audioOnly: false,
  peers: new Map(), // peer id -> peer record
};

// ---------------------------------------------------------------- UI helpers
const ui = {
  prejoin: $("#prejoin"),
  waitingScreen: $("#waiting-screen"),
  call: $("#call"),
  over: $("#call-over"),
  overText: $("#call-over-text"),
  stage: $("#stage"),
  selfVideo: $("#self-video"),
  prejoinVideo: $("#prejoin-video"),
  status: $("#room-status"),
  waitingPanel: $("#waiting-panel"),
  waitingList: $("#waiting-list"),
  chatLog: $("#chat-log"),
  chatForm: $("#chat-form"),
  hint: $("#quality-hint"),
  meter: $("#prejoin-meter"),
};

function announce(text) {
  ui.status.textContent = text;
}

function show(section) {
  for (const el of [ui.prejoin, ui.waitingScreen, ui.call, ui.over]) {
    if (el) el.hidden = el !== section;
  }
}

function setPressed(button, pressed, labelOn, labelOff) {
  button.setAttribute("aria-pressed", String(pressed));
  const label = pressed ? labelOn : labelOff;
  button.querySelector(".label").textContent = label;
  button.setAttribute("aria-label", label);
}

// ---------------------------------------------------------------- local media
async function startLocalMedia() {
  try {
    state.local = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: true, noiseSuppression: true },
      video: { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { max: 30 } },
    });
  } catch (err) {
    try {
      state.local = await navigator.mediaDevices.getUserMedia({ audio: true });
      state.videoOn = false;
      announce("No camera available — you will join with audio only.");
    } catch (err2) {
      state.local = new MediaStream();
      state.audioOn = state.videoOn = false;
      announce("Camera and microphone are blocked. Allow them in the browser's address bar.");
    }
  }
  ui.prejoinVideo.srcObject = state.local;
  ui.selfVideo.srcObject = state.local;
  levelMeter(state.local, ui.meter);
}

function levelMeter(stream, meter) {
  if (!meter || !stream.getAudioTracks().length) return;
  const ctx = new AudioContext();
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 256;
  ctx.createMediaStreamSource(stream).connect(analyser);
  const data = new Uint8Array(analyser.fftSize);
  const tick = () => {
    analyser.getByteTimeDomainData(data);
    let peak = 0;
    for (const v of data) peak = Math.max(peak, Math.abs(v - 128));
    meter.value = Math.min(1, peak / 64);
    if (!ui.prejoin.hidden) requestAnimationFrame(tick);
  };
  tick();
}

function localTrack(kind) {
  return state.local?.getTracks().find((t) => t.kind === kind) || null;
}

// ---------------------------------------------------------------- signaling
function send(msg) {
  if (state.ws?.readyState === WebSocket.OPEN) state.ws.send(JSON.stringify(msg));
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const query = state.resumeToken ? `?resume=${encodeURIComponent(state.resumeToken)}` : "";
  const ws = new WebSocket(`${scheme}://${location.host}${cfg.wsPath}${query}`);
  state.ws = ws;
  ws.onmessage = (event) => {
    let msg;
    try {
      msg = JSON.parse(event.data);
    } catch {
      return;
    }
    const handler = handlers[msg.type];
    if (handler) handler(msg).catch((err) => console.warn("room:", msg.type, err));
  };
  ws.onclose = (event) => {
    clearInterval(state.heartbeat);
    if (state.ws !== ws || state.ended) return;
    if (FATAL_CLOSES[event.code]) return finish(FATAL_CLOSES[event.code]);
    // Network trouble: peer connections may still carry media, so keep them and resume.
    const delay = Math.min(15000, 1000 * 2 ** state.retries) * (0.75 + Math.random() / 2);
    state.retries += 1;
    announce(`Connection to Duet lost — reconnecting in ${Math.round(delay / 1000)} s…`);
    setTimeout(connect, delay);
  };
}

const handlers = {
  async welcome(msg) {
    state.retries = 0;
    state.peerId = msg.peer_id;
    state.resumeToken = msg.resume_token;
    state.iceServers = msg.ice_servers || [];
    clearInterval(state.heartbeat);
    state.heartbeat = setInterval(() => send({ type: "ping" }), msg.limits.heartbeat_seconds * 1000);
    if (msg.resumed) announce("Reconnected.");
    await applyState(msg);
    if (state.admitted) publishMedia();
  },
  async admitted(msg) {
    announce("You're in. Connecting to the others…");
    await applyState(msg);
    publishMedia();
  },
  async state(msg) {
    await applyState(msg);
  },
  async waiting(msg) {
    renderWaiting(msg.waiting);
  },
  async peer_joined(msg) {
    const peer = upsertPeer(msg.peer);
    announce(`${msg.peer.name} joined.`);
    if (peer.info.initiator && !isWorking(peer)) startOffer(peer);
  },
  async peer_left(msg) {
    const peer = state.peers.get(msg.peer_id);
    if (!peer) return;
    const why = { removed: "was removed", timeout: "lost connection", replaced: "rejoined" };
    if (msg.reason !== "replaced") announce(`${peer.info.name} ${why[msg.reason] || "left"}.`);
    dropPeer(msg.peer_id);
  },
  async media(msg) {
    const peer = state.peers.get(msg.from);
    if (!peer) return;
    peer.info.audio = msg.audio;
    peer.info.video = msg.video;
    renderTileState(peer);
  },
  async offer(msg) {
    const peer = ensurePeer(msg.from);
    const pc = peer.pc;
    const collision = peer.makingOffer || pc.signalingState !== "stable";
    peer.ignoreOffer = !peer.info.polite && collision;
    if (peer.ignoreOffer) return;
    await pc.setRemoteDescription({ type: "offer", sdp: msg.sdp });
    addLocalTracks(peer);
    await pc.setLocalDescription();
    send({ type: "answer", to: msg.from, sdp: pc.localDescription.sdp });
    peer.negotiated = true;
    await flushCandidates(peer);
  },
  async answer(msg) {
    const peer = state.peers.get(msg.from);
    if (!peer || peer.pc.signalingState !== "have-local-offer") return;
    await peer.pc.setRemoteDescription({ type: "answer", sdp: msg.sdp });
    peer.negotiated = true;
    await flushCandidates(peer);
  },
  async ice(msg) {
    const peer = ensurePeer(msg.from);
    // Candidates can outrun the description they belong to: queue, never drop.
    if (!peer.pc.remoteDescription) {
      peer.pendingCandidates.push(msg.candidate);
      return;
    }
    try {
      await peer.pc.addIceCandidate(msg.candidate || undefined);
    } catch (err) {
      if (!peer.ignoreOffer) console.warn("room: candidate", err);
    }
  },
  async restart_ice(msg) {
    const peer = state.peers.get(msg.from);
    if (peer?.info.initiator) peer.pc.restartIce();
  },
  async pong() {},
  async ended(msg) {
    finish(msg.reason === "time" ? "The session time is over." : "The therapist ended the session.");
  },
  async removed(msg) {
    finish(msg.detail);
  },
  async replaced(msg) {
    finish(msg.detail);
  },
  async closing() {
    finish("You were signed out.");
  },
  async error(msg) {
    if (msg.fatal) return finish(msg.detail);
    console.warn("room: server error", msg);
    if (["not_waiting", "unknown_peer"].includes(msg.code)) send({ type: "sync" });
  },
};

async function applyState(msg) {
  state.seq = msg.seq;
  state.admitted = msg.state === "admitted";
  if (cfg.role === "therapist") renderWaiting(msg.waiting || []);
  if (!state.admitted) {
    show(ui.waitingScreen);
    return;
  }
  show(ui.call);
  const listed = new Set(msg.peers.map((p) => p.peer_id));
  for (const id of [...state.peers.keys()]) if (!listed.has(id)) dropPeer(id);
  for (const info of msg.peers) {
    const peer = upsertPeer(info);
    if (isWorking(peer)) continue;
    if (info.initiator) startOffer(peer);
    else if (peer.negotiated) send({ type: "restart_ice", to: info.peer_id });
  }
}

// ---------------------------------------------------------------- peers
function upsertPeer(info) {
  const peer = ensurePeer(info.peer_id);
  peer.info = { ...peer.info, ...info };
  renderTileState(peer);
  return peer;
}

function isWorking(peer) {
  return ["connected", "connecting", "new"].includes(peer.pc.connectionState) && peer.negotiated;
}

function ensurePeer(peerId) {
  let peer = state.peers.get(peerId);
  if (peer) return peer;
  const pc = new RTCPeerConnection({ iceServers: state.iceServers });
  peer = {
    id: peerId,
    info: { peer_id: peerId, name: "Guest", audio: true, video: true, initiator: false, polite: true },
    pc,
    makingOffer: false,
    ignoreOffer: false,
    negotiated: false,
    tracksAdded: false,
    pendingCandidates: [],
    chat: null,
    badSamples: 0,
    lastStats: null,
    statsTimer: null,
    failTimer: null,
    tile: makeTile(peerId),
  };
  state.peers.set(peerId, peer);
  pc.onicecandidate = ({ candidate }) =>
    send({ type: "ice", to: peerId, candidate: candidate ? candidate.toJSON() : null });
  pc.onnegotiationneeded = async () => {
    // Before the first exchange only the initiator offers (no glare on join).
    if (!peer.info.initiator && !peer.negotiated) return;
    try {
      peer.makingOffer = true;
      await pc.setLocalDescription();
      send({ type: "offer", to: peerId, sdp: pc.localDescription.sdp });
    } catch (err) {
      console.warn("room: offer", err);
    } finally {
      peer.makingOffer = false;
    }
  };
  pc.ontrack = ({ track, streams }) => {
    const video = peer.tile.querySelector("video");
    const stream = streams[0] || video.srcObject || new MediaStream();
    if (!stream.getTracks().includes(track)) stream.addTrack(track);
    video.srcObject = stream;
    video.play().catch(() => {});
  };
  pc.ondatachannel = ({ channel }) => wireChat(peer, channel);
  pc.onconnectionstatechange = () => onConnectionState(peer);
  peer.statsTimer = setInterval(() => sampleQuality(peer), QUALITY_SAMPLE_MS);
  return peer;
}

function addLocalTracks(peer) {
  if (peer.tracksAdded || !state.local) return;
  peer.tracksAdded = true;
  for (const track of state.local.getTracks()) peer.pc.addTrack(track, state.local);
  if (state.audioOnly) applyAudioOnly(peer);
}

function startOffer(peer) {
  if (peer.pc.signalingState === "closed" || peer.negotiated) {
    // A broken connection from before: start clean rather than patch it.
    const info = peer.info;
    dropPeer(peer.id);
    peer = upsertPeer(info);
  }
  if (!peer.chat) wireChat(peer, peer.pc.createDataChannel("chat"));
  addLocalTracks(peer); // fires negotiationneeded -> offer
}

function dropPeer(peerId) {
  const peer = state.peers.get(peerId);
  if (!peer) return;
  clearInterval(peer.statsTimer);
  clearTimeout(peer.failTimer);
  peer.pc.close();
  state.peers.delete(peerId);
  peer.tile.remove();
  updateLayout();
}

async function flushCandidates(peer) {
  const queued = peer.pendingCandidates.splice(0);
  for (const c of queued) {
    try {
      await peer.pc.addIceCandidate(c || undefined);
    } catch (err) {
      console.warn("room: queued candidate", err);
    }
  }
}

function onConnectionState(peer) {
  const s = peer.pc.connectionState;
  peer.tile.dataset.connection = s;
  clearTimeout(peer.failTimer);
  if (s === "failed") recover(peer);
  // "disconnected" often heals by itself; give it a few seconds first.
  if (s === "disconnected") peer.failTimer = setTimeout(() => recover(peer), 4000);
}

function recover(peer) {
  if (!state.peers.has(peer.id) || peer.pc.connectionState === "connected") return;
  if (peer.info.initiator) peer.pc.restartIce();
  else send({ type: "restart_ice", to: peer.id });
}

// ---------------------------------------------------------------- tiles and layout
function makeTile(peerId) {
  const tpl = $("#tile-template").content.firstElementChild.cloneNode(true);
  tpl.dataset.peerId = peerId;
  ui.stage.append(tpl);
  updateLayout();
  return tpl;
}

function renderTileState(peer) {
  const tile = peer.tile;
  tile.querySelector(".tile-name").textContent =
    peer.info.role === "therapist" ? `${peer.info.name} · therapist` : peer.info.name;
  tile.querySelector(".tile-initial").textContent = (peer.info.name || "?").slice(0, 1).toUpperCase();
  tile.dataset.muted = String(!peer.info.audio);
  tile.dataset.cameraOff = String(!peer.info.video);
  const muted = tile.querySelector(".tile-muted");
  muted.hidden = peer.info.audio;
  tile.querySelector("video").setAttribute("aria-label", `${peer.info.name}'s video`);
  renderAdminButtons(peer);
}

function renderAdminButtons(peer) {
  const btn = peer.tile.querySelector(".tile-remove");
  btn.hidden = cfg.role !== "therapist" || peer.info.role === "therapist";
  btn.setAttribute("aria-label", `Remove ${peer.info.name} from the session`);
  btn.onclick = () => {
    if (confirm(`Remove ${peer.info.name}? They cannot rejoin this session.`)) {
      send({ type: "remove", peer_id: peer.id });
    }
  };
}

function updateLayout() {
  ui.stage.dataset.count = String(ui.stage.querySelectorAll(".tile").length);
}

function renderWaiting(waiting) {
  if (!ui.waitingPanel) return;
  ui.waitingPanel.hidden = false;
  ui.waitingList.replaceChildren();
  $("#waiting-count").textContent = String(waiting.length);
  $("#admit-all").hidden = waiting.length < 2;
  $("#admit-all").onclick = () => send({ type: "admit", peer_ids: waiting.map((w) => w.peer_id) });
  if (!waiting.length) {
    const li = document.createElement("li");
    li.className = "muted small";
    li.textContent = "Nobody is waiting.";
    ui.waitingList.append(li);
  }
  for (const w of waiting) {
    const li = document.createElement("li");
    li.className = "waiting-row";
    li.innerHTML = `<span class="avatar" aria-hidden="true"></span><strong></strong>
      <button type="button" class="btn btn-primary btn-sm admit">Admit</button>
      <button type="button" class="btn btn-ghost btn-sm deny">Remove</button>`;
    li.querySelector(".avatar").textContent = w.name.slice(0, 1).toUpperCase();
    li.querySelector("strong").textContent = w.name;
    const admit = li.querySelector(".admit");
    admit.setAttribute("aria-label", `Admit ${w.name}`);
    admit.onclick = () => send({ type: "admit", peer_ids: [w.peer_id] });
    const deny = li.querySelector(".deny");
    deny.setAttribute("aria-label", `Remove ${w.name} from the waiting room`);
    deny.onclick = () => {
      if (confirm(`Remove ${w.name}? They cannot rejoin this session.`)) {
        send({ type: "remove", peer_id: w.peer_id });
      }
    };
    ui.waitingList.append(li);
  }
  if (waiting.length) announce(`${waiting.map((w) => w.name).join(" and ")} waiting to be admitted.`);
}

// ---------------------------------------------------------------- quality
async function sampleQuality(peer) {
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

// ---------------------------------------------------------------- chat
function wireChat(peer, channel) {
  peer.chat = channel;
  channel.onmessage = ({ data }) => {
    try {
      const msg = JSON.parse(data);
      if (msg.type === "chat" && typeof msg.text === "string") addChatLine(peer.info.name, msg.text.slice(0, 2000));
    } catch {
      /* ignore garbage from a peer */
    }
  };
}

function addChatLine(who, text) {
  const li = document.createElement("li");
  const b = document.createElement("strong");
  b.textContent = `${who}: `;
  li.append(b, document.createTextNode(text));
  ui.chatLog.append(li);
  li.scrollIntoView({ block: "end" });
}

ui.chatForm?.addEventListener("submit", (event) => {
  event.preventDefault();
  const input = ui.chatForm.querySelector("input");
  const text = input.value.trim();
  if (!text) return;
  for (const peer of state.peers.values()) {
    if (peer.chat?.readyState === "open") peer.chat.send(JSON.stringify({ type: "chat", text }));
  }
  addChatLine("You", text);
  input.value = "";
});

// ---------------------------------------------------------------- controls
function applyAudioOnly(peer) {
  for (const t of peer.pc.getTransceivers()) {
    const kind = t.sender.track?.kind || t.receiver.track?.kind;
    if (kind === "video" && t.currentDirection !== "stopped") {
      // Renegotiates through perfect negotiation: no video either way on this pair.
      t.direction = state.audioOnly ? "inactive" : "sendrecv";
    }
  }
}

function publishMedia() {
  send({ type: "media", audio: state.audioOn, video: state.videoOn && !state.audioOnly });
}

const micBtn = $("#btn-mic");
const camBtn = $("#btn-camera");
const audioOnlyBtn = $("#btn-audio-only");

micBtn.onclick = () => {
  state.audioOn = !state.audioOn;
  const track = localTrack("audio");
  if (track) track.enabled = state.audioOn;
  setPressed(micBtn, !state.audioOn, "Unmute", "Mute");
  publishMedia();
};
camBtn.onclick = () => {
  state.videoOn = !state.videoOn;
  const track = localTrack("video");
  if (track) track.enabled = state.videoOn;
  setPressed(camBtn, !state.videoOn, "Start camera", "Stop camera");
  $("#self-tile").dataset.cameraOff = String(!state.videoOn);
  publishMedia();
};
audioOnlyBtn.onclick = () => {
  state.audioOnly = !state.audioOnly;
  setPressed(audioOnlyBtn, state.audioOnly, "Video on", "Audio only");
  document.body.classList.toggle("audio-only", state.audioOnly);
  for (const peer of state.peers.values()) applyAudioOnly(peer);
  ui.hint.hidden = true;
  publishMedia();
};
$("#quality-hint-accept")?.addEventListener("click", () => {
  if (!state.audioOnly) audioOnlyBtn.click();
});
$("#quality-hint-dismiss")?.addEventListener("click", () => {
  ui.hint.hidden = true;
  for (const peer of state.peers.values()) peer.badSamples = -30;
});
$("#btn-leave").onclick = () => finish("You left the session. You can rejoin while it is open.", true);
$("#btn-end")?.addEventListener("click", () => {
  if (confirm("End the session for everyone?")) send({ type: "end" });
});
$("#btn-chat").onclick = () => {
  const panel = $("#chat-panel");
  panel.hidden = !panel.hidden;
  $("#btn-chat").setAttribute("aria-expanded", String(!panel.hidden));
  if (!panel.hidden) ui.chatForm.querySelector("input").focus();
};

function finish(text, canRejoin = false) {
  if (state.ended) return;
  state.ended = true;
  clearInterval(state.heartbeat);
  for (const id of [...state.peers.keys()]) dropPeer(id);
  state.local?.getTracks().forEach((t) => t.stop());
  const ws = state.ws;
  state.ws = null;
  if (ws && ws.readyState <= WebSocket.OPEN) ws.close(1000);
  ui.overText.textContent = text;
  $("#rejoin").hidden = !canRejoin;
  show(ui.over);
  document.body.dataset.roomState = "over";
}

$("#join-btn").onclick = () => {
  $("#join-btn").disabled = true;
  // Apply the pre-join choices, then connect.
  const a = localTrack("audio");
  const v = localTrack("video");
  if (a) a.enabled = state.audioOn;
  if (v) v.enabled = state.videoOn;
  setPressed(micBtn, !state.audioOn, "Unmute", "Mute");
  setPressed(camBtn, !state.videoOn, "Start camera", "Stop camera");
  announce("Connecting…");
  connect();
};
$("#prejoin-mic").onchange = (e) => {
  state.audioOn = e.target.checked;
};
$("#prejoin-cam").onchange = (e) => {
  state.videoOn = e.target.checked;
  const v = localTrack("video");
  if (v) v.enabled = state.videoOn;
};
$("#rejoin").onclick = () => location.reload();

window.addEventListener("pagehide", () => {
  if (state.ws) state.ws.close(1000);
});

show(ui.prejoin);
startLocalMedia().then(() => {
  $("#join-btn").disabled = false;
});
// Exposed for the end-to-end test and for support diagnostics in the console.
window.duetRoom = state;
