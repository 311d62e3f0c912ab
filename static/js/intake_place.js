// Country -> state/province: show only the regions of the chosen country, and hide the
// region field for countries asked without one.
import { _ } from "./i18n.js";

const data = document.getElementById("intake-regions");
const regions = data ? JSON.parse(data.textContent) : {};

for (const form of document.querySelectorAll("[data-place-form]")) {
  const country = form.querySelector("select[name=country]");
  const region = form.querySelector("select[name=region]");
  if (!country || !region) continue;
  const field = region.closest(".field");
  const chosen = region.value;
  const sync = () => {
    const options = regions[country.value];
    region.replaceChildren(new Option(_("Choose your state or province"), ""));
    if (!options) {
      field.hidden = true;
      region.value = "";
      return;
    }
    field.hidden = false;
    for (const [code, name] of Object.entries(options)) region.add(new Option(name, code));
    if (chosen in options) region.value = chosen;
  };
  country.addEventListener("change", sync);
  sync();
}
