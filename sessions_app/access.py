"""Who may see what. Every page and API endpoint asks here; nothing reads around it."""

from __future__ import annotations

from django.http import Http404

from accounts.models import Couple, User
from accounts.selectors import is_partner
from scheduling.models import Booking
from therapists.selectors import is_client_of


def booking_for_partner(user: User, booking_id: int) -> Booking:
    booking = Booking.objects.select_related("therapist", "couple").filter(pk=booking_id).first()
    if booking is None or not is_partner(user, booking.couple_id):
        raise Http404("No such session.")
    return booking


def booking_for_therapist(user: User, booking_id: int) -> Booking:
    booking = Booking.objects.select_related("therapist", "couple").filter(pk=booking_id).first()
    if booking is None or booking.therapist_id != user.pk:
        raise Http404("No such session.")
    return booking


def couple_for_therapist(user: User, couple_id: int) -> Couple:
    couple = Couple.objects.filter(pk=couple_id).prefetch_related("memberships__user").first()
    if couple is None or not is_client_of(user, couple_id):
        raise Http404("No such couple.")
    return couple
