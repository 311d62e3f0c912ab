"""A partner's "Download my data" carries what they told Duet at intake: their
emergency contact and home place, and where they said they were for a session,
decrypted (it is theirs); the other partner's entries are not in it."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from accounts.data_export import user_data
from intake.models import PartnerSafety, SessionLocation
from scheduling.models import Booking


def test_the_export_holds_the_partners_own_intake_records(couple, partner_a, partner_b, therapist):
    start = timezone.now() + timedelta(days=2)
    booking = Booking.objects.create(
        therapist=therapist, couple=couple, starts_at=start, ends_at=start + timedelta(minutes=50)
    )
    PartnerSafety.objects.create(
        user=partner_a, contact_name="Maya Carter", contact_phone="+1 415 555 0142",
        home_country="US", home_region="US-CA",
    )  # fmt: skip
    PartnerSafety.objects.create(user=partner_b, contact_name="Kenji Tanaka", home_country="JP")
    SessionLocation.objects.create(booking=booking, user=partner_a, free_text="Cabin by the lake")

    data = user_data(partner_a)

    (safety,) = data["intake.partnersafety"]
    assert safety["contact_name"] == "Maya Carter"
    assert safety["contact_phone"] == "+1 415 555 0142"
    assert safety["home_region"] == "US-CA"
    (place,) = data["intake.sessionlocation"]
    assert place["free_text"] == "Cabin by the lake" and place["booking"] == booking.pk
    assert "Kenji Tanaka" not in str(data)
