"""Brute-force protection for the password and second-factor steps.

Failures are counted per account (a keyed hash of the email typed, whether or not the
account exists, so the lock-out reveals nothing) and per client address, in a sliding
window. Past the limit the key cools off until its oldest failure in the window ages out;
nothing is ever locked permanently. Messages stay generic.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.security_models import AuthFailure

GENERIC_LOGIN_ERROR = "That email and password do not match an account. Check both and try again."
LOCKED_ERROR = _(
    "Too many attempts. For your security, sign-in is paused for a few minutes. "
    "Try again later or reset your password."
)


def account_key(email: str) -> str:
    normalized = (email or "").strip().lower().encode()
    return hmac.new(settings.SECRET_KEY.encode(), normalized, hashlib.sha256).hexdigest()


def code_key(email: str) -> str:
    """The key second-factor failures are counted under: separate from the password's, so
    typing the right password again never wipes the count of wrong codes."""
    return account_key(f"2fa:{(email or '').strip().lower()}")


def _window() -> timedelta:
    return timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def _retry_after(qs, limit: int, now: datetime) -> datetime | None:
    times = list(qs.filter(at__gt=now - _window()).order_by("-at").values_list("at", flat=True))
    if len(times) < limit:
        return None
    # The key reopens when enough of the recent failures have aged out of the window.
    return times[limit - 1] + _window()


def _blocked_until(*, key: str, ip: str | None, now: datetime) -> datetime | None:
    candidates = [
        _retry_after(
            AuthFailure.objects.filter(account_key=key), settings.LOGIN_FAILURES_PER_ACCOUNT, now
        )
    ]
    if ip:
        candidates.append(
            _retry_after(AuthFailure.objects.filter(ip=ip), settings.LOGIN_FAILURES_PER_IP, now)
        )
    blocked = [c for c in candidates if c is not None and c > now]
    return max(blocked) if blocked else None


def login_blocked_until(*, email: str, ip: str | None, now: datetime):
    """When the password step for this email or address reopens, or None if open now."""
    return _blocked_until(key=account_key(email), ip=ip, now=now)


def code_blocked_until(*, email: str, ip: str | None, now: datetime):
    """When the second-factor step for this account or address reopens, or None."""
    return _blocked_until(key=code_key(email), ip=ip, now=now)


def _failure_record(*, key: str, ip: str | None, now: datetime) -> None:
    AuthFailure.objects.create(account_key=key, ip=ip, at=now)
    # Keep the table small: anything older than the window no longer counts.
    AuthFailure.objects.filter(at__lt=now - _window() * 4).delete()


def login_failure_record(*, email: str, ip: str | None, now: datetime) -> None:
    _failure_record(key=account_key(email), ip=ip, now=now)


def code_failure_record(*, email: str, ip: str | None, now: datetime) -> None:
    _failure_record(key=code_key(email), ip=ip, now=now)


def login_failures_clear(*, email: str) -> None:
    """After the last factor passed: both counters of this account start again."""
    AuthFailure.objects.filter(account_key__in=[account_key(email), code_key(email)]).delete()
