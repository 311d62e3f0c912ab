"""Documents, signatures, safety details and locations: the rules, through services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import ProtectedError
from django.utils import timezone

from core.errors import DomainError
from core.models import AuditEvent
from intake import selectors, services
from intake.models import DocumentVersion, PartnerSafety, SessionLocation, Signature
from tests.intake.conftest import licence, sign_all

pytestmark = pytest.mark.django_db


def _sign(user, version, name=None, **kw):
    now = timezone.now()
    return services.document_sign(
        version=version,
        user=user,
        typed_name=name or user.full_name,
        signed_on=kw.pop("signed_on", now.astimezone(user.tz).date()),
        confirm_name=kw.pop("confirm_name", False),
        now=now,
        **kw,
    )


def test_signature_keeps_the_hash_of_the_text_signed_and_audits_ip(
    rf, documents, partner_a, couple, booking
):
    request = rf.post("/intake/", REMOTE_ADDR="203.0.113.9")
    request.user = partner_a
    sig = _sign(partner_a, documents[0], request=request)
    assert sig.version_hash == documents[0].content_hash and len(sig.version_hash) == 64
    assert sig.couple == couple and not sig.name_mismatch
    event = AuditEvent.objects.get(action="intake_document.sign")
    assert event.actor_id == partner_a.pk and event.ip == "203.0.113.9"
    assert event.object_id == str(sig.pk) and abs(event.at - sig.signed_at) < timedelta(seconds=5)


def test_name_unlike_the_account_asks_for_confirmation(documents, partner_a, booking):
    with pytest.raises(services.NameMismatch) as exc:
        _sign(partner_a, documents[0], name="S. Carter-Smith")
    assert exc.value.code == "name_mismatch" and exc.value.status == 409
    assert not Signature.objects.exists()
    sig = _sign(partner_a, documents[0], name="S. Carter-Smith", confirm_name=True)
    assert sig.name_mismatch and sig.typed_name == "S. Carter-Smith"


def test_name_match_ignores_case_and_spacing(documents, partner_a, booking):
    assert not _sign(partner_a, documents[0], name="  sam   CARTER ").name_mismatch


@pytest.mark.parametrize(
    ("name", "days", "field"),
    [("", 0, "typed_name"), ("S", 0, "typed_name"), ("Sam Carter", 5, "signed_on")],
)
def test_bad_signature_input_names_the_field(documents, partner_a, booking, name, days, field):
    today = timezone.now().astimezone(partner_a.tz).date()
    with pytest.raises(DomainError) as exc:
        services.document_sign(
            version=documents[0],
            user=partner_a,
            typed_name=name,
            signed_on=today + timedelta(days=days),
            confirm_name=True,
            now=timezone.now(),
        )
    assert exc.value.status == 422 and exc.value.extra["field"] == field


def test_only_the_couple_of_the_clinic_signs(documents, other_partner, other_couple, therapist):
    with pytest.raises(DomainError) as exc:
        _sign(other_partner, documents[0])
    assert exc.value.status == 403


def test_signing_twice_is_refused(documents, partner_a, booking):
    _sign(partner_a, documents[0])
    with pytest.raises(DomainError) as exc:
        _sign(partner_a, documents[0])
    assert exc.value.code == "already_signed"


def test_a_new_version_asks_again_and_keeps_old_signatures(
    documents, clinic, clinic_admin, partner_a, partner_b, booking
):
    sign_all(partner_a, documents)
    sign_all(partner_b, documents)
    assert selectors.consent_gate(booking=booking).ok
    v2 = services.document_version_publish(
        clinic=clinic,
        kind="telehealth_consent",
        title="Consent to telehealth",
        body="New text: sessions may be audio only.",
        by=clinic_admin,
        now=timezone.now(),
    )
    assert v2.number == 2
    gate = selectors.consent_gate(booking=booking)
    assert [v.pk for v in gate.missing_for(partner_a)] == [v2.pk]
    assert Signature.objects.filter(version=documents[0]).count() == 2  # kept on record
    with pytest.raises(DomainError) as exc:
        _sign(partner_a, documents[0])  # signing the superseded text is refused
    assert exc.value.code in {"superseded", "already_signed"}
    status = {d.version.pk: d for d in selectors.documents_for_partner(partner_a)}
    assert status[v2.pk].signature is None and status[v2.pk].earlier is not None


def test_gate_needs_both_partners(documents, partner_a, partner_b, booking):
    sign_all(partner_a, documents)
    gate = selectors.consent_gate(booking=booking)
    assert not gate.ok and not gate.missing_for(partner_a) and gate.missing_for(partner_b)


def test_clinic_without_documents_has_no_gate(booking):
    assert selectors.consent_gate(booking=booking).ok


def test_a_signed_version_cannot_be_deleted(documents, clinic_admin, partner_a, booking):
    _sign(partner_a, documents[0])
    with pytest.raises(DomainError) as exc:
        services.document_version_delete(version=documents[0], by=clinic_admin)
    assert exc.value.code == "signed_version" and exc.value.status == 409
    with pytest.raises(ProtectedError):  # and the database agrees
        documents[0].delete()
    services.document_version_delete(version=documents[1], by=clinic_admin)  # unsigned
    assert not DocumentVersion.objects.filter(pk=documents[1].pk).exists()


def test_only_the_clinics_admin_publishes(clinic, therapist, other_admin):
    for who in (therapist, other_admin):
        with pytest.raises(DomainError) as exc:
            services.document_version_publish(
                clinic=clinic,
                kind="privacy_notice",
                title="T",
                body="B",
                by=who,
                now=timezone.now(),
            )
        assert exc.value.status == 403


def test_publishing_the_same_text_again_is_refused(documents, clinic, clinic_admin):
    v = documents[1]
    with pytest.raises(DomainError) as exc:
        services.document_version_publish(
            clinic=clinic,
            kind="privacy_notice",
            title=v.title,
            body=v.body,
            by=clinic_admin,
            now=timezone.now(),
        )
    assert exc.value.code == "unchanged"


def test_emergency_contact_is_encrypted_at_rest(partner_a):
    from django.db import connection

    services.emergency_contact_save(
        user=partner_a,
        name="Maya Carter",
        relation="sister",
        phone="+1 415 555 0100",
        now=timezone.now(),
    )
    with connection.cursor() as cur:
        cur.execute("SELECT contact_name, contact_phone FROM intake_partnersafety")
        row = cur.fetchone()
    assert "Maya" not in row[0] and "555" not in row[1]
    assert PartnerSafety.objects.get(user=partner_a).contact_name == "Maya Carter"


@pytest.mark.parametrize(("phone", "ok"), [("+81 90-1234-5678", True), ("call me", False)])
def test_emergency_contact_phone_is_checked(partner_a, phone, ok):
    call = lambda: services.emergency_contact_save(  # noqa: E731
        user=partner_a, name="Ken", relation="", phone=phone, now=timezone.now()
    )
    if ok:
        assert call().contact_phone == phone
    else:
        with pytest.raises(DomainError) as exc:
            call()
        assert exc.value.extra["field"] == "phone"


@pytest.mark.parametrize(
    ("country", "region", "field"),
    [
        ("XX", "", "country"),
        ("US", "", "region"),
        ("US", "CA-ON", "region"),
        ("JP", "JP-13", "region"),
    ],
)
def test_bad_places_are_refused(partner_a, booking, country, region, field):
    with pytest.raises(DomainError) as exc:
        services.location_confirm(
            booking=booking,
            user=partner_a,
            country=country,
            region=region,
            free_text="",
            now=timezone.now(),
        )
    assert exc.value.extra["field"] == field


def test_location_is_per_session_and_prefilled_next_time(partner_a, booking, therapist, couple):
    services.location_confirm(
        booking=booking,
        user=partner_a,
        country="in",
        region="in-mh",
        free_text="",
        now=timezone.now(),
    )
    loc = SessionLocation.objects.get(booking=booking, user=partner_a)
    assert (loc.country, loc.region, loc.flagged) == ("IN", "IN-MH", False)
    assert selectors.location_prefill(partner_a)["region"] == "IN-MH"
    assert selectors.location_confirmed(booking=booking, user=partner_a)
    # Confirming again updates the one row for this session.
    services.location_confirm(
        booking=booking, user=partner_a, country="JP", region="", free_text="", now=timezone.now()
    )
    assert SessionLocation.objects.filter(booking=booking, user=partner_a).count() == 1


def test_free_text_location_is_kept_and_flagged(partner_b, booking):
    loc = services.location_confirm(
        booking=booking,
        user=partner_b,
        country="",
        region="",
        free_text="A ferry to Sado",
        now=timezone.now(),
    )
    assert loc.flagged and loc.free_text == "A ferry to Sado" and loc.country == ""


def test_other_couples_cannot_confirm_a_location(other_partner, other_couple, booking):
    with pytest.raises(DomainError) as exc:
        services.location_confirm(
            booking=booking,
            user=other_partner,
            country="GB",
            region="",
            free_text="",
            now=timezone.now(),
        )
    assert exc.value.status == 403


def test_room_panel_warns_for_a_partner_outside_the_licence(
    therapist, partner_a, partner_b, booking
):
    licence(therapist, "US-CA")
    now = timezone.now()
    services.location_confirm(
        booking=booking, user=partner_a, country="US", region="US-CA", free_text="", now=now
    )
    services.location_confirm(
        booking=booking, user=partner_b, country="JP", region="", free_text="", now=now
    )
    services.emergency_contact_save(
        user=partner_b, name="Kenji Tanaka", relation="brother", phone="+81 90 1234 5678", now=now
    )
    rows = {r.user.pk: r for r in selectors.room_panel(booking=booking, viewer=therapist)}
    assert rows[partner_a.pk].place_label == "California, United States"
    assert rows[partner_a.pk].licence_warning == ""
    assert rows[partner_b.pk].place_label == "Japan"
    assert "Outside your licensed" in rows[partner_b.pk].licence_warning
    assert rows[partner_b.pk].safety.contact_name == "Kenji Tanaka"
    assert AuditEvent.objects.filter(action="partnersafety.read", actor_id=therapist.pk).exists()


def test_a_country_licence_covers_its_states(therapist, partner_a, booking):
    licence(therapist, "US")
    services.location_confirm(
        booking=booking,
        user=partner_a,
        country="US",
        region="US-NY",
        free_text="",
        now=timezone.now(),
    )
    rows = selectors.room_panel(booking=booking, viewer=therapist)
    assert rows[0].licence_warning == ""


def test_room_panel_is_the_therapists_only(booking, partner_a, clinic_admin, other_therapist):
    for who in (partner_a, clinic_admin, other_therapist):
        assert selectors.room_panel(booking=booking, viewer=who) is None


def test_crisis_lines_follow_the_partners_own_country(partner_a, partner_b, booking):
    now = timezone.now()
    services.location_confirm(
        booking=booking, user=partner_a, country="US", region="US-CA", free_text="", now=now
    )
    services.location_confirm(
        booking=booking, user=partner_b, country="JP", region="", free_text="", now=now
    )
    a, b = selectors.safety_resources_for(partner_a), selectors.safety_resources_for(partner_b)
    assert any(line.number == "988" for line in a.lines)
    assert not any(line.number == "988" for line in b.lines)
    assert any("TELL" in line.name for line in b.lines)


def test_every_served_country_has_cited_lines():
    from intake.crisis import CRISIS_LINES

    assert set(CRISIS_LINES) == {"US", "GB", "JP", "PL", "IN", "BR"}
    for lines in CRISIS_LINES.values():
        assert len(lines) >= 2
        assert all(line.source.startswith("https://") and line.tel for line in lines)


def test_booking_notice_names_home_places_outside_the_licence(
    therapist, partner_a, partner_b, couple
):
    licence(therapist, "US-CA")
    now = timezone.now()
    services.home_place_save(user=partner_a, country="US", region="US-CA", now=now)
    services.home_place_save(user=partner_b, country="JP", region="", now=now)
    notices = selectors.licence_notices(therapist=therapist, couple=couple, viewer=partner_a)
    assert [(n.place_label, n.whose) for n in notices] == [("Japan", "Aiko lives")]
