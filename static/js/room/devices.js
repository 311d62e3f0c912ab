// Camera, microphone and speaker pickers plus noise suppression, in the pre-join check
// and (the same controls, moved) in the call's settings panel. A switch mid-call swaps
// the track on every peer connection: the call stays up.
import { canPickSpeaker, fillPickers, PREF_OF } from "../device_pickers.js";
import { _, format } from "../i18n.js";
import { setBlur } from "./blur.js";
import { audioConstraints, localTrack, replaceLocalTrack, videoConstraints } from "./media.js";
import { prefs } from "./prefs.js";
import { $, announce } from "./state.js";

const pickers = { videoinput: $("#pick-camera"), audioinput: $("#pick-mic"), audiooutput: $("#pick-speaker") };

function currentId(kind) {
  if (kind === "audiooutput") return prefs.get("speaker") || "default";
  const track = localTrack(kind === "videoinput" ? "video" : "audio");
  return track?.getSettings().deviceId || prefs.get(PREF_OF[kind]) || "";
}

export async function renderDevices() {
  await fillPickers(pickers, currentId);
  $("#pick-speaker-label").hidden = !canPickSpeaker || pickers.audiooutput.options.length === 0;
}

/** Route every remote video (and so its audio) to the chosen speaker. */
export function applySpeaker(element) {
  const id = prefs.get("speaker");
  if (!canPickSpeaker || !id) return;
  element.setSinkId(id).catch((err) => console.warn("room: speaker", err));
}

async function switchCamera(deviceId) {
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { ...videoConstraints(), deviceId: { exact: deviceId } },
  });
  await replaceLocalTrack("video", stream.getVideoTracks()[0]);
}

async function switchMic(deviceId) {
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: { ...audioConstraints(), deviceId: { exact: deviceId } },
  });
  await replaceLocalTrack("audio", stream.getAudioTracks()[0]);
}

pickers.videoinput.addEventListener("change", async (e) => {
  prefs.set("camera", e.target.value);
  try {
    await switchCamera(e.target.value);
    announce(format(_("Camera: %(device)s"), { device: e.target.selectedOptions[0]?.text }));
  } catch (err) {
    announce(_("That camera could not be started."));
    console.warn("room: camera", err);
  }
});
pickers.audioinput.addEventListener("change", async (e) => {
  prefs.set("mic", e.target.value);
  try {
    await switchMic(e.target.value);
    announce(format(_("Microphone: %(device)s"), { device: e.target.selectedOptions[0]?.text }));
  } catch (err) {
    announce(_("That microphone could not be started."));
    console.warn("room: microphone", err);
  }
});
pickers.audiooutput.addEventListener("change", (e) => {
  prefs.set("speaker", e.target.value);
  for (const video of document.querySelectorAll("#stage video.remote-video")) applySpeaker(video);
  announce(format(_("Speaker: %(device)s"), { device: e.target.selectedOptions[0]?.text }));
});

const noise = $("#opt-noise");
noise.checked = prefs.get("noiseSuppression") !== "off";
noise.addEventListener("change", async () => {
  prefs.set("noiseSuppression", noise.checked ? "on" : "off");
  // Re-open the microphone with the new processing: not every browser applies
  // noiseSuppression through applyConstraints on a live track.
  const id = localTrack("audio")?.getSettings().deviceId;
  try {
    if (id) await switchMic(id);
    announce(noise.checked ? _("Noise suppression on.") : _("Noise suppression off."));
  } catch (err) {
    console.warn("room: noise suppression", err);
  }
});

const blur = $("#opt-blur");
blur.checked = prefs.get("blur") === "on";
blur.addEventListener("change", async () => {
  prefs.set("blur", blur.checked ? "on" : "off");
  blur.checked = await setBlur(blur.checked);
});

/** After the camera is open: labels are readable, remembered blur comes back. */
export async function initDevices() {
  await renderDevices();
  navigator.mediaDevices.addEventListener?.("devicechange", renderDevices);
  if (blur.checked && localTrack("video")) blur.checked = await setBlur(true);
}

/** The one set of controls lives in the pre-join check, then in the call's settings. */
export function moveSettingsInto(home) {
  home.append($("#device-settings"));
}

