"""Reads of in-app notifications and reminder preferences."""

from __future__ import annotations

from accounts.models import User
from sessions_app.models import Notification, ReminderPreference
from sessions_app.services.reminders import preference_for


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notifications_for(user: User, *, limit: int = 50) -> list[Notification]:
    return list(Notification.objects.filter(user=user)[:limit])


def reminder_preference(user: User) -> ReminderPreference:
    return preference_for(user)
