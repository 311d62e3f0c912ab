"""The client-to-server message schema (see docs/signaling.md) and its limits."""

from __future__ import annotations

import enum
import json
import time
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

MAX_MESSAGE_BYTES = 64 * 1024
MAX_SDP_CHARS = 60_000
RATE_PER_SECOND = 25.0  # sustained messages per connection
RATE_BURST = 200  # ICE trickle at join comes in bursts
MAX_STRIKES = 20  # errors before the abuser's connection is closed
HEARTBEAT_SECONDS = 10


class CloseCode(enum.IntEnum):
    """Why the server closed a room websocket (docs/signaling.md). The one list: the room
    page gets it in its JSON config, so no script spells a number."""

    SIGNED_OUT = 4401
    NOT_ALLOWED = 4403
    NO_SUCH_ROOM = 4404
    REPLACED = 4409
    ENDED = 4410
    CONSENT_REQUIRED = 4412  # intake documents not signed by both partners
    TOO_EARLY = 4425
    ABUSE = 4429
    REMOVED = 4430

    @property
    def message(self) -> str:
        """What to tell the person, in the active language."""
        return str(CLOSE_MESSAGES[self])


# Shown to people (translated when the room page is rendered, in its reader's language).
CLOSE_MESSAGES = {
    CloseCode.SIGNED_OUT: _("You were signed out. Log in again to rejoin."),
    CloseCode.NOT_ALLOWED: _("This session room is not yours."),
    CloseCode.NO_SUCH_ROOM: _("There is no session room at this address."),
    CloseCode.REPLACED: _("You joined this session from another tab or device."),
    CloseCode.ENDED: _("The session has ended."),
    CloseCode.CONSENT_REQUIRED: _("Both partners sign the clinic's documents before joining."),
    CloseCode.TOO_EARLY: _("The room is not open yet. It opens 15 minutes before the start."),
    CloseCode.ABUSE: _("The connection was closed because of too many bad messages."),
    CloseCode.REMOVED: _("The therapist removed you from this session."),
}


def close_codes_config() -> dict:
    """For the room page: {"codes": {NAME: number}, "messages": {number: text}}."""
    return {
        "codes": {c.name: int(c) for c in CloseCode},
        "messages": {str(int(c)): c.message for c in CloseCode},
    }


PEER_ID = ("str", 1, 32)
FIELDS: dict[str, dict[str, tuple]] = {
    "offer": {"to": PEER_ID, "sdp": ("str", 1, MAX_SDP_CHARS)},
    "answer": {"to": PEER_ID, "sdp": ("str", 1, MAX_SDP_CHARS)},
    "ice": {"to": PEER_ID, "candidate": ("candidate",)},
    "restart_ice": {"to": PEER_ID},
    "media": {"audio": ("bool",), "video": ("bool",)},
    "admit": {"peer_ids": ("peer_ids",)},
    "remove": {"peer_id": PEER_ID},
    "end": {},
    "ping": {},
    "sync": {},
}
RELAYED = ("offer", "answer", "ice", "restart_ice")
THERAPIST_ONLY = ("admit", "remove", "end")
ADMITTED_ONLY = (*RELAYED, "media")
ANSWERED_ONLY = ("ping", "sync")  # change nothing in the room


class ProtocolError(Exception):
    """``ref`` is the offending message's ``id`` when it could be read, so every error a
    message causes can be matched to it by the client. Its details describe the wire
    format to a client's developer and stay in English (not translated)."""

    def __init__(self, code: str, detail: str, ref: str | int | None = None) -> None:
        super().__init__(detail)
        self.code, self.detail, self.ref = code, detail, ref


def _valid_ref(value: Any) -> bool:
    return (isinstance(value, str) and len(value) <= 64) or (
        isinstance(value, int) and not isinstance(value, bool)
    )


def message_ref(text: str | None) -> str | int | None:
    """The ``id`` of a text frame, if it is a JSON object carrying a valid one."""
    if text is None:
        return None
    try:
        msg = json.loads(text)
    except (ValueError, RecursionError):
        return None
    ref = msg.get("id") if isinstance(msg, dict) else None
    return ref if _valid_ref(ref) else None


def _check_candidate(value: Any) -> None:
    if value is None:  # end of candidates
        return
    if not isinstance(value, dict):
        raise ProtocolError("invalid", "candidate must be an object or null")
    allowed = {"candidate", "sdpMid", "sdpMLineIndex", "usernameFragment"}
    extra = set(value) - allowed
    if extra:
        raise ProtocolError("invalid", f"candidate has unknown fields: {sorted(extra)}")
    cand = value.get("candidate")
    if not isinstance(cand, str) or len(cand) > 1000:
        raise ProtocolError("invalid", "candidate.candidate must be a string")
    mid = value.get("sdpMid")
    if mid is not None and (not isinstance(mid, str) or len(mid) > 64):
        raise ProtocolError("invalid", "candidate.sdpMid must be a string or null")
    index = value.get("sdpMLineIndex")
    if index is not None and (
        isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < 64
    ):
        raise ProtocolError("invalid", "candidate.sdpMLineIndex must be 0-63 or null")
    frag = value.get("usernameFragment")
    if frag is not None and (not isinstance(frag, str) or len(frag) > 256):
        raise ProtocolError("invalid", "candidate.usernameFragment must be a string or null")


def _check(name: str, spec: tuple, value: Any) -> None:
    kind = spec[0]
    if kind == "str":
        if not isinstance(value, str) or not spec[1] <= len(value) <= spec[2]:
            raise ProtocolError("invalid", f"{name} must be a string of {spec[1]}-{spec[2]} chars")
    elif kind == "bool":
        if not isinstance(value, bool):
            raise ProtocolError("invalid", f"{name} must be true or false")
    elif kind == "peer_ids":
        if (
            not isinstance(value, list)
            or not 1 <= len(value) <= 2
            or len(set(map(str, value))) != len(value)
            or not all(isinstance(v, str) and 1 <= len(v) <= 32 for v in value)
        ):
            raise ProtocolError("invalid", f"{name} must list one or two distinct peer ids")
    elif kind == "candidate":
        _check_candidate(value)


def parse(text: str | None, data: bytes | None) -> dict:
    """Decode and validate one client message, or raise ProtocolError."""
    if data is not None or text is None:
        raise ProtocolError("bad_frame", "Send JSON text frames, not binary.")
    if len(text.encode("utf-8", "surrogatepass")) > MAX_MESSAGE_BYTES:
        raise ProtocolError(
            "too_large", f"Messages are limited to {MAX_MESSAGE_BYTES} bytes.", message_ref(text)
        )
    try:
        msg = json.loads(text)
    except (ValueError, RecursionError):
        raise ProtocolError("bad_json", "The message is not valid JSON.") from None
    if not isinstance(msg, dict):
        raise ProtocolError("invalid", "A message is a JSON object with a type.")
    ref = msg.get("id")
    if ref is not None and not _valid_ref(ref):
        raise ProtocolError("invalid", "id must be a short string or an integer")
    kind = msg.get("type")
    if not isinstance(kind, str):
        raise ProtocolError("invalid", "type is required.", ref)
    if kind not in FIELDS:
        raise ProtocolError("unknown_type", "Unknown message type.", ref)
    spec = FIELDS[kind]
    extra = set(msg) - set(spec) - {"type", "id"}
    try:
        if extra:
            raise ProtocolError("invalid", f"Unknown fields for {kind}: {sorted(extra)}")
        for name, field_spec in spec.items():
            if name not in msg:
                raise ProtocolError("invalid", f"{kind} needs {name}")
            _check(name, field_spec, msg[name])
    except ProtocolError as exc:
        exc.ref = ref
        raise
    return msg


class TokenBucket:
    def __init__(self, rate: float | None = None, burst: float | None = None) -> None:
        # Settings may raise the limits (the relay benchmark measures raw throughput).
        self.rate = rate or getattr(settings, "SIGNALING_RATE_PER_SECOND", RATE_PER_SECOND)
        self.burst = burst or getattr(settings, "SIGNALING_RATE_BURST", RATE_BURST)
        self.tokens = float(self.burst)
        self.stamp = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False
