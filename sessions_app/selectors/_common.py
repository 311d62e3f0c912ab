"""What every reader of health data shares: the audit record of what was handed out."""

from __future__ import annotations

from typing import TypeVar

from accounts.models import User
from core.audit import audit_read

Found = TypeVar("Found")


def audited(viewer: User, found: Found) -> Found:
    """Record each health-data object handed to ``viewer`` in the audit log (no content),
    in one INSERT however many there are."""
    if found:
        audit_read(None, found, actor=viewer)
    return found
