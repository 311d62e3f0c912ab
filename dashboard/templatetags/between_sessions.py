"""Dashboard cards from sessions_app, so the dashboards stay in accounts untouched."""

from __future__ import annotations

from django import template
from django.utils import timezone

from accounts.selectors import active_couple_for
from measures.selectors import flags_for_bookings
from sessions_app.selectors import (
    open_homework_for_partner,
    own_check_in,
    reflections_due_for,
    upcoming_check_in_bookings,
    upcoming_preparation,
)

register = template.Library()


@register.inclusion_tag("sessions_app/cards/client_homework.html", takes_context=True)
def client_homework_card(context) -> dict:
    user = context["user"]
    couple = active_couple_for(user)
    now = timezone.now()
    if couple is None:
        return {"user": user, "couple": None}
    next_session = next(iter(upcoming_check_in_bookings(couple, now=now, limit=1)), None)
    return {
        "user": user,
        "couple": couple,
        "homework": open_homework_for_partner(couple, user)[:4],
        "next_session": next_session,
        "checked_in": bool(next_session and own_check_in(user, next_session)),
        "reflections_due": reflections_due_for(user, couple, now=now)[:1],
    }


@register.inclusion_tag("sessions_app/cards/therapist_prep.html", takes_context=True)
def therapist_prep_card(context) -> dict:
    user = context["user"]
    items = upcoming_preparation(user, now=timezone.now())
    # Alliance split, not on track, deteriorating, PHQ-9 item 9
    flags = flags_for_bookings(user, [item.booking for item in items])
    for item in items:
        item.measure_flags = flags.get(item.booking.pk, [])
    return {"user": user, "items": items}
