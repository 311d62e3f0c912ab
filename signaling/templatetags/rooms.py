"""Template helpers for room links on session lists."""

from __future__ import annotations

from django import template
from django.utils import timezone

from scheduling.models import Booking
from signaling.selectors import room_closes_at, room_opens_at

register = template.Library()


@register.simple_tag
def room_status(booking: Booking) -> str:
    """ "open", "later" (video session, room not open yet) or "" (no room to show)."""
    if booking.format != Booking.Format.VIDEO or booking.status != Booking.Status.CONFIRMED:
        return ""
    if booking.ended_at:
        return ""
    now = timezone.now()
    if now < room_opens_at(booking):
        return "later"
    return "open" if now < room_closes_at(booking) else ""
