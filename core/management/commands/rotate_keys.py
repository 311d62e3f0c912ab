"""Re-encrypt every encrypted value with the newest key, in batches; safe to re-run.

Each batch is its own transaction, and only rows still sealed with an older key are
picked, so an interrupted run resumes where it stopped. Afterwards the old key can be
removed from DUET_ENCRYPTION_KEYS (``--retire ID`` checks nothing still needs it).

Without DUET_ENCRYPTION_KEYS the keys live in the local key file (``var/encryption_keys``);
``--new-key ID`` then writes the new key into that file first, so a plain ``make run``
afterwards finds the key the data is now sealed with (docs/keys.md).
"""

from __future__ import annotations

import os
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Q

from core import crypto
from core.fields import Sealed, encrypted_fields, unreadable_marked


class Command(BaseCommand):
    help = "Re-encrypt all health data with the newest key in DUET_ENCRYPTION_KEYS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument(
            "--new-key",
            metavar="ID",
            help="Add a new newest key to the local key file, then re-encrypt with it.",
        )
        parser.add_argument(
            "--retire",
            metavar="ID",
            help="Check no value still needs key ID; drop it from the local key file.",
        )

    def handle(
        self,
        *args: Any,
        batch_size: int,
        new_key: str | None = None,
        retire: str | None = None,
        **options: Any,
    ) -> None:
        if new_key:
            self._add_to_key_file(new_key)
        if retire:
            self._retire(retire)
            return
        crypto.reset_key_ring()
        current = crypto.key_ring().current
        prefix = Sealed(f"{crypto.PREFIX}:{current}:")
        total = 0
        for model in apps.get_models():
            fields = encrypted_fields(model)
            if not fields:
                continue
            stale = Q()
            for field in fields:
                stale |= Q(**{f"{field.name}__isnull": False}) & ~Q(
                    **{f"{field.name}__startswith": prefix}
                )
            done = damaged = 0
            after = None
            while True:
                with transaction.atomic():
                    batch = model._default_manager.select_for_update().filter(stale)
                    if after is not None:
                        batch = batch.filter(pk__gt=after)
                    # Decrypt with whichever key sealed each value; a damaged one is left
                    # as it is (and logged), never re-sealed as an empty text.
                    rows = unreadable_marked(batch.order_by("pk")[:batch_size])
                    if not rows:
                        break
                    after = rows[-1].pk
                    for row in rows:
                        if row.unreadable:  # type: ignore[attr-defined]
                            damaged += 1
                            continue
                        row._reseal = True  # type: ignore[attr-defined]
                        row.save(update_fields=[f.name for f in fields])
                        done += 1
            total += done
            note = f" ({damaged} unreadable, left as they are)" if damaged else ""
            self.stdout.write(f"{model._meta.label}: re-encrypted {done} rows{note}")
        self.stdout.write(self.style.SUCCESS(f"Done: {total} rows now use key {current!r}."))

    def _key_file_lines(self) -> list[str]:
        if os.environ.get(crypto.ENV, "").strip():
            raise CommandError(
                f"{crypto.ENV} is set, so the keys live there, not in the key file. Put the "
                f"new key first in {crypto.ENV} (or remove a retired one) and run this "
                "command again without --new-key (docs/keys.md)."
            )
        path = crypto.key_file_path()
        return [item for item in path.read_text().replace("\n", ",").split(",") if item.strip()]

    def _add_to_key_file(self, key_id: str) -> None:
        crypto.key_ring()  # make sure the key file exists
        items = self._key_file_lines()
        if any(item.partition(":")[0] == key_id for item in items):
            raise CommandError(f"A key with id {key_id!r} already exists.")
        line = ",".join([crypto.new_key_item(key_id), *items])
        crypto.parse_keys(line, source=str(crypto.key_file_path()))  # id format, loudly
        crypto.key_file_path().write_text(line + "\n")
        crypto.key_file_path().chmod(0o600)
        crypto.reset_key_ring()
        self.stdout.write(f"Added key {key_id!r} to {crypto.key_file_path()} as the newest.")

    def _retire(self, key_id: str) -> None:
        crypto.reset_key_ring()
        ring = crypto.key_ring()
        if key_id == ring.current:
            raise CommandError(f"{key_id!r} is the newest key; add a new one first.")
        prefix = Sealed(f"{crypto.PREFIX}:{key_id}:")
        left = 0
        for model in apps.get_models():
            for field in encrypted_fields(model):
                left += model._default_manager.filter(
                    **{f"{field.name}__startswith": prefix}
                ).count()
        if left:
            raise CommandError(
                f"{left} values are still sealed with {key_id!r}: run rotate_keys first."
            )
        if os.environ.get(crypto.ENV, "").strip():
            self.stdout.write(f"Nothing needs {key_id!r}: remove it from {crypto.ENV}.")
            return
        items = [i for i in self._key_file_lines() if i.partition(":")[0] != key_id]
        crypto.key_file_path().write_text(",".join(items) + "\n")
        crypto.reset_key_ring()
        self.stdout.write(f"Retired key {key_id!r} from {crypto.key_file_path()}.")
