// Booking pages: switching the time zone re-renders the week; the hold countdown ticks.
import { _ } from "./i18n.js";
const zoneForm = document.querySelector("[data-zone-form]");
zoneForm?.querySelector("select")?.addEventListener("change", () => zoneForm.submit());

const countdown = document.querySelector("[data-hold-countdown]");
if (countdown) {
  let left = Number(countdown.dataset.holdCountdown);
  const render = () => {
    const m = Math.floor(left / 60);
    const s = String(left % 60).padStart(2, "0");
    countdown.textContent = left > 0 ? `${m}:${s}` : _("a moment (confirm to re-check the time)");
  };
  render();
  const timer = setInterval(() => {
    left = Math.max(0, left - 1);
    render();
    if (left === 0) clearInterval(timer);
  }, 1000);
}

// Moving a session (three people's calendars) takes a "from → to" confirmation first.
const moveDialog = document.querySelector("[data-move-dialog]");
if (moveDialog) {
  let pending = null;
  for (const form of document.querySelectorAll(".slot-form")) {
    form.addEventListener("submit", (event) => {
      if (form.dataset.confirmed) return;
      event.preventDefault();
      pending = form;
      const slot = form.querySelector(".slot");
      moveDialog.querySelector("[data-move-to]").textContent = slot.title || slot.textContent.trim();
      moveDialog.showModal();
    });
  }
  moveDialog.querySelector("[data-move-confirm]").addEventListener("click", () => {
    if (!pending) return;
    pending.dataset.confirmed = "true";
    moveDialog.close();
    pending.requestSubmit();
  });
  moveDialog.querySelector("[data-move-cancel]").addEventListener("click", () => {
    pending = null;
    moveDialog.close();
  });
}
