// Screen share: getDisplayMedia, then the screen replaces our camera on every peer
// connection (replaceTrack: no renegotiation). A banner says so, with one click to stop;
// stopping from the browser's own "Stop sharing" bar works the same.
import { _ } from "../i18n.js";
import { setPressed } from "./controls.js";
import { sendEverywhere } from "./media.js";
import { $, announce, state } from "./state.js";

const button = $("#btn-share");
const banner = $("#share-banner");

export async function startShare() {
  let stream;
  try {
    stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { max: 15 } }, audio: false });
  } catch (err) {
    if (err?.name !== "NotAllowedError") announce(_("Your screen could not be shared."));
    return;
  }
  const track = stream.getVideoTracks()[0];
  track.contentHint = "detail"; // text stays readable; motion matters less
  track.addEventListener("ended", stopShare);
  state.screenTrack = track;
  await sendEverywhere("video");
  banner.hidden = false;
  setPressed(button, true, _("Stop sharing"), _("Share screen"));
  announce(_("You are sharing your screen."));
}

export async function stopShare() {
  const track = state.screenTrack;
  if (!track) return;
  state.screenTrack = null;
  track.stop();
  await sendEverywhere("video");
  banner.hidden = true;
  setPressed(button, false, _("Stop sharing"), _("Share screen"));
  announce(_("You stopped sharing your screen."));
}

if (!navigator.mediaDevices?.getDisplayMedia) {
  button.hidden = true; // phones cannot share a screen
} else {
  button.addEventListener("click", () => (state.screenTrack ? stopShare() : startShare()));
}
$("#share-stop").addEventListener("click", stopShare);
