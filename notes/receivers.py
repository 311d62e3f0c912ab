"""Account deletion applies the notes' retention rules (accounts.signals)."""

from __future__ import annotations

from datetime import datetime

from django.dispatch import receiver

from accounts.signals import account_deleting
from notes.services import notes_on_author_deleted


@receiver(account_deleting, dispatch_uid="notes_retention_on_account_deletion")
def _retention(sender, *, user, now: datetime, **kwargs) -> None:
    notes_on_author_deleted(user=user, now=now)
