// Directory filters: apply a choice at once (the form still works without script),
// and drop empty fields so shared links stay short.
const form = document.querySelector("#directory-filters");
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
