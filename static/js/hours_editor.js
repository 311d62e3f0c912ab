// Working hours as ranges: each day's "09:00-12:00, 13:00-17:00" text field becomes rows
// of from/to time pickers with Add and Remove. The text field stays the one the server
// reads (hidden, kept in sync), so without JavaScript the form still works as before.
import { _, format } from "./i18n.js";
const RANGE = /^(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})$/;

for (const input of document.querySelectorAll("input[data-ranges]")) {
  const parts = input.value.split(",").map((p) => p.trim()).filter(Boolean);
  // Text the pickers cannot show (a typo the server sent back) stays as typed.
  if (!parts.every((p) => RANGE.test(p))) continue;
  const label = document.querySelector(`label[for="${input.id}"]`)?.textContent.trim() || _("Day");
  const editor = document.createElement("div");
  editor.className = "ranges";
  const list = document.createElement("ul");
  list.className = "ranges-list";
  const add = document.createElement("button");
  add.type = "button";
  add.className = "btn btn-ghost btn-sm";
  add.textContent = _("Add hours");
  add.setAttribute("aria-label", format(_("Add hours on %(day)s"), { day: label }));
  const empty = document.createElement("p");
  empty.className = "small muted ranges-empty";
  empty.textContent = _("Not working");

  const sync = () => {
    const parts = [...list.querySelectorAll("li")]
      .map((li) => li.querySelectorAll("input"))
      .filter(([from, to]) => from.value && to.value)
      .map(([from, to]) => `${from.value}-${to.value}`);
    input.value = parts.join(", ");
    empty.hidden = list.children.length > 0;
  };

  const row = (from = "09:00", to = "17:00") => {
    const li = document.createElement("li");
    li.className = "ranges-row";
    li.innerHTML = `<input type="time" step="900"> <span aria-hidden="true">–</span>
      <input type="time" step="900">
      <button type="button" class="btn btn-ghost btn-sm"></button>`;
    li.querySelector("button").textContent = _("Remove");
    const [f, t] = li.querySelectorAll("input");
    f.value = from;
    t.value = to;
    f.setAttribute("aria-label", format(_("%(day)s from"), { day: label }));
    t.setAttribute("aria-label", format(_("%(day)s to"), { day: label }));
    li.querySelector("button").setAttribute(
      "aria-label",
      format(_("Remove %(day)s %(from)s–%(to)s"), { day: label, from, to }),
    );
    li.querySelector("button").onclick = () => {
      li.remove();
      sync();
    };
    li.addEventListener("change", sync);
    list.append(li);
  };

  for (const part of parts) {
    const m = part.match(RANGE);
    row(m[1].padStart(5, "0"), m[2].padStart(5, "0"));
  }
  add.onclick = () => {
    row();
    sync();
    list.lastElementChild.querySelector("input").focus();
  };
  editor.append(list, empty, add);
  input.type = "hidden";
  input.after(editor);
  sync();
}
