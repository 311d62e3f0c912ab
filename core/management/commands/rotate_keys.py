"""Re-encrypt every encrypted value with the newest key, in batches; safe to re-run.

Each batch is its own transaction, and only rows still sealed with an older key are
picked, so an interrupted run resumes where it stopped. Afterwards the old key can be
removed from DUET_ENCRYPTION_KEYS.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.db.models import Q

from core import crypto
from core.fields import Sealed, encrypted_fields


class Command(BaseCommand):
    help = "Re-encrypt all health data with the newest key in DUET_ENCRYPTION_KEYS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
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
            done = 0
            while True:
                with transaction.atomic():
                    rows = list(
                        model._default_manager.select_for_update()
                        .filter(stale)
                        .order_by("pk")[:batch_size]
                    )
                    if not rows:
                        break
                    for row in rows:
                        for field in fields:
                            getattr(row, field.attname)  # decrypt with whichever key sealed it
                        row._reseal = True  # type: ignore[attr-defined]
                        row.save(update_fields=[f.name for f in fields])
                    done += len(rows)
            total += done
            self.stdout.write(f"{model._meta.label}: re-encrypted {done} rows")
        self.stdout.write(self.style.SUCCESS(f"Done: {total} rows now use key {current!r}."))
