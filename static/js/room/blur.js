// Background blur for privacy at home: MediaPipe selfie segmentation (vendored under
// static/vendor/, never fetched from a CDN) finds the person; a canvas draws them sharp
// over a blurred copy of the frame, and canvas.captureStream() is the track we send.
import { _ } from "../i18n.js";
import { localTrack, sendEverywhere } from "./media.js";
import { $, announce, cfg, state } from "./state.js";

const FPS = 15;
const status = $("#blur-status");
let segmenter = null;
let loading = null;
let canvas = null;
let ctx = null;
let source = null;
let timer = null;
let busy = false;

function say(text) {
  status.hidden = !text;
  status.textContent = text || "";
}

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const el = document.createElement("script");
    el.src = src;
    el.onload = resolve;
    el.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.append(el);
  });
}

async function loadSegmenter() {
  if (segmenter) return segmenter;
  loading ||= (async () => {
    const base = cfg.blurAssetsUrl;
    await loadScript(`${base}selfie_segmentation.js`);
    const seg = new window.SelfieSegmentation({ locateFile: (file) => `${base}${file}` });
    seg.setOptions({ modelSelection: 1, selfieMode: false });
    seg.onResults(draw);
    await seg.initialize();
    segmenter = seg;
    return seg;
  })();
  try {
    return await loading;
  } finally {
    loading = null;
  }
}

function draw(results) {
  if (!ctx) return;
  const { width, height } = canvas;
  ctx.save();
  ctx.clearRect(0, 0, width, height);
  // The person: mask, then keep the frame only where the mask is.
  ctx.drawImage(results.segmentationMask, 0, 0, width, height);
  ctx.globalCompositeOperation = "source-in";
  ctx.drawImage(results.image, 0, 0, width, height);
  // Everything else: the same frame, blurred, behind them; drawn a little larger than
  // the canvas so the blur does not fade the picture out at its edges.
  const radius = Math.round(width / 60);
  ctx.globalCompositeOperation = "destination-over";
  ctx.filter = `blur(${radius}px)`;
  ctx.drawImage(results.image, -2 * radius, -2 * radius, width + 4 * radius, height + 4 * radius);
  ctx.restore();
}

async function tick() {
  if (!source || busy) return;
  if (source.readyState >= 2 && source.videoWidth) {
    if (canvas.width !== source.videoWidth) {
      canvas.width = source.videoWidth;
      canvas.height = source.videoHeight;
    }
    busy = true;
    try {
      await segmenter.send({ image: source });
    } catch (err) {
      console.warn("room: blur frame", err);
    } finally {
      busy = false;
    }
  }
}

function watch(track) {
  source ||= document.createElement("video");
  source.muted = true;
  source.playsInline = true;
  source.srcObject = new MediaStream([track]);
  source.play().catch(() => {});
}

/** Turn blur on or off; returns whether it is on (it may be unavailable here). */
export async function setBlur(on) {
  const camera = localTrack("video");
  if (!on || !camera) {
    stop();
    await sendEverywhere("video");
    say(on ? _("Turn your camera on to blur your background.") : "");
    return false;
  }
  if (state.blurTrack) return true;
  say(_("Preparing background blur…"));
  try {
    await loadSegmenter();
  } catch (err) {
    console.warn("room: blur unavailable", err);
    say(_("Background blur is not available in this browser."));
    return false;
  }
  canvas = document.createElement("canvas");
  canvas.width = camera.getSettings().width || 640;
  canvas.height = camera.getSettings().height || 360;
  ctx = canvas.getContext("2d");
  watch(camera);
  // A timer, not requestAnimationFrame: the others must keep getting frames while
  // this tab is in the background (the therapist taking notes).
  timer = setInterval(tick, 1000 / FPS);
  const track = canvas.captureStream(FPS).getVideoTracks()[0];
  track.enabled = state.videoOn;
  state.blurTrack = track;
  await sendEverywhere("video");
  say("");
  announce(_("Background blur on."));
  return true;
}

function stop() {
  clearInterval(timer);
  timer = null;
  state.blurTrack?.stop();
  state.blurTrack = null;
  if (source) source.srcObject = null;
  ctx = null;
}

// A new camera (picked in settings) feeds the blur from now on.
document.addEventListener("duet:localtrack", ({ detail }) => {
  if (detail.kind === "video" && state.blurTrack) watch(detail.track);
});
