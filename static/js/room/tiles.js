// Video tiles and their layout: side by side on a desktop; on a phone one person in
// focus (tap a thumbnail to swap) with the others, you included, as thumbnails.
// Also the therapist's waiting-room list.
import { _, format, locale, ngettext } from "../i18n.js";
import { noticeArrivals } from "./presence.js";
import { send } from "./signaling.js";
import { $, announce, cfg, ui } from "./state.js";

export function makeTile(peerId) {
  const tile = $("#tile-template").content.firstElementChild.cloneNode(true);
  tile.dataset.peerId = peerId;
  tile.addEventListener("click", (event) => {
    if (!event.target.closest("button")) setFocus(tile);
  });
  ui.stage.append(tile);
  updateLayout();
  return tile;
}

export function setFocus(tile) {
  for (const t of ui.stage.querySelectorAll(".tile.is-focus")) t.classList.remove("is-focus");
  tile.classList.add("is-focus");
}

export function updateLayout() {
  const tiles = ui.stage.querySelectorAll(".tile");
  ui.stage.dataset.count = String(tiles.length);
  if (!ui.stage.querySelector(".tile.is-focus")) {
    setFocus(ui.stage.querySelector(".remote-tile") || $("#self-tile"));
  } else if (ui.stage.querySelector(".remote-tile") && $("#self-tile").classList.contains("is-focus")) {
    setFocus(ui.stage.querySelector(".remote-tile")); // someone arrived: look at them, not at yourself
  }
}

export function renderTileState(peer) {
  const tile = peer.tile;
  tile.querySelector(".tile-name").textContent =
    peer.info.role === "therapist" ? format(_("%(name)s · therapist"), { name: peer.info.name }) : peer.info.name;
  tile.querySelector(".tile-initial").textContent = (peer.info.name || "?").slice(0, 1).toUpperCase();
  tile.dataset.muted = String(!peer.info.audio);
  tile.dataset.cameraOff = String(!peer.info.video);
  tile.querySelector(".tile-muted").hidden = peer.info.audio;
  tile.querySelector("video").setAttribute("aria-label", format(_("%(name)s's video"), { name: peer.info.name }));
  renderAdminButtons(peer);
}

function renderAdminButtons(peer) {
  const btn = peer.tile.querySelector(".tile-remove");
  btn.hidden = cfg.role !== "therapist" || peer.info.role === "therapist";
  btn.setAttribute("aria-label", format(_("Remove %(name)s from the session"), { name: peer.info.name }));
  btn.onclick = () => {
    if (confirm(format(_("Remove %(name)s? They cannot rejoin this session."), { name: peer.info.name }))) {
      send({ type: "remove", peer_id: peer.id });
    }
  };
}

export function renderWaiting(waiting) {
  if (!ui.waitingPanel) return; // only the therapist's page has the waiting room
  noticeArrivals(waiting);
  // Shown only while someone waits: the call gets the room otherwise.
  ui.waitingPanel.hidden = waiting.length === 0;
  ui.waitingList.replaceChildren();
  $("#waiting-count").textContent = String(waiting.length);
  const admitAll = $("#admit-all");
  admitAll.hidden = waiting.length < 2;
  admitAll.onclick = () => send({ type: "admit", peer_ids: waiting.map((w) => w.peer_id) });
  for (const w of waiting) {
    const li = document.createElement("li");
    li.className = "waiting-row";
    li.innerHTML = `<span class="avatar" aria-hidden="true"></span><strong></strong>
      <button type="button" class="btn btn-primary btn-sm admit"></button>
      <button type="button" class="btn btn-ghost btn-sm deny"></button>`;
    li.querySelector(".avatar").textContent = w.name.slice(0, 1).toUpperCase();
    li.querySelector("strong").textContent = w.name;
    const admit = li.querySelector(".admit");
    admit.textContent = _("Admit");
    admit.setAttribute("aria-label", format(_("Admit %(name)s"), { name: w.name }));
    admit.onclick = () => send({ type: "admit", peer_ids: [w.peer_id] });
    const deny = li.querySelector(".deny");
    deny.textContent = _("Remove");
    deny.setAttribute("aria-label", format(_("Remove %(name)s from the waiting room"), { name: w.name }));
    deny.onclick = () => {
      if (confirm(format(_("Remove %(name)s? They cannot rejoin this session."), { name: w.name }))) {
        send({ type: "remove", peer_id: w.peer_id });
      }
    };
    ui.waitingList.append(li);
  }
  if (waiting.length) {
    const names = new Intl.ListFormat(locale(), { type: "conjunction" }).format(waiting.map((w) => w.name));
    announce(
      format(ngettext("%(names)s waiting to be admitted.", "%(names)s waiting to be admitted.", waiting.length), {
        names,
      }),
    );
  }
}

/** "Reconnecting…" on a tile while its link is down: ICE says so, or nothing arrives. */
export function renderLink(peer) {
  const down = peer.stalled || ["disconnected", "failed"].includes(peer.pc.connectionState);
  peer.tile.querySelector(".tile-reconnecting").hidden = !down;
}
