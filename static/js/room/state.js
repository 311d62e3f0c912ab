// Shared state of the room page: its config (from the server), the DOM it drives, and
// the few helpers every section uses.

export const cfg = JSON.parse(document.getElementById("room-config").textContent);
export const $ = (sel, root = document) => root.querySelector(sel);

export const state = {
  ws: null,
  peerId: "",
  seq: 0,
  resumeToken: "",
  admitted: false,
  ended: false,
  retries: 0,
  heartbeat: null,
  lastBeat: 0,
  iceServers: [],
  local: null,
  audioOn: true,
  videoOn: true,
  audioOnly: false,
  hintShownAt: 0, // when the audio-only offer appeared (taken automatically if unanswered)
  pongTimer: null, // set while we wait to hear that the signaling socket still works
  unread: 0,
  screenTrack: null, // the shared screen, sent instead of the camera
  blurTrack: null, // the blurred camera (canvas), sent instead of the camera
  activeSpeaker: "",
  peers: new Map(), // peer id -> peer record
};

export const ui = {
  prejoin: $("#prejoin"),
  waitingScreen: $("#waiting-screen"),
  call: $("#call"),
  over: $("#call-over"),
  overText: $("#call-over-text"),
  stage: $("#stage"),
  selfVideo: $("#self-video"),
  prejoinVideo: $("#prejoin-video"),
  status: $("#room-status"),
  reconnecting: $("#reconnecting"),
  waitingPanel: $("#waiting-panel"),
  waitingList: $("#waiting-list"),
  chatPanel: $("#chat-panel"),
  chatLog: $("#chat-log"),
  chatForm: $("#chat-form"),
  hint: $("#quality-hint"),
  meter: $("#prejoin-meter"),
};

/** Tell screen readers (the live region) what changed. */
export function announce(text) {
  ui.status.textContent = text;
}

/** Show one of the four screens; the others get `hidden`. */
export function show(section) {
  for (const el of [ui.prejoin, ui.waitingScreen, ui.call, ui.over]) {
    if (el) el.hidden = el !== section;
  }
  document.body.dataset.roomState =
    { prejoin: "prejoin", "waiting-screen": "waiting", call: "call", "call-over": "over" }[section.id] || "";
  const heading = section.querySelector("h1");
  if (heading && section !== ui.prejoin) {
    heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
  }
}

/** The honest "Reconnecting…" banner while the server cannot hear us. */
export function setReconnecting(on) {
  if (ui.reconnecting) ui.reconnecting.hidden = !on;
}
