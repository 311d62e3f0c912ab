// How the call is shown: gallery (equal tiles) or speaker view (whoever talks is large,
// from the received audio levels), picture-in-picture, the session timer, the settings
// panel and the keyboard shortcuts with their help panel.
import { _, locale } from "../i18n.js";
import { setPressed } from "./controls.js";
import { moveSettingsInto } from "./devices.js";
import { prefs } from "./prefs.js";
import { $, announce, cfg, state, ui } from "./state.js";
import { setFocus } from "./tiles.js";

const SPEAKING_LEVEL = 0.02; // RTP audio level (0..1) above which someone is talking
const SPEAKER_HOLD_MS = 1500; // do not flip the big tile on every breath

const layoutBtn = $("#btn-layout");
let lastSwitch = 0;

export function setLayout(name) {
  ui.stage.dataset.layout = name;
  setPressed(layoutBtn, name === "speaker", _("Gallery view"), _("Speaker view"));
  prefs.set("layout", name);
}
layoutBtn.addEventListener("click", () => {
  setLayout(ui.stage.dataset.layout === "speaker" ? "gallery" : "speaker");
  announce(ui.stage.dataset.layout === "speaker" ? _("Speaker view.") : _("Gallery view."));
});
setLayout(prefs.get("layout") === "speaker" ? "speaker" : "gallery");

/** The audio level each peer's microphone reaches us with (no extra audio graph). */
function levelOf(peer) {
  let level = 0;
  for (const r of peer.pc.getReceivers()) {
    if (r.track?.kind !== "audio") continue;
    for (const s of r.getSynchronizationSources?.() || []) level = Math.max(level, s.audioLevel || 0);
  }
  return level;
}

function sampleSpeakers() {
  let loudest = null;
  let top = SPEAKING_LEVEL;
  for (const peer of state.peers.values()) {
    const level = levelOf(peer);
    peer.tile.classList.toggle("is-speaking", level > SPEAKING_LEVEL);
    if (level > top) {
      top = level;
      loudest = peer;
    }
  }
  state.activeSpeaker = loudest?.id || state.activeSpeaker || "";
  const now = performance.now();
  if (ui.stage.dataset.layout === "speaker" && loudest && now - lastSwitch > SPEAKER_HOLD_MS) {
    if (!loudest.tile.classList.contains("is-focus")) {
      setFocus(loudest.tile);
      lastSwitch = now;
    }
  }
}
setInterval(sampleSpeakers, 300);

// --- picture-in-picture: the therapist keeps the couple in view while writing notes ---
const pipBtn = $("#btn-pip");
pipBtn.hidden = !document.pictureInPictureEnabled;
pipBtn.addEventListener("click", async () => {
  try {
    if (document.pictureInPictureElement) {
      await document.exitPictureInPicture();
      return;
    }
    const video = $("#stage .remote-tile.is-focus video") || $("#stage .remote-tile video") || ui.selfVideo;
    await video.requestPictureInPicture();
  } catch (err) {
    announce(_("The video could not be popped out."));
    console.warn("room: pip", err);
  }
});
document.addEventListener("enterpictureinpicture", () => (pipBtn.textContent = _("Back into the page")));
document.addEventListener("leavepictureinpicture", () => (pipBtn.textContent = _("Pop out video")));

// --- session timer: from the scheduled start (0 until then) --------------------------
const timerEl = $("#session-timer");
const startsAt = Date.parse(cfg.startsAt);
// A clock (h:mm:ss) in every language; the digits are the reader's own.
const digits = new Intl.NumberFormat(locale(), { useGrouping: false });
const twoDigits = new Intl.NumberFormat(locale(), { minimumIntegerDigits: 2, useGrouping: false });
function renderTimer() {
  const secs = Math.max(0, Math.floor((Date.now() - startsAt) / 1000));
  const h = Math.floor(secs / 3600);
  const mm = twoDigits.format(Math.floor((secs % 3600) / 60));
  const ss = twoDigits.format(secs % 60);
  timerEl.textContent = h ? `${digits.format(h)}:${mm}:${ss}` : `${mm}:${ss}`;
}
renderTimer();
setInterval(renderTimer, 1000);

// --- settings panel ---------------------------------------------------------------
const settingsBtn = $("#btn-settings");
const settingsPanel = $("#settings-panel");
settingsBtn.addEventListener("click", () => {
  const open = settingsPanel.hidden;
  settingsPanel.hidden = !open;
  settingsBtn.setAttribute("aria-expanded", String(open));
  if (open) moveSettingsInto($("#call-settings-home"));
});

// --- keyboard shortcuts -------------------------------------------------------------
const help = $("#shortcuts-help");
$("#btn-shortcuts").addEventListener("click", () => help.showModal());
document.addEventListener("keydown", (event) => {
  if (event.ctrlKey || event.metaKey || event.altKey || ui.call.hidden || help.open) return;
  if (event.target.closest("input, textarea, select, [contenteditable]")) return;
  const action = { m: "#btn-mic", v: "#btn-camera", l: "#btn-layout" }[event.key.toLowerCase()];
  if (action) {
    event.preventDefault();
    $(action).click();
  } else if (event.key === "?") {
    event.preventDefault();
    help.showModal();
  }
});
