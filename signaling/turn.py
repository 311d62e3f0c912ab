"""ICE servers for a join, with TURN credentials in coturn's REST-API scheme.

coturn (``use-auth-secret`` + ``static-auth-secret``) accepts username
``<unix expiry>:<user id>`` with password ``base64(HMAC-SHA1(secret, username))`` and
refuses it after the expiry, so a leaked credential is useless within the TTL and the
app never stores TURN passwords.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime

from django.conf import settings


def turn_credentials(*, user_id: int, now: datetime, secret: str, ttl: int) -> tuple[str, str]:
    username = f"{int(now.timestamp()) + ttl}:{user_id}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode()


def ice_servers_for(*, user_id: int, now: datetime) -> list[dict]:
    """RTCIceServer dicts for the browser: STUN as configured, TURN with fresh credentials."""
    servers: list[dict] = []
    if settings.STUN_URLS:
        servers.append({"urls": list(settings.STUN_URLS)})
    if settings.TURN_URLS:
        username, credential = turn_credentials(
            user_id=user_id,
            now=now,
            secret=settings.TURN_SECRET,
            ttl=settings.TURN_CREDENTIAL_TTL,
        )
        servers.append(
            {"urls": list(settings.TURN_URLS), "username": username, "credential": credential}
        )
    return servers
