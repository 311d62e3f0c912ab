"""Every API error is {detail, code} JSON: unknown URLs, wrong methods, CSRF, sign-in."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _error(r, status, code):
    assert r.status_code == status, r.content
    assert r["Content-Type"].startswith("application/json")
    body = r.json()
    assert body["code"] == code and body["detail"], body


def test_unknown_api_url_is_a_json_404(client, partner_a):
    _error(client.get("/api/no/such/thing"), 404, "not_found")
    client.force_login(partner_a)
    _error(client.get("/api/scheduling/bookings/999999"), 404, "not_found")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("put", "/api/scheduling/bookings"),
        ("delete", "/api/scheduling/slots"),
        ("get", "/api/scheduling/holds"),
        ("patch", "/api/health"),
    ],
)
def test_a_wrong_method_is_a_json_405_naming_the_allowed_ones(client, partner_a, method, path):
    client.force_login(partner_a)
    r = getattr(client, method)(path)
    _error(r, 405, "method_not_allowed")
    assert r["Allow"]


def test_anonymous_api_post_is_401_not_a_csrf_403():
    c = Client(enforce_csrf_checks=True)
    r = c.post("/api/scheduling/holds", {}, content_type="application/json")
    _error(r, 401, "not_authenticated")


def test_signed_in_post_without_csrf_token_is_a_json_403(partner_a):
    c = Client(enforce_csrf_checks=True)
    c.force_login(partner_a)
    r = c.post("/api/scheduling/holds", {}, content_type="application/json")
    _error(r, 403, "csrf_failed")


def test_me_returns_my_couple_id(client, partner_a, partner_b, couple, therapist):
    _error(client.get("/api/me"), 401, "not_authenticated")
    client.force_login(partner_a)
    body = client.get("/api/me").json()
    assert body["id"] == partner_a.pk and body["couple_id"] == couple.pk
    assert sorted(body["partner_ids"]) == sorted([partner_a.pk, partner_b.pk])
    client.force_login(therapist)
    assert client.get("/api/me").json()["couple_id"] is None


def test_openapi_declares_the_error_responses(client):
    schema = client.get("/api/openapi.json").json()
    assert "ApiError" in schema["components"]["schemas"]
    hold = schema["paths"]["/api/scheduling/holds"]["post"]["responses"]
    for status in ("401", "403", "404", "405", "422"):
        assert status in hold, status
        assert hold[status]["content"]["application/json"]["schema"]["$ref"].endswith("ApiError")
    me = schema["paths"]["/api/me"]["get"]
    assert "couple_id" in str(schema["components"]["schemas"]["MeOut"]) and me["summary"]
