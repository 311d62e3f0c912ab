// Booking pages: switching the time zone re-renders the week; the hold countdown ticks.
const zoneForm = document.querySelector("[data-zone-form]");
zoneForm?.querySelector("select")?.addEventListener("change", () => zoneForm.submit());

const countdown = document.querySelector("[data-hold-countdown]");
if (countdown) {
  let left = Number(countdown.dataset.holdCountdown);
  const render = () => {
    const m = Math.floor(left / 60);
    const s = String(left % 60).padStart(2, "0");
    countdown.textContent = left > 0 ? `${m}:${s}` : "a moment (confirm to re-check the time)";
  };
  render();
  const timer = setInterval(() => {
    left = Math.max(0, left - 1);
    render();
    if (left === 0) clearInterval(timer);
  }, 1000);
}
