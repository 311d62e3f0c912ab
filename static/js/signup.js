// Sign-up: preselect the device's IANA time zone unless the person already chose one
// (a form re-shown with errors keeps their choice).
const select = document.querySelector("#id_time_zone");
if (select && !select.dataset.touched) {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const submitted = select.closest("form")?.querySelector(".has-error") !== null;
  if (zone && !submitted && [...select.options].some((o) => o.value === zone)) {
    select.value = zone;
  }
  select.addEventListener("change", () => { select.dataset.touched = "1"; });
}
