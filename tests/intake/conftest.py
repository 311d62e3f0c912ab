"""Intake fixtures: a clinic with published documents and a session starting soon."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

CONSENT_TEXT = (
    "Sessions happen over video. You agree to join from a private place.\n\n"
    "If the connection fails, your therapist calls the number on file."
)


@pytest.fixture
def documents(clinic, clinic_admin):
    """The clinic's telehealth consent and privacy notice, version 1 each."""
    from intake.services import document_version_publish

    now = timezone.now()
    return [
        document_version_publish(
            clinic=clinic,
            kind="telehealth_consent",
            title="Consent to telehealth",
            body=CONSENT_TEXT,
            by=clinic_admin,
            now=now,
        ),
        document_version_publish(
            clinic=clinic,
            kind="privacy_notice",
            title="Privacy notice",
            body="We keep your records encrypted.",
            by=clinic_admin,
            now=now,
        ),
    ]


@pytest.fixture
def booking(therapist, couple, clinic):
    from scheduling.models import Booking

    starts = timezone.now() + timedelta(minutes=5)
    return Booking.objects.create(
        therapist=therapist,
        couple=couple,
        clinic=clinic,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=50),
        status=Booking.Status.CONFIRMED,
    )


def sign_all(user, versions):
    from intake.services import document_sign

    now = timezone.now()
    return [
        document_sign(
            version=v,
            user=user,
            typed_name=user.full_name,
            signed_on=now.astimezone(user.tz).date(),
            confirm_name=False,
            now=now,
        )
        for v in versions
    ]


def licence(therapist, *codes):
    from therapists.models import ProfileFacet, TherapistProfile

    profile = TherapistProfile.objects.get(user=therapist)
    for code in codes:
        ProfileFacet.objects.create(profile=profile, kind="jurisdiction", code=code)
