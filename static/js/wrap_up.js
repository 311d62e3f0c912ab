// Wrap-up: describe the chosen library exercise, suggest its audience and due date,
// and show only the fields that apply to the chosen audience.
const form = document.querySelector("[data-testid=assign-form]");
const library = JSON.parse(document.getElementById("exercise-library").textContent);
const template = form.querySelector("#id_template");
const summary = form.querySelector("[data-template-summary]");
const due = form.querySelector("#id_due_date");
const assigneeField = form.querySelector("[data-assignee-field]");
const revealField = form.querySelector("[data-reveal-field]");

function audience() {
  const checked = form.querySelector("input[name=audience]:checked");
  return checked ? checked.value : "";
}

function sync() {
  assigneeField.hidden = audience() !== "one";
  revealField.hidden = audience() !== "both";
}

template.addEventListener("change", () => {
  const item = library[template.value];
  summary.textContent = item ? item.summary : "";
  if (!item) return;
  const radio = form.querySelector(`input[name=audience][value="${item.audience}"]`);
  if (radio) radio.checked = true;
  if (!due.value) {
    const day = new Date(Date.now() + item.days * 86400000);
    due.value = day.toISOString().slice(0, 10);
  }
  sync();
});
form.addEventListener("change", sync);
sync();
form.dataset.ready = "1";
