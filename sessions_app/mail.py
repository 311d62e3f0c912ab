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
import os
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage


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
