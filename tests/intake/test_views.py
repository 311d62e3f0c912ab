"""Intake pages for every persona, and the room's consent and location steps."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import timezone

from intake import services
from intake.models import Signature
from tests.intake.conftest import licence, sign_all

pytestmark = pytest.mark.django_db

PERSONAS = [
    "partner_a",
    "partner_b",
    "other_partner",
    "therapist",
    "other_therapist",
    "clinic_admin",
    "other_admin",
]


def _as(client, request, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    return user


@pytest.mark.parametrize("persona", PERSONAS)
def test_intake_home_is_for_clients(client, request, documents, booking, other_couple, persona):
    _as(client, request, persona)
    response = client.get(reverse("intake:home"))
    if persona.endswith("partner") or persona.startswith("partner"):
        assert response.status_code == 200
        page = response.content.decode()
        own_couple = persona.startswith("partner_")
        assert ("Consent to telehealth" in page) == own_couple
        assert "Only your therapist sees this" in page
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("persona", PERSONAS)
def test_sign_page_only_for_the_clinics_couples(
    client, request, documents, booking, other_couple, persona
):
    _as(client, request, persona)
    response = client.get(reverse("intake:sign", args=[documents[0].pk]))
    assert response.status_code == (200 if persona.startswith("partner_") else 404)
    if response.status_code == 200:
        assert "Sessions happen over video" in response.content.decode()
        assert documents[0].content_hash in response.content.decode()


def test_signing_with_another_name_asks_then_records(client, partner_a, documents, booking):
    client.force_login(partner_a)
    url = reverse("intake:sign", args=[documents[0].pk])
    data = {"typed_name": "Samuel Carter", "signed_on": timezone.localdate(), "agree": "on"}
    page = client.post(url, data).content.decode()
    assert "is not the name on your account" in page and not Signature.objects.exists()
    assert 'name="confirm_name" value="1"' in page or 'value="1"' in page
    response = client.post(url, {**data, "confirm_name": "1"})
    assert response.status_code == 302
    sig = Signature.objects.get()
    assert sig.name_mismatch and sig.typed_name == "Samuel Carter"


def test_signing_without_agreeing_shows_a_field_error(client, partner_a, documents, booking):
    client.force_login(partner_a)
    url = reverse("intake:sign", args=[documents[0].pk])
    response = client.post(url, {"typed_name": "Sam Carter", "signed_on": timezone.localdate()})
    assert response.status_code == 200 and "field-error" in response.content.decode()
    assert not Signature.objects.exists()


def test_signed_copy_pdf_is_the_signers_only(
    client, partner_a, partner_b, therapist, clinic_admin, documents, booking
):
    from pypdf import PdfReader

    sig = sign_all(partner_a, documents)[0]
    url = reverse("intake:signed_copy", args=[sig.pk])
    client.force_login(partner_a)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Consent to telehealth" in text and "Sam Carter" in text
    assert documents[0].content_hash[:16] in text.replace("\n", "")
    all_pdf = client.get(reverse("intake:signed_copies"))
    assert len(PdfReader(io.BytesIO(all_pdf.content)).pages) >= 2
    for other in (partner_b, therapist, clinic_admin):
        client.force_login(other)
        assert client.get(url).status_code == 404


def test_room_sends_an_unsigned_partner_to_sign(client, partner_a, documents, booking):
    client.force_login(partner_a)
    room = reverse("signaling:room", args=[booking.room_id])
    response = client.get(room)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('intake:home')}?next={room}"
    page = client.get(response["Location"]).content.decode()
    assert "Sign the documents below to join your session" in page


def test_room_waits_for_the_other_partner(client, partner_a, partner_b, documents, booking):
    sign_all(partner_a, documents)
    client.force_login(partner_a)
    response = client.get(reverse("signaling:room", args=[booking.room_id]))
    assert response.status_code == 403
    assert "Your partner still needs to sign" in response.content.decode()


def test_after_signing_the_partner_says_where_they_are_then_enters(
    client, partner_a, partner_b, documents, booking
):
    sign_all(partner_a, documents)
    sign_all(partner_b, documents)
    client.force_login(partner_a)
    room = reverse("signaling:room", args=[booking.room_id])
    response = client.get(room)
    where = reverse("intake:where", args=[booking.room_id])
    assert response.status_code == 302 and response["Location"] == where
    bad = client.post(where, {"country": "US", "region": ""})
    assert bad.status_code == 200 and "Choose your state or province" in bad.content.decode()
    done = client.post(where, {"country": "US", "region": "US-CA"})
    assert done.status_code == 302 and done["Location"] == room
    assert client.get(room).status_code == 200
    # Prefilled next time.
    assert 'value="US-CA" selected' in client.get(where).content.decode()


def test_therapist_is_not_asked_and_sees_the_panel(
    client, therapist, partner_a, partner_b, documents, booking
):
    licence(therapist, "US-CA")
    now = timezone.now()
    services.location_confirm(
        booking=booking, user=partner_b, country="JP", region="", free_text="", now=now
    )
    services.emergency_contact_save(
        user=partner_b, name="Kenji Tanaka", relation="brother", phone="+81 90 1234 5678", now=now
    )
    client.force_login(therapist)
    page = client.get(reverse("signaling:room", args=[booking.room_id])).content.decode()
    assert "Where your clients are" in page
    assert "Japan" in page and "Kenji Tanaka" in page and "Outside your licensed" in page
    assert "Location not confirmed yet" in page  # partner A has not answered
    panel = reverse("intake:room_panel", args=[booking.room_id])
    assert client.get(panel, {"known": "1"}).status_code == 204
    assert client.get(panel, {"known": "0"}).status_code == 200


@pytest.mark.parametrize("persona", ["partner_a", "partner_b", "clinic_admin", "other_therapist"])
def test_room_panel_fragment_is_the_therapists_only(client, request, booking, persona):
    _as(client, request, persona)
    assert client.get(reverse("intake:room_panel", args=[booking.room_id])).status_code == 404


@pytest.mark.parametrize("persona", ["other_partner", "therapist", "clinic_admin"])
def test_where_page_is_the_couples_only(client, request, booking, other_couple, persona):
    _as(client, request, persona)
    assert client.get(reverse("intake:where", args=[booking.room_id])).status_code == 404


def test_emergency_contact_form(client, partner_a):
    client.force_login(partner_a)
    url = reverse("intake:home")
    bad = client.post(url, {"action": "contact", "name": "Maya", "phone": "nope"})
    assert "Give a phone number" in bad.content.decode()
    ok = client.post(
        url, {"action": "contact", "name": "Maya", "relation": "sister", "phone": "+1 415 555 0100"}
    )
    assert ok.status_code == 302
    assert "+1 415 555 0100" in client.get(url).content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_couple_intake_page(client, request, documents, booking, couple, persona):
    from therapists.models import CoupleAssignment

    CoupleAssignment.objects.create(
        couple=couple, therapist=request.getfixturevalue("therapist"), clinic=booking.clinic
    )
    services.emergency_contact_save(
        user=request.getfixturevalue("partner_b"),
        name="Kenji Tanaka",
        relation="brother",
        phone="+81 90 1234 5678",
        now=timezone.now(),
    )
    _as(client, request, persona)
    response = client.get(reverse("intake:couple", args=[couple.pk]))
    allowed = persona in ("therapist", "clinic_admin")
    assert response.status_code == (200 if allowed else 404)
    if allowed:
        page = response.content.decode()
        assert "Consent to telehealth" in page and "not signed" in page
        assert ("Kenji Tanaka" in page) == (persona == "therapist")


@pytest.mark.parametrize("persona", PERSONAS)
def test_clinic_documents_page_is_the_admins(client, request, documents, persona):
    _as(client, request, persona)
    response = client.get(reverse("intake:clinic_documents"))
    if persona in ("clinic_admin", "other_admin"):
        page = response.content.decode()
        assert response.status_code == 200
        assert ("v1 “Consent to telehealth”" in page) == (persona == "clinic_admin")
    else:
        assert response.status_code == 404


def test_admin_publishes_and_cannot_withdraw_a_signed_version(
    client, clinic, clinic_admin, other_admin, partner_a, documents, booking
):
    sign_all(partner_a, documents[:1])
    client.force_login(clinic_admin)
    edit = reverse("intake:document_edit", args=[clinic.pk, "telehealth_consent"])
    assert "Sessions happen over video" in client.get(edit).content.decode()
    client.post(edit, {"title": "Consent to telehealth", "body": "Version two."})
    assert documents[0].document.versions.count() == 2
    response = client.post(reverse("intake:version_delete", args=[documents[0].pk]), follow=True)
    assert "stays on record" in response.content.decode()
    assert documents[0].document.versions.count() == 2
    client.force_login(other_admin)
    assert client.get(edit).status_code == 404
    assert client.post(reverse("intake:version_delete", args=[documents[1].pk])).status_code == 404


def test_quick_exit_on_client_pages_only(client, partner_a, therapist):
    client.force_login(partner_a)
    page = client.get(reverse("intake:safety")).content.decode()
    assert 'data-testid="quick-exit"' in page and "quick_exit.js" in page
    assert "Esc" in page
    client.force_login(therapist)
    assert 'data-testid="quick-exit"' not in client.get(reverse("intake:safety")).content.decode()


def test_check_in_safety_section_explains_quick_exit_with_own_crisis_lines(
    client, partner_a, partner_b, booking
):
    now = timezone.now()
    services.location_confirm(
        booking=booking, user=partner_a, country="US", region="US-CA", free_text="", now=now
    )
    services.location_confirm(
        booking=booking, user=partner_b, country="JP", region="", free_text="", now=now
    )
    client.force_login(partner_b)
    page = client.get(reverse("sessions_app:check_in", args=[booking.pk])).content.decode()
    assert "Quick exit" in page and "TELL Lifeline" in page and "988" not in page


def test_booking_page_warns_of_home_places_outside_the_licence(
    client, therapist, partner_a, partner_b, couple
):
    from scheduling.models import SessionType

    licence(therapist, "US-CA")
    SessionType.objects.get_or_create(therapist=therapist, defaults={"name": "Couples session"})
    services.home_place_save(user=partner_b, country="JP", region="", now=timezone.now())
    client.force_login(partner_a)
    page = client.get(reverse("scheduling:book", args=[therapist.pk])).content.decode()
    assert "Check licensing before you book" in page and "Aiko lives (Japan)" in page


def test_safety_page_without_a_known_country(client, partner_a):
    client.force_login(partner_a)
    page = client.get(reverse("intake:safety")).content.decode()
    assert "local emergency number" in page and "where you live" in page


def test_client_dashboard_nudges_to_sign(client, partner_a, documents, booking):
    client.force_login(partner_a)
    page = client.get(reverse("dashboard:dashboard")).content.decode()
    assert 'data-testid="intake-reminder"' in page and "sign 2 documents" in page
    sign_all(partner_a, documents)
    page = client.get(reverse("dashboard:dashboard")).content.decode()
    assert 'data-testid="intake-reminder"' not in page
