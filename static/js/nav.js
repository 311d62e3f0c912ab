// Shared header: the phone menu button opens and closes the navigation.
import { _ } from "./i18n.js";
const button = document.querySelector(".nav-toggle");
const nav = document.getElementById("site-nav");
if (button && nav) {
  button.addEventListener("click", () => {
    const open = nav.classList.toggle("open");
    button.setAttribute("aria-expanded", String(open));
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && nav.classList.contains("open")) {
      nav.classList.remove("open");
      button.setAttribute("aria-expanded", "false");
      button.focus();
    }
  });
}

// Wide tables scroll sideways inside .table-wrap: make the scroller reachable by keyboard
// and, while it hides columns, say so (a shadow at the cut edge and a short hint).
for (const wrap of document.querySelectorAll(".table-wrap")) {
  const table = wrap.querySelector("table");
  if (!wrap.hasAttribute("tabindex")) wrap.tabIndex = 0;
  wrap.setAttribute("role", "region");
  if (!wrap.hasAttribute("aria-label")) {
    const caption = table?.caption?.textContent || wrap.closest("section")?.querySelector("h2")?.textContent;
    wrap.setAttribute("aria-label", (caption || _("Table")).trim());
  }
  const hint = document.createElement("p");
  hint.className = "scroll-hint small muted";
  hint.textContent = _("Scroll sideways to see every column →");
  hint.hidden = true;
  wrap.before(hint);
  const update = () => {
    const more = wrap.scrollWidth > wrap.clientWidth + 1;
    hint.hidden = !more;
    wrap.dataset.more = !more ? "none" : wrap.scrollLeft + wrap.clientWidth >= wrap.scrollWidth - 1 ? "start" : "end";
  };
  wrap.addEventListener("scroll", update, { passive: true });
  window.addEventListener("resize", update);
  update();
}

// After a form posts and the page comes back with a message, start reading there.
const flash = document.querySelector("main .messages");
if (flash) {
  flash.tabIndex = -1;
  flash.focus({ preventScroll: true });
}

// The footer's language picker sends itself when a language is chosen.
const languageForm = document.querySelector("[data-language-form]");
if (languageForm) {
  languageForm.classList.add("auto");
  languageForm.querySelector("select").addEventListener("change", () => languageForm.submit());
}
