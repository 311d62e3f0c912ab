"""Pre-session check-ins and post-session reflections."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext

from accounts.models import User
from accounts.selectors import is_partner
from core.errors import DomainError, Forbidden
from scheduling.models import Booking
from scheduling.occasions import require_after_session, require_before_session
from sessions_app.models import CheckIn, Reflection, Reminder

ANSWERS = CheckIn.Answer.values


@transaction.atomic
def check_in_submit(
    *,
    user: User,
    booking: Booking,
    mood: int,
    talking_points: str,
    feels_safe: str,
    can_speak_freely: str,
    safety_note: str = "",
    now: datetime,
) -> CheckIn:
    """Save a partner's check-in; a concerning safety answer alerts the therapist privately."""
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if not is_partner(user, booking.couple_id):
        raise Forbidden(gettext("This session is not yours."), code="not_yours")
    require_before_session(booking, now)
    if not isinstance(mood, int) or not 1 <= mood <= 10:
        raise DomainError(gettext("Mood is a number from 1 to 10."), code="bad_mood", field="mood")
    for name, value in (("feels_safe", feels_safe), ("can_speak_freely", can_speak_freely)):
        if value not in ANSWERS:
            raise DomainError(
                gettext("Please answer this question."), code="bad_answer", field=name
            )
    check_in = CheckIn.objects.filter(booking=booking, user=user).first() or CheckIn(
        booking=booking, user=user, submitted_at=now
    )
    check_in.mood = mood
    check_in.talking_points = talking_points.strip()
    check_in.feels_safe = feels_safe
    check_in.can_speak_freely = can_speak_freely
    check_in.safety_note = safety_note.strip()
    check_in.updated_at = now
    check_in.save()
    if check_in.is_concerning:
        safety_alert_raise(booking=booking, user=user, now=now)
    return check_in


def safety_alert_raise(*, booking: Booking, user: User, now: datetime) -> None:
    """The therapist's private safety alert (a concerning check-in, PHQ-9 item 9 > 0).

    One alert per partner per session; the text says nothing about the answers."""
    Reminder.objects.get_or_create(
        key=f"safety:{booking.pk}:{user.pk}",
        defaults={
            "kind": Reminder.Kind.SAFETY_ALERT,
            "recipient_id": booking.therapist_id,
            "booking": booking,
            "due_at": now,
        },
    )


@transaction.atomic
def reflection_submit(
    *,
    user: User,
    booking: Booking,
    rating: int,
    what_helped: str,
    what_to_work_on: str,
    now: datetime,
) -> Reflection:
    if not is_partner(user, booking.couple_id):
        raise Forbidden(gettext("This session is not yours."), code="not_yours")
    require_after_session(booking, now)
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise DomainError(
            gettext("Choose a rating from 1 to 5."), code="bad_rating", field="rating"
        )
    reflection = Reflection.objects.filter(booking=booking, user=user).first() or Reflection(
        booking=booking, user=user
    )
    reflection.rating = rating
    reflection.what_helped = what_helped.strip()
    reflection.what_to_work_on = what_to_work_on.strip()
    reflection.submitted_at = now
    reflection.save()
    return reflection
