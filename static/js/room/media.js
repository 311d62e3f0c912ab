// Local camera and microphone: ask once, fall back to audio only, then to nothing.
import { levelMeter } from "../level_meter.js";
import { announce, state, ui } from "./state.js";

export async function startLocalMedia() {
  try {
    state.local = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: true, noiseSuppression: true },
      video: { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { max: 30 } },
    });
  } catch {
    try {
      state.local = await navigator.mediaDevices.getUserMedia({ audio: true });
      state.videoOn = false;
      announce("No camera available — you will join with audio only.");
    } catch {
      state.local = new MediaStream();
      state.audioOn = state.videoOn = false;
      announce("Camera and microphone are blocked. Allow them in the browser's address bar.");
    }
  }
  ui.prejoinVideo.srcObject = state.local;
  ui.selfVideo.srcObject = state.local;
  levelMeter(state.local, ui.meter, () => !ui.prejoin.hidden);
}

export function localTrack(kind) {
  return state.local?.getTracks().find((t) => t.kind === kind) || null;
}
