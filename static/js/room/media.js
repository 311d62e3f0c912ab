// Local camera and microphone: ask once (with the devices this browser remembered),
// fall back to audio only, then to nothing. Also what video we send: the camera, the
// blurred camera, or a shared screen — swapped on every peer connection with
// replaceTrack, so switching never renegotiates or drops the call.
import { _ } from "../i18n.js";
import { levelMeter } from "../level_meter.js";
import { prefs } from "./prefs.js";
import { announce, state, ui } from "./state.js";

// Remembered devices are asked for exactly (browsers treat "ideal" device ids loosely);
// if one is gone, startLocalMedia falls back to the default device.
export function audioConstraints(remembered = true) {
  const id = remembered && prefs.get("mic");
  return {
    echoCancellation: true,
    noiseSuppression: prefs.get("noiseSuppression") !== "off",
    autoGainControl: true,
    ...(id ? { deviceId: { exact: id } } : {}),
  };
}

export function videoConstraints(remembered = true) {
  const id = remembered && prefs.get("camera");
  return {
    width: { ideal: 1280 },
    height: { ideal: 720 },
    frameRate: { max: 30 },
    ...(id ? { deviceId: { exact: id } } : {}),
  };
}

export async function startLocalMedia() {
  try {
    state.local = await navigator.mediaDevices
      .getUserMedia({ audio: audioConstraints(), video: videoConstraints() })
      .catch(() => navigator.mediaDevices.getUserMedia({ audio: audioConstraints(false), video: videoConstraints(false) }));
  } catch {
    try {
      state.local = await navigator.mediaDevices.getUserMedia({ audio: audioConstraints(false) });
      state.videoOn = false;
      announce(_("No camera available — you will join with audio only."));
    } catch {
      state.local = new MediaStream();
      state.audioOn = state.videoOn = false;
      announce(_("Camera and microphone are blocked. Allow them in the browser's address bar."));
    }
  }
  ui.prejoinVideo.srcObject = state.local;
  showSelf();
  levelMeter(state.local, ui.meter, () => !ui.prejoin.hidden);
}

export function localTrack(kind) {
  return state.local?.getTracks().find((t) => t.kind === kind) || null;
}

/** The video track the others receive from us right now. */
export function outgoingVideoTrack() {
  return state.screenTrack || state.blurTrack || localTrack("video");
}

/** Your own tile and the pre-join preview show what the others see. */
export function showSelf() {
  const track = outgoingVideoTrack();
  const stream = new MediaStream(track ? [track] : []);
  ui.selfVideo.srcObject = stream;
  if (!ui.prejoin.hidden) ui.prejoinVideo.srcObject = stream;
  ui.selfVideo.classList.toggle("is-screen", Boolean(state.screenTrack));
}

/** Put the current track of this kind on every peer connection, without renegotiating. */
export async function sendEverywhere(kind) {
  const track = kind === "video" ? outgoingVideoTrack() : localTrack("audio");
  const swaps = [];
  for (const peer of state.peers.values()) {
    for (const t of peer.pc.getTransceivers()) {
      if (t.receiver.track?.kind === kind && t.currentDirection !== "stopped") {
        swaps.push(t.sender.replaceTrack(track));
      }
    }
  }
  await Promise.allSettled(swaps);
  if (kind === "video") showSelf();
}

/** Swap one local device track for a new one (another camera or microphone). */
export async function replaceLocalTrack(kind, track) {
  const old = localTrack(kind);
  if (old) {
    state.local.removeTrack(old);
    old.stop();
  }
  track.enabled = kind === "audio" ? state.audioOn : state.videoOn;
  state.local.addTrack(track);
  document.dispatchEvent(new CustomEvent("duet:localtrack", { detail: { kind, track } }));
  await sendEverywhere(kind);
}
