// Goals: show the slider's value as it moves.
for (const range of document.querySelectorAll("[data-goal-range]")) {
  const output = range.closest("form").querySelector("[data-goal-output]");
  range.addEventListener("input", () => {
    output.textContent = `${range.value}%`;
  });
}
