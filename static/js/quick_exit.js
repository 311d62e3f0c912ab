// Quick exit: swap Duet for a neutral site at once, leave any call, sign out.
// location.replace() puts the neutral site in this page's slot of the history, so
// Back does not return here; the sign-out (a beacon, so it survives the page going
// away) closes the room's connections on the server and makes any older Duet entry
// in the history show only the sign-in page.
const form = document.querySelector("[data-quick-exit]");
const DOUBLE_ESC_MS = 1000;

let exiting = false;

function signOut() {
  try {
    navigator.sendBeacon(form.action, new FormData(form));
  } catch {
    // Leaving matters more than signing out.
  }
}

function exitNow() {
  if (!form || exiting) return;
  exiting = true;
  document.documentElement.style.visibility = "hidden";
  document.dispatchEvent(new CustomEvent("duet:quick-exit"));
  window.location.replace(form.dataset.neutralUrl);
}

if (form) {
  // Sign out only once the neutral page is taking over: signing out earlier closes the
  // room's socket, and the room page would then send us to the sign-in page instead.
  window.addEventListener("pagehide", () => {
    if (exiting) signOut();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    exitNow();
  });
  let lastEscape = -Infinity;
  document.addEventListener(
    "keydown",
    (event) => {
      if (event.key !== "Escape") return;
      const now = performance.now();
      if (now - lastEscape <= DOUBLE_ESC_MS) exitNow();
      lastEscape = now;
    },
    true,
  );
  // Back-forward cache: a page restored from it after a quick exit stays hidden.
  window.addEventListener("pageshow", (event) => {
    if (event.persisted && sessionStorage.getItem("duet-quick-exit")) {
      document.documentElement.style.visibility = "hidden";
      window.location.replace(form.dataset.neutralUrl);
    }
  });
  document.addEventListener("duet:quick-exit", () => {
    try {
      sessionStorage.setItem("duet-quick-exit", "1");
    } catch {
      // Private modes may refuse storage.
    }
  });
}
