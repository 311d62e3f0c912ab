"""Photo processing details, and the demo directory seed."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from PIL import Image

from core.errors import DomainError
from therapists.photos import process_photo


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (500, 400), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[0x8825] = {1: "N", 2: (52.0, 13.0, 0.0)}  # GPS block
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_photo_is_cropped_square_and_loses_its_metadata():
    raw = _jpeg_with_gps()
    with Image.open(io.BytesIO(raw)) as original:
        assert original.getexif()  # the upload really carries EXIF
    result = process_photo(SimpleUploadedFile("me.jpg", raw, "image/jpeg"))
    with Image.open(io.BytesIO(result.read())) as cleaned:
        assert cleaned.size == (400, 400)
        assert not cleaned.getexif()
        assert "exif" not in cleaned.info


def test_truncated_image_is_refused():
    raw = _jpeg_with_gps()[:200]
    with pytest.raises(DomainError) as info:
        process_photo(SimpleUploadedFile("cut.jpg", raw, "image/jpeg"))
    assert info.value.code == "photo_not_image" and info.value.status == 422


@pytest.mark.django_db
def test_seed_demo_builds_the_directory_idempotently(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from scheduling.models import Booking
    from therapists.models import CoupleAssignment, ProfileFacet, TherapistProfile

    call_command("seed_demo", quiet_logins=True)
    counts = (
        TherapistProfile.objects.count(),
        ProfileFacet.objects.count(),
        Booking.objects.count(),
        CoupleAssignment.objects.count(),
    )
    call_command("seed_demo", quiet_logins=True)
    assert counts == (
        TherapistProfile.objects.count(),
        ProfileFacet.objects.count(),
        Booking.objects.count(),
        CoupleAssignment.objects.count(),
    )
    assert counts[0] == 5
    hale = TherapistProfile.objects.get(user__email="dr.hale@riverside.example")
    assert [n for _, n in hale.languages] == ["English", "Japanese"]
    assert [c for c, _ in hale.jurisdictions] == ["US-CA"]
    nowak = TherapistProfile.objects.get(user__email="dr.nowak@riverside.example")
    assert [n for _, n in nowak.languages] == ["English", "Polish"]
    assert sorted(c for c, _ in nowak.jurisdictions) == ["GB", "PL"]
