// Video tiles and their layout: side by side on a desktop; on a phone one person in
// focus (tap a thumbnail to swap) with the others, you included, as thumbnails.
// Also the therapist's waiting-room list.
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
    peer.info.role === "therapist" ? `${peer.info.name} · therapist` : peer.info.name;
  tile.querySelector(".tile-initial").textContent = (peer.info.name || "?").slice(0, 1).toUpperCase();
  tile.dataset.muted = String(!peer.info.audio);
  tile.dataset.cameraOff = String(!peer.info.video);
  tile.querySelector(".tile-muted").hidden = peer.info.audio;
  tile.querySelector("video").setAttribute("aria-label", `${peer.info.name}'s video`);
  renderAdminButtons(peer);
}

function renderAdminButtons(peer) {
  const btn = peer.tile.querySelector(".tile-remove");
  btn.hidden = cfg.role !== "therapist" || peer.info.role === "therapist";
  btn.setAttribute("aria-label", `Remove ${peer.info.name} from the session`);
  btn.onclick = () => {
    if (confirm(`Remove ${peer.info.name}? They cannot rejoin this session.`)) {
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
      <button type="button" class="btn btn-primary btn-sm admit">Admit</button>
      <button type="button" class="btn btn-ghost btn-sm deny">Remove</button>`;
    li.querySelector(".avatar").textContent = w.name.slice(0, 1).toUpperCase();
    li.querySelector("strong").textContent = w.name;
    const admit = li.querySelector(".admit");
    admit.setAttribute("aria-label", `Admit ${w.name}`);
    admit.onclick = () => send({ type: "admit", peer_ids: [w.peer_id] });
    const deny = li.querySelector(".deny");
    deny.setAttribute("aria-label", `Remove ${w.name} from the waiting room`);
    deny.onclick = () => {
      if (confirm(`Remove ${w.name}? They cannot rejoin this session.`)) {
        send({ type: "remove", peer_id: w.peer_id });
      }
    };
    ui.waitingList.append(li);
  }
  if (waiting.length) announce(`${waiting.map((w) => w.name).join(" and ")} waiting to be admitted.`);
}

/** "Reconnecting…" on a tile while its link is down: ICE says so, or nothing arrives. */
export function renderLink(peer) {
  const down = peer.stalled || ["disconnected", "failed"].includes(peer.pc.connectionState);
  peer.tile.querySelector(".tile-reconnecting").hidden = !down;
}
