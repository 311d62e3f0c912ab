// The therapist need not watch the page: when someone enters the waiting room, a soft
// chime plays and (with permission) a desktop notification appears.
import { _, format, locale, ngettext } from "../i18n.js";
import { cfg } from "./state.js";

let known = new Set();
let audio = null;

/** Ask once, from a click (browsers ignore permission prompts without one). */
export function askNotificationPermission() {
  if (cfg.role !== "therapist" || !("Notification" in window)) return;
  if (Notification.permission === "default") Notification.requestPermission().catch(() => {});
}

function chime() {
  try {
    audio ||= new AudioContext();
    const now = audio.currentTime;
    for (const [i, freq] of [660, 880].entries()) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, now + i * 0.18);
      gain.gain.exponentialRampToValueAtTime(0.2, now + i * 0.18 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + i * 0.18 + 0.5);
      osc.connect(gain).connect(audio.destination);
      osc.start(now + i * 0.18);
      osc.stop(now + i * 0.18 + 0.55);
    }
    window.duetRoom.chimes = (window.duetRoom.chimes || 0) + 1;
  } catch (err) {
    console.warn("room: chime", err);
  }
}

/** Called with every waiting-room update; tells only about people who just arrived. */
export function noticeArrivals(waiting) {
  if (cfg.role !== "therapist") return;
  const ids = new Set(waiting.map((w) => w.peer_id));
  const arrived = waiting.filter((w) => !known.has(w.peer_id));
  known = ids;
  if (!arrived.length) return;
  chime();
  const names = new Intl.ListFormat(locale(), { type: "conjunction" }).format(arrived.map((w) => w.name));
  if ("Notification" in window && Notification.permission === "granted") {
    const note = new Notification(_("Someone is in the waiting room"), {
      body: format(
        ngettext("%(names)s is waiting to be admitted.", "%(names)s are waiting to be admitted.", arrived.length),
        { names },
      ),
      tag: "duet-waiting-room",
    });
    note.onclick = () => {
      window.focus();
      note.close();
    };
  }
}
