// One RTCPeerConnection per other participant (full mesh of three). The newcomer
// (server-assigned "initiator") offers; perfect negotiation ("polite") handles the rest.
import { _ } from "../i18n.js";
import { wireChat } from "./chat.js";
import { applyAudioOnly } from "./controls.js";
import { applySpeaker } from "./devices.js";
import { localTrack, outgoingVideoTrack } from "./media.js";
import { sampleQuality, QUALITY_SAMPLE_MS } from "./quality.js";
import { checkSignaling, send } from "./signaling.js";
import { state } from "./state.js";
import { makeTile, renderLink, renderTileState, updateLayout } from "./tiles.js";

export function upsertPeer(info) {
  const peer = ensurePeer(info.peer_id);
  peer.info = { ...peer.info, ...info };
  renderTileState(peer);
  return peer;
}

export function isWorking(peer) {
  return ["connected", "connecting", "new"].includes(peer.pc.connectionState) && peer.negotiated;
}

export function ensurePeer(peerId) {
  let peer = state.peers.get(peerId);
  if (peer) return peer;
  const pc = new RTCPeerConnection({ iceServers: state.iceServers });
  peer = {
    id: peerId,
    info: { peer_id: peerId, name: _("Guest"), audio: true, video: true, initiator: false, polite: true },
    pc,
    makingOffer: false,
    ignoreOffer: false,
    negotiated: false,
    tracksAdded: false,
    pendingCandidates: [],
    chat: null,
    badSamples: 0,
    goodSamples: 0,
    videoPaused: false, // video with this one person paused, their link stayed weak (quality.js)
    sendStep: 0, // how far the video we send this peer is stepped down (quality.js)
    stalled: false, // nothing arrived from this peer during the last quality sample
    lastStats: null,
    statsTimer: null,
    failTimer: null,
    answerTimer: null,
    dropped: false, // went "disconnected" since last connected
    restarted: false, // an ICE restart was started since last connected
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
    applySpeaker(video);
    video.play().catch(() => {});
  };
  pc.ondatachannel = ({ channel }) => wireChat(peer, channel);
  pc.onconnectionstatechange = () => onConnectionState(peer);
  peer.statsTimer = setInterval(() => sampleQuality(peer), QUALITY_SAMPLE_MS);
  return peer;
}

export function addLocalTracks(peer) {
  if (peer.tracksAdded || !state.local) return;
  peer.tracksAdded = true;
  // What we send: the microphone, and the camera, blurred camera or shared screen.
  for (const track of [localTrack("audio"), localTrack("video") && outgoingVideoTrack()]) {
    if (track) peer.pc.addTrack(track, state.local);
  }
  if (state.audioOnly) applyAudioOnly(peer);
}

export function startOffer(peer) {
  // A broken connection from before: start clean rather than patch it.
  if (peer.pc.signalingState === "closed" || peer.negotiated) peer = renewPeer(peer);
  if (!peer.chat) wireChat(peer, peer.pc.createDataChannel("chat"));
  addLocalTracks(peer); // fires negotiationneeded -> offer
}

/** The same person on a new, empty connection (and a new tile); the old one is closed. */
export function renewPeer(peer) {
  const info = peer.info;
  dropPeer(peer.id);
  return upsertPeer(info);
}

/** A connection that is not working while the other side's page kept its end (their
 * socket came back, or ours did): the pair's offerer repairs a negotiated connection
 * with an ICE restart, or starts one; the other side asks it to restart. A fresh
 * connection here would not fit theirs. */
export function repair(peer) {
  if (isWorking(peer)) return;
  if (peer.info.initiator) {
    if (peer.negotiated) restartIce(peer);
    else startOffer(peer);
  } else if (peer.negotiated) {
    send({ type: "restart_ice", to: peer.id });
  }
}

export function dropPeer(peerId) {
  const peer = state.peers.get(peerId);
  if (!peer) return;
  clearInterval(peer.statsTimer);
  clearTimeout(peer.failTimer);
  clearTimeout(peer.answerTimer);
  peer.pc.close();
  state.peers.delete(peerId);
  peer.tile.remove();
  updateLayout();
}

export async function flushCandidates(peer) {
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
  if (s === "connected") peer.stalled = false;
  // The person sees that this link is being repaired, not just a frozen picture.
  renderLink(peer);
  clearTimeout(peer.failTimer);
  if (s === "failed") recover(peer);
  if (s === "disconnected") {
    peer.dropped = true;
    // "disconnected" often heals by itself; give it a few seconds first.
    peer.failTimer = setTimeout(() => recover(peer), 4000);
  }
  if (s === "connected" && peer.dropped) {
    peer.dropped = false;
    // Healed by itself after seconds without media (Chromium reports "disconnected"
    // only then): the path that broke may break again (a NAT binding or a relay
    // allocation lost, a new address), so gather afresh and let ICE pick again.
    // Media keeps flowing on the old path while the new round runs.
    if (!peer.restarted) restartOrAsk(peer);
  }
  if (s === "connected") peer.restarted = false;
}

function restartOrAsk(peer) {
  peer.restarted = true;
  if (peer.info.initiator) restartIce(peer);
  else send({ type: "restart_ice", to: peer.id });
}

const RECOVER_RETRY_MS = 6000;

function recover(peer) {
  if (!state.peers.has(peer.id) || peer.pc.connectionState === "connected") return;
  // The websocket may be as dead as the media path (an unplugged cable, a new address)
  // while still looking open: make sure restart messages have a way through.
  checkSignaling();
  restartOrAsk(peer);
  // Keep trying while the link is down: the first attempts may go out before it is back.
  clearTimeout(peer.failTimer);
  peer.failTimer = setTimeout(() => recover(peer), RECOVER_RETRY_MS);
}

/** Nothing has arrived from this peer for a while, yet ICE still says "connected" (it
 * notices late, and after an address change sometimes not for 30 s): restart anyway. */
export function stalledTooLong(peer) {
  checkSignaling();
  restartOrAsk(peer);
}

/** Restart ICE as this pair's offerer. A restart offer sent while the path (or the
 * websocket) was down may never be answered, and a pending offer would block every
 * later one: after a while without an answer, take it back and offer again. */
async function restartIce(peer) {
  const pc = peer.pc;
  if (pc.signalingState === "have-local-offer") {
    await pc.setLocalDescription({ type: "rollback" }).catch(() => {});
  }
  pc.restartIce();
  clearTimeout(peer.answerTimer);
  peer.answerTimer = setTimeout(() => {
    if (state.peers.get(peer.id) === peer && pc.signalingState === "have-local-offer") restartIce(peer);
  }, RECOVER_RETRY_MS);
}

/** The other side asked for an ICE restart (we are its offerer). */
export function restartRequested(peer) {
  if (peer.info.initiator) restartIce(peer);
}
