// Duet video room: a full mesh of three WebRTC peers over the signaling protocol in
// docs/signaling.md. One module per concern under ./room/: state, media, signaling,
// peers, tiles, quality, chat, controls. This file wires the pre-join screen.
import { _ } from "./i18n.js";
import "./room/layout.js";
import "./room/screenshare.js";
import { applyPrejoinChoices } from "./room/controls.js";
import { initDevices } from "./room/devices.js";
import { askNotificationPermission } from "./room/presence.js";
import { localTrack, startLocalMedia } from "./room/media.js";
import { connect } from "./room/signaling.js";
import { $, announce, show, state, ui } from "./room/state.js";

$("#join-btn").onclick = () => {
  $("#join-btn").disabled = true;
  applyPrejoinChoices();
  askNotificationPermission();
  announce(_("Connecting…"));
  connect();
};
$("#prejoin-mic").onchange = (e) => {
  state.audioOn = e.target.checked;
};
$("#prejoin-cam").onchange = (e) => {
  state.videoOn = e.target.checked;
  for (const v of [localTrack("video"), state.blurTrack]) {
    if (v) v.enabled = state.videoOn;
  }
};
$("#rejoin").onclick = () => location.reload();

window.addEventListener("pagehide", () => {
  if (state.ws) state.ws.close(1000);
});

show(ui.prejoin);
startLocalMedia()
  .then(initDevices)
  .finally(() => {
    $("#join-btn").disabled = false;
  });
// Exposed for the end-to-end test and for support diagnostics in the console.
window.duetRoom = state;
