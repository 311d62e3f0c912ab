// Long multi-selects (languages, licences) hide what is chosen once scrolled:
// show the choices in words under each one, updated as they change.
import { _, format } from "./i18n.js";
for (const select of document.querySelectorAll("select[multiple]")) {
  const note = document.createElement("p");
  note.className = "chosen";
  note.setAttribute("aria-live", "polite");
  select.insertAdjacentElement("afterend", note);
  const update = () => {
    const names = [...select.selectedOptions].map((o) => o.textContent.trim());
    note.textContent = names.length
      ? format(_("Chosen: %(names)s"), { names: names.join(", ") })
      : _("None chosen yet");
  };
  select.addEventListener("change", update);
  update();
}
