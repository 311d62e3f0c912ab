"""The intake API: every operation, every refusal as 4xx {detail, code}."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from intake import services
from tests.intake.conftest import licence, sign_all

pytestmark = pytest.mark.django_db

API = "/api/intake"


def _json(client, method, url, body=None):
    fn = getattr(client, method)
    if body is None:
        return fn(url)
    return fn(url, data=json.dumps(body), content_type="application/json")


def _error(response, status, code=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) >= {"detail", "code"} and body["detail"]
    if code:
        assert body["code"] == code
    return body


def test_partner_lists_and_signs_documents(client, partner_a, documents, booking):
    client.force_login(partner_a)
    docs = client.get(f"{API}/documents").json()
    assert [d["kind"] for d in docs] == ["privacy_notice", "telehealth_consent"]
    assert not any(d["signed"] for d in docs)
    vid = documents[0].pk
    today = str(timezone.now().astimezone(partner_a.tz).date())
    mismatch = _json(
        client, "post", f"{API}/documents/{vid}/sign", {"typed_name": "Sammy", "signed_on": today}
    )
    body = _error(mismatch, 409, "name_mismatch")
    assert body["account_name"] == "Sam Carter"
    ok = _json(
        client,
        "post",
        f"{API}/documents/{vid}/sign",
        {"typed_name": "Sam Carter", "signed_on": today},
    )
    assert ok.status_code == 201 and ok.json()["version_hash"] == documents[0].content_hash
    again = _json(
        client,
        "post",
        f"{API}/documents/{vid}/sign",
        {"typed_name": "Sam Carter", "signed_on": today},
    )
    _error(again, 409, "already_signed")
    assert [s["version_id"] for s in client.get(f"{API}/signatures").json()] == [vid]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"typed_name": "Sam Carter"},
        {"typed_name": "Sam Carter", "signed_on": "yesterday"},
        {"typed_name": "x" * 200, "signed_on": "2026-01-01"},
    ],
)
def test_bad_signature_bodies_are_422(client, partner_a, documents, booking, body):
    client.force_login(partner_a)
    _error(_json(client, "post", f"{API}/documents/{documents[0].pk}/sign", body), 422)


@pytest.mark.parametrize("persona", ["other_partner", "therapist", "clinic_admin"])
def test_others_cannot_sign(client, request, documents, booking, other_couple, persona):
    client.force_login(request.getfixturevalue(persona))
    response = _json(
        client,
        "post",
        f"{API}/documents/{documents[0].pk}/sign",
        {"typed_name": "X Y", "signed_on": str(timezone.localdate())},
    )
    assert response.status_code in (403, 404)
    _error(response, response.status_code)


def test_anonymous_gets_401(client, documents):
    _error(client.get(f"{API}/documents"), 401, "not_authenticated")


def test_emergency_contact_and_home_place(client, partner_a):
    client.force_login(partner_a)
    assert client.get(f"{API}/emergency-contact").json() is None
    _error(
        _json(client, "put", f"{API}/emergency-contact", {"name": "Maya", "phone": "?"}),
        422,
        "invalid",
    )
    ok = _json(
        client,
        "put",
        f"{API}/emergency-contact",
        {"name": "Maya", "relation": "sister", "phone": "+1 415 555 0100"},
    )
    assert ok.status_code == 200 and ok.json()["name"] == "Maya"
    assert client.get(f"{API}/emergency-contact").json()["phone"] == "+1 415 555 0100"
    body = _error(_json(client, "put", f"{API}/home-place", {"country": "US"}), 422, "invalid")
    assert body["field"] == "region"
    assert _json(client, "put", f"{API}/home-place", {"country": "pl"}).json() == {
        "country": "PL",
        "region": "",
    }


def test_therapist_cannot_set_a_contact(client, therapist):
    client.force_login(therapist)
    _error(
        _json(client, "put", f"{API}/emergency-contact", {"name": "M", "phone": "+1 415 555 0100"}),
        403,
    )


def test_location_and_the_therapists_panel(
    client, partner_a, partner_b, therapist, other_partner, other_couple, booking
):
    licence(therapist, "US-CA")
    client.force_login(partner_b)
    url = f"{API}/sessions/{booking.pk}/location"
    _error(_json(client, "put", url, {"country": "ZZ"}), 422, "invalid")
    loc = _json(client, "put", url, {"free_text": "On a train near Kyoto"}).json()
    assert loc["flagged"] and loc["label"] == "On a train near Kyoto"
    loc = _json(client, "put", url, {"country": "JP"}).json()
    assert loc == {**loc, "country": "JP", "label": "Japan", "flagged": False}
    services.emergency_contact_save(
        user=partner_b, name="Kenji", relation="", phone="+81 90 1234 5678", now=timezone.now()
    )
    assert client.get(f"{API}/sessions/{booking.pk}/panel").status_code == 404
    client.force_login(other_partner)
    _error(_json(client, "put", url, {"country": "GB"}), 404, "not_found")
    client.force_login(therapist)
    rows = {r["name"]: r for r in client.get(f"{API}/sessions/{booking.pk}/panel").json()}
    assert rows["Aiko Tanaka"]["location"]["label"] == "Japan"
    assert "Outside" in rows["Aiko Tanaka"]["licence_warning"]
    assert rows["Aiko Tanaka"]["emergency_contact"]["name"] == "Kenji"
    assert rows["Sam Carter"]["location"] is None


def test_couple_signatures_for_therapist_and_admin(
    client, couple, therapist, clinic_admin, other_admin, partner_a, documents, booking
):
    sign_all(partner_a, documents)
    for who, status in (
        (therapist, 200),
        (clinic_admin, 200),
        (other_admin, 404),
        (partner_a, 404),
    ):
        client.force_login(who)
        response = client.get(f"{API}/couples/{couple.pk}/signatures")
        assert response.status_code == status
    client.force_login(clinic_admin)
    rows = {r["name"]: r for r in client.get(f"{API}/couples/{couple.pk}/signatures").json()}
    assert all(d["signed"] for d in rows["Sam Carter"]["documents"])
    assert not any(d["signed"] for d in rows["Aiko Tanaka"]["documents"])
    assert "emergency" not in json.dumps(rows).lower()


def test_admin_publishes_and_withdraws(
    client, clinic, clinic_admin, other_admin, partner_a, documents, booking
):
    sign_all(partner_a, documents[:1])
    client.force_login(clinic_admin)
    url = f"{API}/clinics/{clinic.pk}/documents/cancellation_policy/versions"
    _error(_json(client, "post", url, {"title": "", "body": "x"}), 422, "invalid")
    made = _json(client, "post", url, {"title": "Cancellation", "body": "24 hours notice."})
    assert made.status_code == 201 and made.json()["number"] == 1
    _error(
        _json(client, "post", url, {"title": "Cancellation", "body": "24 hours notice."}),
        409,
        "unchanged",
    )
    _error(client.delete(f"{API}/versions/{documents[0].pk}"), 409, "signed_version")
    assert client.delete(f"{API}/versions/{made.json()['id']}").status_code == 204
    _error(
        _json(
            client,
            "post",
            f"{API}/clinics/{clinic.pk}/documents/nonsense/versions",
            {"title": "a", "body": "b"},
        ),
        404,
    )
    client.force_login(other_admin)
    _error(_json(client, "post", url, {"title": "Mine", "body": "now"}), 404, "not_found")
    _error(client.delete(f"{API}/versions/{documents[1].pk}"), 404)
