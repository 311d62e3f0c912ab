// The websocket to Duet (docs/signaling.md): welcome/state, admission, relayed SDP and
// ICE, presence heartbeats, and reconnecting without losing our place in the room.
import { _, format } from "../i18n.js";
import { finish, publishMedia } from "./controls.js";
import {
  addLocalTracks,
  dropPeer,
  ensurePeer,
  flushCandidates,
  isWorking,
  renewPeer,
  repair,
  restartRequested,
  startOffer,
  upsertPeer,
} from "./peers.js";
import { announce, cfg, setReconnecting, show, state, ui } from "./state.js";
import { renderTileState, renderWaiting } from "./tiles.js";

const CLOSE = cfg.closeCodes.codes; // {NAME: code}, from signaling.protocol.CloseCode
const CLOSE_MESSAGES = cfg.closeCodes.messages; // {code: what to tell the person}

export function send(msg) {
  if (state.ws?.readyState === WebSocket.OPEN) state.ws.send(JSON.stringify(msg));
}

export function connect() {
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
    stopHeartbeat();
    if (state.ws !== ws || state.ended) return;
    const message = CLOSE_MESSAGES[String(event.code)];
    // Only "you opened the room elsewhere" may be undone from here: take the room back.
    if (message) return finish(message, event.code === CLOSE.REPLACED);
    // Network trouble: peer connections may still carry media, so keep them and resume.
    const delay = Math.min(15000, 1000 * 2 ** state.retries) * (0.75 + Math.random() / 2);
    state.retries += 1;
    setReconnecting(true);
    announce(_("Connection to Duet lost. Reconnecting…"));
    setTimeout(connect, delay);
  };
}

// --- heartbeat: the server's presence clock, and our own "was this page frozen?" check
function stopHeartbeat() {
  clearInterval(state.heartbeat);
  state.heartbeat = null;
}

function startHeartbeat(seconds) {
  stopHeartbeat();
  state.beatMs = seconds * 1000;
  state.lastBeat = Date.now();
  state.heartbeat = setInterval(beat, state.beatMs);
}

/** Called on the interval, and at once when the page wakes (visible again, back online). */
export function beat() {
  if (state.ended || !state.beatMs) return;
  const gap = Date.now() - state.lastBeat;
  state.lastBeat = Date.now();
  // A locked phone or a throttled tab skipped beats: the server may have timed us out.
  // Say so until it answers; it gives us our place back (see `state` with `rejoined`).
  if (gap > state.beatMs * 2.5) {
    setReconnecting(true);
    announce(_("Reconnecting…"));
  }
  if (state.ws?.readyState === WebSocket.OPEN) send({ type: "ping" });
  else if (!state.ws || state.ws.readyState === WebSocket.CLOSED) connect();
}

const PONG_WAIT_MS = 4000;

/** A socket can look open while its path is dead (an unplugged cable, a new address):
 * ask the server, and when no answer comes soon, resume on a fresh socket. */
export function checkSignaling() {
  if (state.pongTimer || state.ended || state.ws?.readyState !== WebSocket.OPEN) return;
  send({ type: "ping" });
  state.pongTimer = setTimeout(() => {
    state.pongTimer = null;
    const dead = state.ws;
    if (!dead || state.ended) return;
    // Waiting for this socket's close handshake could take a minute: drop it now.
    dead.onclose = dead.onmessage = null;
    dead.close();
    stopHeartbeat();
    setReconnecting(true);
    announce(_("Reconnecting…"));
    connect();
  }, PONG_WAIT_MS);
}

function backOnline() {
  clearTimeout(state.pongTimer);
  state.pongTimer = null;
  setReconnecting(false);
  state.retries = 0;
}

const handlers = {
  async welcome(msg) {
    backOnline();
    state.peerId = msg.peer_id;
    state.resumeToken = msg.resume_token;
    state.iceServers = msg.ice_servers || [];
    startHeartbeat(msg.limits.heartbeat_seconds);
    if (msg.resumed) announce(_("Reconnected."));
    await applyState(msg);
    if (state.admitted) publishMedia();
  },
  async admitted(msg) {
    announce(_("You're in. Connecting to the others…"));
    await applyState(msg);
    publishMedia();
  },
  async state(msg) {
    if (msg.rejoined) {
      backOnline();
      announce(_("Reconnected."));
    }
    await applyState(msg);
    if (msg.rejoined && state.admitted) publishMedia();
  },
  async waiting(msg) {
    renderWaiting(msg.waiting);
  },
  async peer_joined(msg) {
    const peer = upsertPeer(msg.peer);
    if (!msg.resumed) announce(format(_("%(name)s joined."), { name: msg.peer.name }));
    if (!peer.info.initiator) return;
    // Back on a new socket with the same page: it kept its connection to us.
    if (msg.resumed) repair(peer);
    else if (!isWorking(peer)) startOffer(peer);
  },
  async peer_left(msg) {
    const peer = state.peers.get(msg.peer_id);
    if (!peer) return;
    // Whole sentences, so each language can place the name where it belongs.
    const why = { removed: _("%(name)s was removed."), timeout: _("%(name)s lost connection.") };
    if (msg.reason !== "replaced") announce(format(why[msg.reason] || _("%(name)s left."), { name: peer.info.name }));
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
    let peer = ensurePeer(msg.from);
    let pc = peer.pc;
    const collision = peer.makingOffer || pc.signalingState !== "stable";
    peer.ignoreOffer = !peer.info.polite && collision;
    if (peer.ignoreOffer) return;
    try {
      await pc.setRemoteDescription({ type: "offer", sdp: msg.sdp });
    } catch (err) {
      if (!peer.negotiated) throw err;
      // The other side started a fresh connection (after a reload or a long outage) and
      // its offer no longer fits ours: meet it with a fresh one rather than stay broken.
      console.warn("room: offer does not fit this connection, starting afresh", err);
      peer = renewPeer(peer);
      pc = peer.pc;
      await pc.setRemoteDescription({ type: "offer", sdp: msg.sdp });
    }
    addLocalTracks(peer);
    await pc.setLocalDescription();
    send({ type: "answer", to: msg.from, sdp: pc.localDescription.sdp });
    peer.negotiated = true;
    await flushCandidates(peer);
  },
  async answer(msg) {
    const peer = state.peers.get(msg.from);
    if (!peer || peer.pc.signalingState !== "have-local-offer") return;
    try {
      await peer.pc.setRemoteDescription({ type: "answer", sdp: msg.sdp });
    } catch (err) {
      // An answer to an offer we have since taken back: the answer to the current one
      // is still to come (and restartIce re-offers if it never does).
      console.warn("room: answer to an older offer ignored", err);
      return;
    }
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
    if (peer) restartRequested(peer);
  },
  async pong() {
    backOnline();
  },
  async ended(msg) {
    const byTherapist = cfg.role === "therapist" ? _("You ended the session.") : _("The therapist ended the session.");
    finish(msg.reason === "time" ? _("The session time is over.") : byTherapist);
  },
  async removed(msg) {
    finish(msg.detail);
  },
  async replaced(msg) {
    finish(msg.detail, true);
  },
  async closing() {
    finish(_("You were signed out."));
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
  if (ui.call.hidden) show(ui.call);
  // After a timeout the others dropped their connections to us: start every one afresh.
  if (msg.rejoined) for (const id of [...state.peers.keys()]) dropPeer(id);
  const listed = new Set(msg.peers.map((p) => p.peer_id));
  for (const id of [...state.peers.keys()]) if (!listed.has(id)) dropPeer(id);
  // Resumed (not rejoined): the others kept their connections to us.
  for (const info of msg.peers) repair(upsertPeer(info));
}

document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") beat();
});
window.addEventListener("online", () => beat());
