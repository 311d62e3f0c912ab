// The call controls (mute, camera, audio only, chat, leave, end) and the end of a call.
import { _ } from "../i18n.js";
import { toggleChat } from "./chat.js";
import { localTrack } from "./media.js";
import { dropPeer } from "./peers.js";
import { send } from "./signaling.js";
import { $, cfg, setReconnecting, show, state, ui } from "./state.js";

export function setPressed(button, pressed, labelOn, labelOff) {
  button.setAttribute("aria-pressed", String(pressed));
  const label = pressed ? labelOn : labelOff;
  button.querySelector(".label").textContent = label;
  button.setAttribute("aria-label", label);
}

export function applyAudioOnly(peer) {
  const off = state.audioOnly || Boolean(peer.videoPaused);
  for (const t of peer.pc.getTransceivers()) {
    const kind = t.sender.track?.kind || t.receiver.track?.kind;
    if (kind === "video" && t.currentDirection !== "stopped") {
      // Renegotiates through perfect negotiation: no video either way on this pair.
      t.direction = off ? "inactive" : "sendrecv";
    }
  }
}

/** Video paused with one person only (their link stayed weak): the others keep theirs. */
export function setVideoPausedWith(peer, paused) {
  peer.videoPaused = paused;
  const box = peer.tile.querySelector(".tile-paused");
  box.hidden = !paused;
  box.querySelector(".tile-resume").onclick = () => setVideoPausedWith(peer, false);
  applyAudioOnly(peer);
  if (!paused) peer.badSamples = -30; // give the restored video a minute before offering again
}

export function publishMedia() {
  send({ type: "media", audio: state.audioOn, video: state.videoOn && !state.audioOnly });
}

const micBtn = $("#btn-mic");
const camBtn = $("#btn-camera");
const audioOnlyBtn = $("#btn-audio-only");

export function applyPrejoinChoices() {
  const a = localTrack("audio");
  const v = localTrack("video");
  if (a) a.enabled = state.audioOn;
  if (v) v.enabled = state.videoOn;
  setPressed(micBtn, !state.audioOn, _("Unmute"), _("Mute"));
  setPressed(camBtn, !state.videoOn, _("Start camera"), _("Stop camera"));
  $("#self-tile").dataset.cameraOff = String(!state.videoOn);
}

micBtn.onclick = () => {
  state.audioOn = !state.audioOn;
  const track = localTrack("audio");
  if (track) track.enabled = state.audioOn;
  setPressed(micBtn, !state.audioOn, _("Unmute"), _("Mute"));
  publishMedia();
};
camBtn.onclick = () => {
  state.videoOn = !state.videoOn;
  for (const track of [localTrack("video"), state.blurTrack]) {
    if (track) track.enabled = state.videoOn;
  }
  setPressed(camBtn, !state.videoOn, _("Start camera"), _("Stop camera"));
  $("#self-tile").dataset.cameraOff = String(!state.videoOn);
  publishMedia();
};
/** Audio only on or off for every peer (the button, the quality offer, or automatic). */
export function setAudioOnly(on) {
  if (state.audioOnly === on) return;
  state.audioOnly = on;
  setPressed(audioOnlyBtn, state.audioOnly, _("Video on"), _("Audio only"));
  document.body.classList.toggle("audio-only", state.audioOnly);
  for (const peer of state.peers.values()) applyAudioOnly(peer);
  ui.hint.hidden = true;
  publishMedia();
}
audioOnlyBtn.onclick = () => setAudioOnly(!state.audioOnly);
$("#quality-hint-accept")?.addEventListener("click", () => setAudioOnly(true));
$("#quality-hint-dismiss")?.addEventListener("click", () => {
  ui.hint.hidden = true;
  for (const peer of state.peers.values()) peer.badSamples = -30;
});
$("#btn-leave").onclick = () => finish(_("You left the session. You can rejoin while it is open."), true);
$("#btn-end")?.addEventListener("click", () => {
  if (confirm(_("End the session for everyone?"))) send({ type: "end" });
});
$("#btn-chat").onclick = toggleChat;

/** The call is over for this page: say why, and offer only what still makes sense. */
export function finish(text, canRejoin = false) {
  if (state.ended) return;
  state.ended = true;
  clearInterval(state.heartbeat);
  setReconnecting(false);
  for (const id of [...state.peers.keys()]) dropPeer(id);
  for (const t of [...(state.local?.getTracks() || []), state.screenTrack, state.blurTrack]) t?.stop();
  $("#share-banner").hidden = true;
  const ws = state.ws;
  state.ws = null;
  if (ws && ws.readyState <= WebSocket.OPEN) ws.close(1000);
  ui.overText.textContent = text;
  $("#rejoin").hidden = !canRejoin;
  // The therapist's next step after a call is the note (and the wrap-up).
  const handoff = $("#handoff");
  if (handoff) handoff.hidden = cfg.role !== "therapist";
  show(ui.over);
}
