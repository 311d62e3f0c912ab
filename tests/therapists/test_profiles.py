"""Editing profiles: the therapist, their clinic's admin, nobody else; photos validated."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.therapists.conftest import image_bytes
from therapists import photos
from therapists.models import RosterChange, TherapistProfile

pytestmark = pytest.mark.django_db


def form_data(**overrides) -> dict:
    data = {
        "headline": "Warm, structured couples work",
        "bio": "I help couples.",
        "languages": ["en", "ja"],
        "jurisdictions": ["US-CA"],
        "formats": ["video"],
        "specialties": ["long_distance"],
        "approaches": ["eft"],
        "fee": "180",
        "currency": "USD",
        "years_in_practice": "12",
        "accepting_new_couples": "on",
        "office_address": "",
    }
    data.update(overrides)
    return data


def edit_url(user) -> str:
    return f"/therapists/{user.therapist_profile.pk}/edit/"


def test_therapist_edits_own_profile(client, therapist, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(therapist)
    assert client.get("/therapists/me/").url == edit_url(therapist)
    photo = SimpleUploadedFile("me.png", image_bytes("PNG", (800, 600)), "image/png")
    response = client.post(edit_url(therapist), {**form_data(), "photo": photo})
    assert response.status_code == 302
    profile = TherapistProfile.objects.get(user=therapist)
    assert profile.headline == "Warm, structured couples work"
    assert profile.fee == Decimal("180") and profile.years_in_practice == 12
    assert [c for c, _ in profile.languages] == ["en", "ja"]
    assert profile.photo.name.endswith(".jpg")
    from PIL import Image

    with Image.open(profile.photo.path) as img:
        assert img.format == "JPEG" and img.size == (600, 600)
        assert not img.getexif()
    # A therapist editing their own profile is not a roster change.
    assert not RosterChange.objects.exists()


def test_clinic_admin_edits_their_therapist_and_it_is_logged(client, therapist, clinic_admin):
    client.force_login(clinic_admin)
    page = client.get(edit_url(therapist))
    assert page.status_code == 200 and "Elena Hale" in page.content.decode()
    response = client.post(edit_url(therapist), form_data(headline="Edited by the clinic"))
    assert response.status_code == 302
    assert TherapistProfile.objects.get(user=therapist).headline == "Edited by the clinic"
    change = RosterChange.objects.get()
    assert change.actor == clinic_admin and change.action == "profile_edited"


@pytest.mark.parametrize("who", ["other_admin", "other_therapist", "partner_a", "other_partner"])
def test_nobody_else_can_edit(client, therapist, who, request):
    client.force_login(request.getfixturevalue(who))
    before = TherapistProfile.objects.get(user=therapist).headline
    assert client.get(edit_url(therapist)).status_code == 404
    assert client.post(edit_url(therapist), form_data(headline="hacked")).status_code == 404
    assert TherapistProfile.objects.get(user=therapist).headline == before


def test_anonymous_is_sent_to_login(client, therapist):
    response = client.get(edit_url(therapist))
    assert response.status_code == 302 and "/login/" in response.url


def _post_bad(client, therapist, **overrides):
    client.force_login(therapist)
    before = TherapistProfile.objects.get(user=therapist)
    response = client.post(edit_url(therapist), {**form_data(headline="Changed"), **overrides})
    after = TherapistProfile.objects.get(user=therapist)
    assert response.status_code == 422
    assert after.headline == before.headline  # nothing saved half-way
    assert after.facets.count() == before.facets.count()
    return response.content.decode()


def test_non_image_upload_is_refused(client, therapist, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    fake = SimpleUploadedFile("me.png", b"%PDF-1.4 not a picture", "image/png")
    page = _post_bad(client, therapist, photo=fake)
    assert "not a photo we can read" in page
    assert not list(tmp_path.rglob("*.jpg"))


def test_oversized_upload_is_refused(client, therapist, monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(photos, "MAX_PHOTO_BYTES", 2_000)
    big = SimpleUploadedFile("big.png", image_bytes("PNG", (300, 300)) + b"\0" * 3_000)
    page = _post_bad(client, therapist, photo=big)
    assert "the limit is" in page or "over the" in page


def test_tiny_and_gif_images_are_refused(client, therapist, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    tiny = SimpleUploadedFile("t.png", image_bytes("PNG", (40, 40)))
    assert "at least 120 pixels" in _post_bad(client, therapist, photo=tiny)
    gif = SimpleUploadedFile("g.gif", image_bytes("GIF", (300, 300)))
    assert "GIF images are not accepted" in _post_bad(client, therapist, photo=gif)


def test_in_person_needs_an_office_address(client, therapist):
    page = _post_bad(client, therapist, formats=["hybrid"], office_address="")
    assert "office address" in page


def test_negative_fee_and_unknown_language_are_field_errors(client, therapist):
    assert "greater than or equal to 0" in _post_bad(client, therapist, fee="-5")
    assert "not one of the available choices" in _post_bad(client, therapist, languages=["xx"])


def test_photo_replacement_removes_the_old_file(
    client, therapist, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(therapist)
    for color in ((1, 2, 3), (4, 5, 6)):
        photo = SimpleUploadedFile("p.png", image_bytes("PNG", (300, 300), color))
        with django_capture_on_commit_callbacks(execute=True):
            client.post(edit_url(therapist), {**form_data(), "photo": photo})
    assert len(list(tmp_path.rglob("*.jpg"))) == 1
    client.post(edit_url(therapist), {**form_data(), "remove_photo": "on"})
    assert not TherapistProfile.objects.get(user=therapist).photo


def test_api_update_by_owner_and_refusals(client, therapist, other_admin, clinic_admin):
    url = f"/api/therapists/{therapist.therapist_profile.pk}"
    body = {
        "headline": "From the API",
        "languages": ["EN", "pl"],
        "licensed_in": ["pl", "GB"],
        "formats": ["video"],
        "fee": "150.00",
        "currency": "eur",
    }
    assert client.put(url, body, content_type="application/json").status_code == 401
    client.force_login(other_admin)
    assert client.put(url, body, content_type="application/json").status_code == 404
    client.force_login(therapist)
    response = client.put(url, body, content_type="application/json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["headline"] == "From the API" and data["currency"] == "EUR"
    assert [x["code"] for x in data["licensed_in"]] == ["PL", "GB"]
    bad = client.put(url, {**body, "licensed_in": ["XX"]}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["field"] == "licensed_in"
    neg = client.put(url, {**body, "fee": "-1"}, content_type="application/json")
    assert neg.status_code == 422 and "fee" in neg.json()["detail"]
    assert TherapistProfile.objects.get(user=therapist).headline == "From the API"
    client.force_login(clinic_admin)
    ok = client.put(url, {**body, "headline": "Admin"}, content_type="application/json")
    assert ok.status_code == 200
