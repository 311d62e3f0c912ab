// The therapist's "where your clients are" panel in the room: refresh it when a
// partner confirms a location. The server answers 204 while nothing changed.
const panel = document.querySelector("[data-panel-url]");
const POLL_MS = 10_000;

async function refresh() {
  const body = panel.querySelector("[data-panel-body]");
  const known = body.querySelector("[data-panel-count]")?.dataset.panelCount ?? "";
  try {
    const response = await fetch(`${panel.dataset.panelUrl}?known=${known}`, {
      credentials: "same-origin",
      headers: { Accept: "text/html" },
    });
    if (response.status === 200) body.innerHTML = await response.text();
  } catch {
    // Offline for a moment: the next poll tries again.
  }
}

if (panel) {
  // A phone has room for the call or the panel: start folded (the summary still says
  // how many partners sit outside the licence), one tap opens it.
  if (window.matchMedia("(max-width: 760px)").matches) {
    panel.querySelector("details").open = false;
  }
  setInterval(() => {
    if (document.visibilityState === "visible") refresh();
  }, POLL_MS);
}
