// Directory filters: apply a choice at once (the form still works without script),
// and drop empty fields so shared links stay short.
const form = document.querySelector("#directory-filters");
const panel = document.querySelector("#filters-panel");
// On a phone the results matter first: fold the filters unless something needs fixing.
if (panel && window.matchMedia("(max-width: 860px)").matches && !panel.querySelector(".form-errors")) {
  panel.open = false;
}
if (form) {
  form.addEventListener("submit", () => {
    for (const el of form.elements) {
      if (el.name && !el.value) el.disabled = true;
    }
  });
  for (const el of form.querySelectorAll("[data-autosubmit]")) {
    el.addEventListener("change", () => form.requestSubmit());
  }
}
