// Camera / microphone / speaker <select>s filled from enumerateDevices: one home for the
// tech check page and the room. Choices are remembered per device by ./room/prefs.js.
const NOUN = { videoinput: "Camera", audioinput: "Microphone", audiooutput: "Speaker" };

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
    select.replaceChildren(...mine.map((d, i) => new Option(d.label || `${NOUN[kind]} ${i + 1}`, d.deviceId)));
    select.value = currentId(kind);
    select.disabled = mine.length === 0;
  }
}
