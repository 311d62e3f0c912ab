"""Close a person's room websockets when their logins are revoked (logout, password
change, deactivation, deletion): a signed-out browser must not keep a live room."""

from __future__ import annotations

from django.dispatch import receiver

from accounts.signals import user_sessions_revoked
from signaling.services import user_connections_close


@receiver(user_sessions_revoked, dispatch_uid="signaling.close_on_revoke")
def close_room_connections(sender, *, user_id: int, reason: str, **kwargs) -> None:
    user_connections_close(user_id=user_id, reason=reason)
