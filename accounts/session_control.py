"""Server-side session policy: idle timeout, absolute lifetime, and ending every
session of a person (logout, password change, deactivation, deletion).

Each login records its session key in ``UserSession`` so all of a person's sessions
can be found and deleted from the session store, whatever the engine.
"""

from __future__ import annotations

from datetime import datetime
from importlib import import_module

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.http import HttpRequest

from accounts.security_models import UserSession
from accounts.signals import user_sessions_revoked
from core.audit import client_ip

AUTH_AT = "_duet_auth_at"
LAST_SEEN = "_duet_last_seen"
IDLE_SECONDS = "_duet_idle_seconds"


def _store(session_key: str | None = None):
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)


def idle_seconds_for(user) -> int:
    """The strictest idle timeout among the person's clinics (default 30 minutes)."""
    from therapists.models import Clinic

    default = settings.SESSION_IDLE_TIMEOUT_MINUTES
    if user.is_client:
        clinics = Clinic.objects.filter(
            bookings__couple__memberships__user=user,
            bookings__couple__memberships__left_at__isnull=True,
        )
    else:
        clinics = Clinic.objects.filter(memberships__user=user, memberships__is_active=True)
    minutes = [m for m in clinics.values_list("session_idle_minutes", flat=True) if m]
    return 60 * min([*minutes, default]) if minutes else 60 * default


def session_started(*, request: HttpRequest, user, now: datetime) -> None:
    """Called on every login (the session key was already cycled by ``login``)."""
    session = request.session
    session[AUTH_AT] = now.timestamp()
    session[LAST_SEEN] = now.timestamp()
    session[IDLE_SECONDS] = idle_seconds_for(user)
    if not session.session_key:
        session.save()
    UserSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={
            "user": user,
            "created_at": now,
            "ip": client_ip(request),
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:200],
        },
    )


def session_expiry_reason(request: HttpRequest, now: datetime) -> str | None:
    """'idle' or 'lifetime' if this authenticated session must end now, else None.
    Refreshes the last-seen time when the session stays alive."""
    return _policy(request.session, now)


def stored_session_check(
    session_key: str | None, now: datetime, *, loaded: SessionBase | None = None
) -> str | None:
    """The same policy for a websocket (connect and every heartbeat), read from the
    session store as it is now: 'signed_out' if the session is gone (signed out, or
    expired over HTTP), 'idle' / 'lifetime' if it must end now (it is ended here, as
    HTTP would), else None after refreshing last-seen (a live call is activity).

    ``loaded``: this key's session as read moments ago (a websocket's connect, where
    the auth middleware has just loaded it), instead of reading it again."""
    if not session_key:
        return "signed_out"
    store = loaded if loaded is not None else _store(session_key)
    reason = _policy(store, now)  # the one read of the session
    # Django's session stores forget the key of a session they could not load (signed
    # out, expired): a gone session, told apart without a second query for every ping.
    if store.session_key is None:
        return "signed_out"
    if reason is None:
        if store.modified:
            store.save(must_create=False)
        return None
    store.delete()
    session_forget(session_key)
    return reason


def _policy(session: SessionBase, now: datetime) -> str | None:
    now_ts = now.timestamp()
    auth_at = session.get(AUTH_AT)
    last_seen = session.get(LAST_SEEN)
    if auth_at is None or last_seen is None:
        # A session made without our login hook (e.g. a test's force_login): start now.
        session[AUTH_AT] = session[LAST_SEEN] = now_ts
        return None
    if now_ts - auth_at > settings.SESSION_ABSOLUTE_LIFETIME_SECONDS:
        return "lifetime"
    idle = session.get(IDLE_SECONDS) or 60 * settings.SESSION_IDLE_TIMEOUT_MINUTES
    if now_ts - last_seen > idle:
        return "idle"
    # Writing the session on every request is cheap; skip it within a few seconds.
    if now_ts - last_seen >= 5:
        session[LAST_SEEN] = now_ts
    return None


def session_forget(session_key: str | None) -> None:
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


def user_sessions_revoke(*, user, reason: str) -> int:
    """End every session of ``user`` in the session store; tell listeners (websockets)."""
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    for key in keys:
        _store(key).delete()
    UserSession.objects.filter(user=user).delete()
    user_id = user.pk
    transaction.on_commit(
        lambda: user_sessions_revoked.send(sender=type(user), user_id=user_id, reason=reason)
    )
    return len(keys)
