"""A real SMTP server on 127.0.0.1 (aiosmtpd) that refuses mail until told to accept.

It stands in for a mail relay having an outage: while refusing it answers every
recipient with ``451`` (try again later), which smtplib raises as an SMTP error, the
same as a relay that is over quota or greylisting.
"""

from __future__ import annotations

import socket
import threading
from email import message_from_bytes
from email.message import Message

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Relay:
    def __init__(self) -> None:
        self.refusing = False
        self.refuse_left = 0
        self.refusals = 0
        self.messages: list[Message] = []
        self._lock = threading.Lock()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    # -- control -------------------------------------------------------------------

    def refuse(self) -> None:
        self.refusing = True

    def refuse_next(self, count: int) -> None:
        self.refuse_left = count

    def accept(self) -> None:
        self.refusing = False
        self.refuse_left = 0

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]

    # -- aiosmtpd handler hooks -------------------------------------------------------

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self._lock:
            if self.refusing or self.refuse_left > 0:
                self.refuse_left = max(0, self.refuse_left - 1)
                self.refusals += 1
                return "451 4.3.0 Relay unavailable, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"


def smtp_settings(relay: Relay) -> dict[str, object]:
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": relay.port,
        "EMAIL_USE_TLS": False,
        "EMAIL_HOST_USER": "",
        "EMAIL_HOST_PASSWORD": "",
    }
