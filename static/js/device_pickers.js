// Camera / microphone / speaker <select>s filled from enumerateDevices: one home for the
// tech check page and the room. Choices are remembered per device by ./room/prefs.js.
import { _, format } from "./i18n.js";

// A device the browser gives no name yet (before permission): "Camera 2".
const UNNAMED = {
  videoinput: (n) => format(_("Camera %(n)s"), { n }),
  audioinput: (n) => format(_("Microphone %(n)s"), { n }),
  audiooutput: (n) => format(_("Speaker %(n)s"), { n }),
};

export const PREF_OF = { videoinput: "camera", audioinput: "mic", audiooutput: "speaker" };
export const canPickSpeaker = "setSinkId" in HTMLMediaElement.prototype;

/** Fill each select (keyed by device kind) and select ``currentId(kind)``. */
export async function fillPickers(pickers, currentId) {
  let devices = [];
  try {
    devices = await navigator.mediaDevices.enumerateDevices();
  } catch {
    return;
  }
  for (const [kind, select] of Object.entries(pickers)) {
    if (!select) continue;
    const mine = devices.filter((d) => d.kind === kind && d.deviceId);
    select.replaceChildren(...mine.map((d, i) => new Option(d.label || UNNAMED[kind](i + 1), d.deviceId)));
    select.value = currentId(kind);
    select.disabled = mine.length === 0;
  }
}
