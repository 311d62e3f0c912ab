"""Authenticated encryption for health data at rest (AES-256-GCM).

Keys come from ``DUET_ENCRYPTION_KEYS`` — ``id:base64key[,id:base64key...]``, newest
first — never from SECRET_KEY. Without it a local key file under ``var/`` is created
(with a warning), so the embedded defaults work on a fresh checkout.

A token is ``duet1:<key id>:<base64url(nonce || ciphertext+tag)>``. The associated data
binds the row's identity (app label, model, primary key, field) so a ciphertext copied to
another row or field fails to decrypt. Failure raises ``DecryptionError``; ciphertext is
never returned as text.
"""

from __future__ import annotations

import base64
import logging
import os
import re
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

PREFIX = "duet1"
KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
ENV = "DUET_ENCRYPTION_KEYS"


class DecryptionError(Exception):
    """The stored value could not be authenticated: tampered, moved, or its key is gone."""


@dataclass(frozen=True)
class KeyRing:
    keys: dict[str, bytes]
    current: str

    def key(self, key_id: str) -> bytes:
        try:
            return self.keys[key_id]
        except KeyError:
            raise DecryptionError(f"no key with id {key_id!r} is configured") from None


def parse_keys(raw: str, *, source: str = ENV) -> KeyRing:
    keys: dict[str, bytes] = {}
    order: list[str] = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        key_id, sep, encoded = item.partition(":")
        if not sep or not KEY_ID.match(key_id):
            raise ImproperlyConfigured(
                f"{source} must be 'id:base64key' items separated by commas (id: letters, "
                f"digits, - or _); got an item starting {item[:8]!r}"
            )
        try:
            key = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except ValueError:
            raise ImproperlyConfigured(f"{source}: key {key_id!r} is not valid base64") from None
        if len(key) != 32:
            raise ImproperlyConfigured(f"{source}: key {key_id!r} must be 32 bytes (AES-256)")
        if key_id in keys:
            raise ImproperlyConfigured(f"{source}: key id {key_id!r} appears twice")
        keys[key_id] = key
        order.append(key_id)
    if not keys:
        raise ImproperlyConfigured(f"{source} holds no keys")
    return KeyRing(keys=keys, current=order[0])


def new_key_item(key_id: str) -> str:
    return f"{key_id}:{base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip('=')}"


def key_file_path() -> Path:
    return settings.VAR_DIR / "encryption_keys"


def _local_key_file() -> str:
    path = key_file_path()
    if not path.exists():
        path.write_text(new_key_item("k1") + "\n")
        path.chmod(0o600)
        logger.warning(
            "%s is not set: created a local encryption key in %s. Set %s in production "
            "and keep the key outside the database backups.",
            ENV,
            path,
            ENV,
        )
    return path.read_text().strip()


@lru_cache(maxsize=1)
def key_ring() -> KeyRing:
    raw = os.environ.get(ENV, "").strip()
    if raw:
        return parse_keys(raw)
    return parse_keys(_local_key_file().replace("\n", ","), source=str(key_file_path()))


def reset_key_ring() -> None:
    """Forget the cached keys (tests and key rotation change the environment)."""
    key_ring.cache_clear()


def _aad(identity: str) -> bytes:
    return identity.encode()


def encrypt(plaintext: str, *, identity: str, ring: KeyRing | None = None) -> str:
    ring = ring or key_ring()
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(ring.key(ring.current)).encrypt(nonce, plaintext.encode(), _aad(identity))
    body = base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")
    return f"{PREFIX}:{ring.current}:{body}"


def token_key_id(token: str) -> str:
    parts = token.split(":", 2)
    if len(parts) != 3 or parts[0] != PREFIX:
        raise DecryptionError("stored value is not an encrypted token")
    return parts[1]


def decrypt(token: str, *, identity: str, ring: KeyRing | None = None) -> str:
    ring = ring or key_ring()
    key_id = token_key_id(token)
    body = token.split(":", 2)[2]
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except ValueError:
        raise DecryptionError("stored value is corrupted") from None
    if len(raw) < 12 + 16:
        raise DecryptionError("stored value is truncated")
    try:
        plain = AESGCM(ring.key(key_id)).decrypt(raw[:12], raw[12:], _aad(identity))
    except InvalidTag:
        raise DecryptionError(
            f"authentication failed for {identity} (tampered, moved, or wrong key)"
        ) from None
    return plain.decode()
