// In-call chat over each peer's data channel (never through or stored on the server),
// with an unread count on the Chat button while the panel is closed.
import { _, format, ngettext } from "../i18n.js";
import { $, state, ui } from "./state.js";

export function wireChat(peer, channel) {
  peer.chat = channel;
  channel.onmessage = ({ data }) => {
    try {
      const msg = JSON.parse(data);
      if (msg.type === "chat" && typeof msg.text === "string") {
        addChatLine(peer.info.name, msg.text.slice(0, 2000));
        if (ui.chatPanel.hidden) setUnread(state.unread + 1);
      }
    } catch {
      /* ignore garbage from a peer */
    }
  };
}

export function setUnread(count) {
  state.unread = count;
  const dot = $("#chat-unread");
  dot.hidden = count === 0;
  dot.textContent = String(count);
  const label = count ? format(ngettext("Chat, %(n)s unread", "Chat, %(n)s unread", count), { n: count }) : _("Chat");
  $("#btn-chat").setAttribute("aria-label", label);
}

function addChatLine(who, text) {
  const li = document.createElement("li");
  const b = document.createElement("strong");
  b.textContent = format(_("%(name)s: "), { name: who });
  li.append(b, document.createTextNode(text));
  ui.chatLog.append(li);
  if (!ui.chatPanel.hidden) li.scrollIntoView({ block: "end" });
}

export function toggleChat() {
  const panel = ui.chatPanel;
  panel.hidden = !panel.hidden;
  $("#btn-chat").setAttribute("aria-expanded", String(!panel.hidden));
  if (!panel.hidden) {
    setUnread(0);
    ui.chatForm.querySelector("input").focus();
  }
}

ui.chatForm?.addEventListener("submit", (event) => {
  event.preventDefault();
  const input = ui.chatForm.querySelector("input");
  const text = input.value.trim();
  if (!text) return;
  for (const peer of state.peers.values()) {
    if (peer.chat?.readyState === "open") peer.chat.send(JSON.stringify({ type: "chat", text }));
  }
  addChatLine(_("You"), text);
  input.value = "";
});
