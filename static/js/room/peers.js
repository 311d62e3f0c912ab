// One RTCPeerConnection per other participant (full mesh of three). The newcomer
// (server-assigned "initiator") offers; perfect negotiation ("polite") handles the rest.
import { wireChat } from "./chat.js";
import { applyAudioOnly } from "./controls.js";
import { sampleQuality, QUALITY_SAMPLE_MS } from "./quality.js";
import { send } from "./signaling.js";
import { state } from "./state.js";
import { makeTile, renderTileState, updateLayout } from "./tiles.js";

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

export function addLocalTracks(peer) {
  if (peer.tracksAdded || !state.local) return;
  peer.tracksAdded = true;
  for (const track of state.local.getTracks()) peer.pc.addTrack(track, state.local);
  if (state.audioOnly) applyAudioOnly(peer);
}

export function startOffer(peer) {
  if (peer.pc.signalingState === "closed" || peer.negotiated) {
    // A broken connection from before: start clean rather than patch it.
    const info = peer.info;
    dropPeer(peer.id);
    peer = upsertPeer(info);
  }
  if (!peer.chat) wireChat(peer, peer.pc.createDataChannel("chat"));
  addLocalTracks(peer); // fires negotiationneeded -> offer
}

export function dropPeer(peerId) {
  const peer = state.peers.get(peerId);
  if (!peer) return;
  clearInterval(peer.statsTimer);
  clearTimeout(peer.failTimer);
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
