"""Two-factor authentication: TOTP (authenticator app) and one-time recovery codes.

Built on django-otp's primitives (``Device``, ``oath.TOTP``) with our own device model so
the shared secret is encrypted at rest. A code is accepted at most once, even when two
requests race: acceptance is a compare-and-set on the device's last accepted time step
(``UPDATE ... WHERE last_t < t``), and a recovery code is spent with
``UPDATE ... WHERE used_at IS NULL``; the database decides which request wins.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from base64 import b32encode
from binascii import unhexlify
from datetime import datetime
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.util import random_hex

from accounts.security_models import RecoveryCode, TotpDevice
from core.audit import audit_record
from core.errors import DomainError

RECOVERY_CODE_COUNT = 10
ROLES_REQUIRING_2FA = ("therapist", "clinic_admin", "operator")
TOLERANCE_STEPS = 1


def requires_2fa(user) -> bool:
    return user.role in ROLES_REQUIRING_2FA


def confirmed_device(user) -> TotpDevice | None:
    return TotpDevice.objects.filter(user=user, confirmed=True).first()


def has_2fa(user) -> bool:
    return TotpDevice.objects.filter(user=user, confirmed=True).exists()


def _b32(secret_hex: str) -> str:
    return b32encode(unhexlify(secret_hex)).decode().rstrip("=")


def totp_secret_b32(device: TotpDevice) -> str:
    return _b32(device.secret)


def totp_uri(device: TotpDevice) -> str:
    issuer = settings.OTP_TOTP_ISSUER
    label = quote(f"{issuer}:{device.user.email}")
    query = urlencode({"secret": totp_secret_b32(device), "issuer": issuer, "digits": 6})
    return f"otpauth://totp/{label}?{query}"


def totp_code(secret_hex: str, at: float | None = None) -> str:
    """The current code for a secret (tests, the demo seed)."""
    totp = TOTP(unhexlify(secret_hex))
    totp.time = at if at is not None else time.time()
    return f"{totp.token():06d}"


def totp_device_start(*, user) -> TotpDevice:
    """A new unconfirmed device (replacing an earlier unconfirmed one)."""
    TotpDevice.objects.filter(user=user, confirmed=False).delete()
    return TotpDevice.objects.create(
        user=user, name="Authenticator app", confirmed=False, secret=random_hex(20)
    )


def _matching_step(device: TotpDevice, token: str, at: float | None) -> int | None:
    token = (token or "").replace(" ", "").strip()
    if not (token.isdigit() and len(token) == 6):
        return None
    totp = TOTP(unhexlify(device.secret))
    totp.time = at if at is not None else time.time()
    if totp.verify(int(token), TOLERANCE_STEPS, device.last_t + 1):
        return totp.t()
    return None


def totp_verify(*, device: TotpDevice, token: str, at: float | None = None) -> bool:
    """True once per code: a replay, sequential or concurrent, is refused."""
    step = _matching_step(device, token, at)
    if step is None:
        return False
    won = TotpDevice.objects.filter(pk=device.pk, last_t__lt=step).update(last_t=step)
    if won:
        device.last_t = step
    return bool(won)


def totp_device_confirm(
    *, device: TotpDevice, token: str, request=None, at: float | None = None
) -> list[str]:
    """Confirm enrolment with a first code; returns fresh recovery codes to show once."""
    if not totp_verify(device=device, token=token, at=at):
        raise DomainError(
            _("That code did not match. Check the time on your phone and enter the newest code."),
            code="bad_code",
        )
    with transaction.atomic():
        TotpDevice.objects.filter(user=device.user, confirmed=True).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.confirmed_at = timezone.now()
        device.save(update_fields=["confirmed", "confirmed_at"])
        codes = recovery_codes_regenerate(user=device.user)
        audit_record(actor=device.user, action="2fa.enable", obj=device, request=request)
    return codes


def totp_disable(*, user, proof: str, request=None) -> None:
    """Turn two-step sign-in off. A session alone is not enough (a borrowed, unlocked
    laptop): ``proof`` must be the account's password or a current code."""
    if requires_2fa(user):
        raise DomainError(
            _("Two-step sign-in is required for therapists and clinic admins."), code="required"
        )
    device = confirmed_device(user)
    proven = bool(proof) and (
        user.check_password(proof)
        or (device is not None and totp_verify(device=device, token=proof))
    )
    if not proven:
        audit_record(actor=user, action="2fa.disable", obj=user, request=request, outcome="denied")
        raise DomainError(
            _("Enter your password or a current code from your app to turn it off."),
            code="proof_required",
        )
    with transaction.atomic():
        TotpDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        audit_record(actor=user, action="2fa.disable", obj=user, request=request)


def _hash_code(code: str) -> str:
    normalized = code.replace("-", "").replace(" ", "").strip().lower().encode()
    return hmac.new(settings.SECRET_KEY.encode(), normalized, hashlib.sha256).hexdigest()


def _new_code() -> str:
    raw = secrets.token_hex(5)  # 40 bits per code, ten codes, each usable once
    return f"{raw[:5]}-{raw[5:]}"


def recovery_codes_regenerate(*, user) -> list[str]:
    codes = [_new_code() for _ in range(RECOVERY_CODE_COUNT)]
    with transaction.atomic():
        RecoveryCode.objects.filter(user=user).delete()
        RecoveryCode.objects.bulk_create(
            [RecoveryCode(user=user, code_hash=_hash_code(c)) for c in codes]
        )
    return codes


def recovery_code_use(*, user, code: str, now: datetime) -> bool:
    spent = RecoveryCode.objects.filter(
        user=user, code_hash=_hash_code(code), used_at__isnull=True
    ).update(used_at=now)
    return spent == 1


def recovery_codes_left(user) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def second_factor_verify(*, user, code: str, at: float | None = None) -> bool:
    """A TOTP code or, failing that, an unused recovery code."""
    device = confirmed_device(user)
    if device is None:
        return False
    cleaned = (code or "").strip()
    if cleaned.replace(" ", "").isdigit():
        return totp_verify(device=device, token=cleaned, at=at)
    return recovery_code_use(user=user, code=cleaned, now=timezone.now())
