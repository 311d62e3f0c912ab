// Microphone level on a <meter>: shared by the room's pre-join screen and the tech check.

/** Drive `meter` from `stream`'s audio until `keepGoing()` says stop; returns a stop function. */
export function levelMeter(stream, meter, keepGoing = () => true) {
  if (!meter || !stream.getAudioTracks().length) return () => {};
  const ctx = new AudioContext();
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 256;
  ctx.createMediaStreamSource(stream).connect(analyser);
  const data = new Uint8Array(analyser.fftSize);
  let running = true;
  const stop = () => {
    running = false;
    ctx.close().catch(() => {});
  };
  const tick = () => {
    if (!running) return;
    if (!keepGoing()) return stop();
    analyser.getByteTimeDomainData(data);
    let peak = 0;
    for (const v of data) peak = Math.max(peak, Math.abs(v - 128));
    meter.value = Math.min(1, peak / 64);
    requestAnimationFrame(tick);
  };
  tick();
  return stop;
}
