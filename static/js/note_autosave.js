// Session note drafts save themselves: a second and a half after the last keystroke,
// when the page is hidden or left, and before signing (signing sends what is on screen).
import { _, format, locale } from "./i18n.js";

const form = document.querySelector("[data-note-form]");
const status = document.querySelector("[data-autosave-status]");
const DEBOUNCE_MS = 1500;

if (form && status) {
  let timer = null;
  let dirty = false;
  let inFlight = null;

  const say = (text) => {
    status.textContent = text;
  };

  const save = async ({ keepalive = false } = {}) => {
    clearTimeout(timer);
    if (!dirty) return;
    dirty = false;
    say(_("Saving…"));
    const body = new FormData(form);
    try {
      inFlight = fetch(form.action, {
        method: "POST",
        body,
        keepalive,
        credentials: "same-origin",
        headers: { "X-Requested-With": "autosave", Accept: "application/json" },
      });
      const response = await inFlight;
      const data = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error(data.detail || `HTTP ${response.status}`);
      const time =
        data.saved_at_local ||
        new Date().toLocaleTimeString(locale(), { hour: "2-digit", minute: "2-digit" });
      say(format(_("Draft saved at %(time)s."), { time }));
    } catch (err) {
      dirty = true; // keep it for the next try; the text stays on screen
      say(
        format(_("Not saved yet (%(error)s). Your text is still here; we will try again."), {
          error: err.message,
        }),
      );
      timer = setTimeout(save, DEBOUNCE_MS * 4);
    } finally {
      inFlight = null;
    }
  };

  form.addEventListener("input", () => {
    dirty = true;
    say(_("Unsaved changes…"));
    clearTimeout(timer);
    timer = setTimeout(save, DEBOUNCE_MS);
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") save({ keepalive: true });
  });
  window.addEventListener("pagehide", () => save({ keepalive: true }));
  // Signing posts the same fields to the sign address: nothing pending is lost, and no
  // autosave may land after the note is locked.
  form.addEventListener("submit", () => {
    clearTimeout(timer);
    dirty = false;
  });
  // Module scripts run after the page is parsed: on a slow line the therapist may have
  // typed before this listener existed, so compare each field with what the server sent.
  const typedBeforeReady = [...form.elements].some(
    (field) => "defaultValue" in field && field.type !== "hidden" && field.value !== field.defaultValue,
  );
  if (typedBeforeReady) {
    dirty = true;
    say(_("Unsaved changes…"));
    timer = setTimeout(save, DEBOUNCE_MS);
  }
  form.dataset.autosave = "ready";
}
