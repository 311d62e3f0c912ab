"""An outbox email backend: one file per message, named by its Message-ID.

Every reminder email carries a Message-ID derived from its delivery record
(reminder, channel, recipient). Like a receiving mail system that drops a
Message-ID it has already accepted, this backend writes each Message-ID once, so
the outbox is observable across processes (tests start real Celery workers) and
shows exactly what a person would receive. Select it with
``EMAIL_BACKEND=sessions_app.mail.OutboxFileBackend`` and ``EMAIL_FILE_PATH``.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from email.policy import Compat32
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage, EmailMultiAlternatives

from core import crypto


class OutboxFileBackend(BaseEmailBackend):
    def __init__(self, *args, file_path: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.path = Path(file_path or settings.EMAIL_FILE_PATH)
        self.path.mkdir(parents=True, exist_ok=True)

    def send_messages(self, email_messages: list[EmailMessage]) -> int:
        written = 0
        for message in email_messages:
            msg = message.message()
            key = msg["Message-ID"] or ""
            name = hashlib.sha256(key.encode()).hexdigest()[:40] + ".eml"
            target = self.path / name
            tmp = self.path / f".{name}.{os.getpid()}.tmp"
            tmp.write_bytes(msg.as_bytes(linesep="\n"))
            try:
                # link() is atomic and refuses to overwrite: a Message-ID is accepted once.
                os.link(tmp, target)
                written += 1
            except FileExistsError:
                with open(self.path / "redelivered.log", "a") as log:
                    log.write(key + "\n")
            finally:
                tmp.unlink(missing_ok=True)
        return written


# --- The delivery outbox: a rendered email as a sealed database value -----------------


def _identity(message_id: str) -> str:
    # Binds the ciphertext to its delivery: a payload copied to another row won't open.
    return f"sessions_app.delivery:{message_id}"


def seal(message: EmailMultiAlternatives, *, message_id: str) -> str:
    """The parts of a rendered email (never re-rendered), encrypted for storage."""
    data = {
        "subject": message.subject,
        "body": message.body,
        "from": message.from_email,
        "to": list(message.to),
        "headers": dict(message.extra_headers),
        "alternatives": [[content, mimetype] for content, mimetype in message.alternatives],
        "attachments": [
            [name, content.decode() if isinstance(content, bytes) else content, mimetype]
            for name, content, mimetype in message.attachments
        ],
    }
    # Not compressed before sealing: compressed length would tell something about the
    # content (names next to clinical text), and at-rest encryption should not.
    return crypto.encrypt(json.dumps(data, separators=(",", ":")), identity=_identity(message_id))


class _RememberedFolding(Compat32):
    """The standard library's own (compat32) header folding, remembered per header.
    Folding runs the ``email.header`` machinery for every header of every part, and a
    reminder's headers (Content-Type, MIME-Version, From, its subject and address...)
    repeat from message to message; only Message-ID and Date are new each time. The
    output is the standard library's, byte for byte: the key holds everything the
    folding reads."""

    def fold_binary(self, name, value):
        if not isinstance(value, str):  # a Header object: fold it afresh
            return super().fold_binary(name, value)
        return _fold_binary(name, value, self.linesep, self.max_line_length, self.cte_type)


@lru_cache(maxsize=4096)
def _fold_binary(
    name: str, value: str, linesep: str, max_line_length: int | None, cte_type: str
) -> bytes:
    policy = Compat32(linesep=linesep, max_line_length=max_line_length, cte_type=cte_type)
    return policy.fold_binary(name, value)


REMEMBERED_FOLDING = _RememberedFolding()


class OutboxMessage(EmailMultiAlternatives):
    """An email from the outbox. Its MIME boundaries are random tokens set up front:
    the standard library otherwise draws one and compiles a regular expression per
    part to prove it absent from the text, a large share of the send's CPU at volume.
    Its headers are folded through ``REMEMBERED_FOLDING`` (the same output, cheaper)."""

    def message(self, *args, **kwargs):
        msg = super().message(*args, **kwargs)
        for part in msg.walk():
            if part.is_multipart() and part.get_boundary() is None:
                part.set_boundary(f"=_duet_{uuid.uuid4().hex}")
        # The generator writes every part with the top message's policy.
        msg.policy = REMEMBERED_FOLDING
        return msg


def unseal(payload: str, *, message_id: str) -> EmailMultiAlternatives:
    data = json.loads(crypto.decrypt(payload, identity=_identity(message_id)))
    message = OutboxMessage(
        data["subject"],
        data["body"],
        from_email=data["from"],
        to=data["to"],
        headers=data["headers"],
    )
    for content, mimetype in data["alternatives"]:
        message.attach_alternative(content, mimetype)
    for name, content, mimetype in data["attachments"]:
        message.attach(name, content.encode(), mimetype)
    return message
