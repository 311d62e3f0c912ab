"""Fixtures for therapists, clinics and rosters (personas come from tests/conftest.py)."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from PIL import Image


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Personas are created with a password; a cheap hasher keeps this suite quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def set_facets(profile, **facets) -> None:
    from therapists.models import ProfileFacet

    profile.facets.all().delete()
    ProfileFacet.objects.bulk_create(
        ProfileFacet(profile=profile, kind=kind, code=code)
        for kind, codes in facets.items()
        for code in codes
    )


def add_therapist(
    clinic,
    email: str,
    name: str,
    *,
    zone: str = "UTC",
    fee: str | None = None,
    currency: str = "USD",
    accepting: bool = True,
    takes_bookings: bool = True,
    **facets,
):
    from accounts.models import User
    from therapists.models import ClinicMembership, TherapistProfile

    # No password: hashing one per therapist would dominate the run time.
    user = User.objects.create_user(
        email=email, password=None, full_name=name, time_zone=zone, role="therapist"
    )
    ClinicMembership.objects.create(clinic=clinic, user=user, role="therapist")
    profile = TherapistProfile.objects.create(
        user=user,
        clinic=clinic,
        headline=f"{name} helps couples",
        fee=Decimal(fee) if fee is not None else None,
        currency=currency,
        accepting_new_couples=accepting,
    )
    set_facets(profile, **facets)
    if takes_bookings:
        open_session_type(user)
    return profile


def open_session_type(user):
    """Bookable therapists have opened at least one session type (the bookable rule)."""
    from scheduling.models import SessionType

    SessionType.objects.get_or_create(therapist=user, name="Couples session")


@pytest.fixture
def hale_profile(therapist):
    """The persona ``therapist`` (Elena Hale) with a Hale-like profile."""
    profile = therapist.therapist_profile
    open_session_type(therapist)
    profile.fee, profile.currency = Decimal("180"), "USD"
    profile.save()
    set_facets(
        profile,
        language=["en", "ja"],
        jurisdiction=["US-CA"],
        specialty=["long_distance", "cross_cultural"],
        approach=["eft"],
        format=["video"],
    )
    return profile


@pytest.fixture
def nowak_profile(other_therapist):
    profile = other_therapist.therapist_profile
    open_session_type(other_therapist)
    profile.fee, profile.currency = Decimal("320"), "PLN"
    profile.office_address = "Warsaw"
    profile.save()
    set_facets(
        profile,
        language=["en", "pl"],
        jurisdiction=["PL", "GB"],
        specialty=["conflict", "communication"],
        approach=["gottman"],
        format=["hybrid"],
    )
    return profile


@pytest.fixture
def directory(hale_profile, nowak_profile, clinic, other_clinic):
    """Four listed therapists, one deactivated and one not taking bookings yet."""
    okafor = add_therapist(
        other_clinic,
        "okafor@example.com",
        "Amara Okafor",
        fee="95",
        currency="GBP",
        language=["en", "yo"],
        jurisdiction=["GB"],
        specialty=["parenting_stress"],
        format=["in_person"],
    )
    raman = add_therapist(
        clinic,
        "raman@example.com",
        "Priya Raman",
        fee="165",
        accepting=False,
        language=["en", "hi"],
        jurisdiction=["CA-ON", "US"],
        specialty=["neurodiverse", "communication"],
        format=["video"],
    )
    gone = add_therapist(
        clinic,
        "gone@example.com",
        "Gone Therapist",
        fee="10",
        language=["en", "ja"],
        jurisdiction=["US-CA"],
        format=["video"],
    )
    gone.user.clinic_memberships.update(is_active=False)
    # Noor has not opened a session type yet: listing her would be a dead end.
    not_open = add_therapist(
        clinic, "new@example.com", "Noor Newcomer", takes_bookings=False, language=["en"]
    )
    return {
        "hale": hale_profile,
        "nowak": nowak_profile,
        "okafor": okafor,
        "raman": raman,
        "not_open": not_open,
    }


def image_bytes(fmt: str = "PNG", size=(400, 300), color=(200, 120, 90)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=fmt)
    return out.getvalue()


def book(therapist, couple, start, *, minutes=50, status="confirmed", clinic=None, **extra):
    from scheduling.models import Booking

    return Booking.objects.create(
        therapist=therapist,
        couple=couple,
        clinic=clinic,
        starts_at=start,
        ends_at=start + timedelta(minutes=minutes),
        status=status,
        **extra,
    )
