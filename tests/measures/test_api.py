"""The measures API: in the OpenAPI schema, 422 {detail, code} on bad input, and the
privacy rule (the other partner reaches none of a partner's answers)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from measures.models import MeasureResponse
from tests.measures.helpers import answer_after, answer_before, fill

pytestmark = pytest.mark.django_db


def _client(user=None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def test_operations_are_in_the_openapi_schema():
    schema = _client().get("/api/openapi.json").json()
    paths = [p for p in schema["paths"] if p.startswith("/api/measures/")]
    assert {
        "/api/measures/instruments",
        "/api/measures/bookings/{booking_id}/due",
        "/api/measures/bookings/{booking_id}/answers",
        "/api/measures/mine",
        "/api/measures/mine/trends",
        "/api/measures/answers/{answer_id}",
        "/api/measures/couples/{couple_id}",
        "/api/measures/clinics/{clinic_id}/plan",
        "/api/measures/clinics/{clinic_id}/figures",
    } <= set(paths)


def test_instruments_carry_id_version_cutoff_and_source(partner_a):
    body = _client(partner_a).get("/api/measures/instruments").json()
    phq = next(i for i in body if i["id"] == "phq9")
    assert (phq["version"], phq["cutoff"], phq["reliable_change"], phq["max_total"]) == (
        1,
        10,
        6,
        27,
    )
    assert "Kroenke" in phq["source"] and len(phq["items"]) == 9


def test_partner_answers_through_the_api(sessions, partner_a):
    _, upcoming = sessions
    c = _client(partner_a)
    due = c.get(f"/api/measures/bookings/{upcoming.pk}/due?moment=before").json()
    assert [i["id"] for i in due] == ["wellbeing"]
    r = c.post(
        f"/api/measures/bookings/{upcoming.pk}/answers",
        {"moment": "before", "answers": {"wellbeing": fill("wellbeing", 7)}},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    (saved,) = r.json()
    assert (saved["instrument"], saved["version"], saved["total"], saved["session_number"]) == (
        "wellbeing",
        1,
        28,
        4,
    )
    assert c.get(f"/api/measures/answers/{saved['id']}").json()["total"] == 28


@pytest.mark.parametrize(
    ("answers", "code", "field"),
    [
        (
            {"wellbeing": {"me": 11, "relationship": 1, "daily": 1, "overall": 1}},
            "invalid_answer",
            "wellbeing.me",
        ),
        (
            {"wellbeing": {"me": 1, "relationship": 1, "daily": 1}},
            "invalid_answer",
            "wellbeing.overall",
        ),
        ({}, "missing", "answers"),
        ({"wellbeing": fill("wellbeing", 1), "phq9": fill("phq9", 0)}, "not_due", "phq9"),
    ],
)
def test_bad_answers_answer_422_with_detail_and_code(sessions, partner_a, answers, code, field):
    _, upcoming = sessions
    r = _client(partner_a).post(
        f"/api/measures/bookings/{upcoming.pk}/answers",
        {"moment": "before", "answers": answers},
        content_type="application/json",
    )
    assert r.status_code == 422
    body = r.json()
    assert (body["code"], body["field"]) == (code, field) and body["detail"]
    assert MeasureResponse.objects.count() == 0


def test_malformed_payload_is_422(sessions, partner_a):
    _, upcoming = sessions
    r = _client(partner_a).post(
        f"/api/measures/bookings/{upcoming.pk}/answers",
        json.dumps({"moment": "whenever", "answers": {"wellbeing": {"me": "lots"}}}),
        content_type="application/json",
    )
    assert r.status_code == 422 and {"detail", "code"} <= set(r.json())


def test_other_partner_and_strangers_reach_no_answer(
    sessions, partner_a, partner_b, therapist, other_partner, other_therapist, clinic_admin, couple
):
    past, upcoming = sessions
    answer_before(partner_a, past[0])
    answer_after(partner_a, past[0], 9)
    mine = list(MeasureResponse.objects.filter(user=partner_a))
    for user in (partner_b, other_partner, other_therapist, clinic_admin, None):
        c = _client(user)
        for r in mine:
            assert c.get(f"/api/measures/answers/{r.pk}").status_code in (401, 404)
        got = c.get("/api/measures/mine")
        assert got.status_code == 401 or got.json() == []
        assert c.get(f"/api/measures/couples/{couple.pk}").status_code in (401, 403, 404)
        for path in (
            "/api/measures/mine",
            "/api/measures/mine/trends",
            f"/api/measures/couples/{couple.pk}",
        ):
            text = c.get(path).content.decode()
            assert not any(str(r.pk) in text for r in mine)
    # The partner cannot answer for the other couple's sessions, nor see what they are asked.
    assert (
        _client(other_partner).get(f"/api/measures/bookings/{upcoming.pk}/due").status_code == 404
    )


def test_therapist_sees_both_partners(sessions, partner_a, partner_b, therapist, couple):
    past, _ = sessions
    answer_after(partner_a, past[0], 10)
    answer_after(partner_b, past[0], 7)
    body = _client(therapist).get(f"/api/measures/couples/{couple.pk}").json()
    totals = {p["user_id"]: p["series"][0]["points"][0]["total"] for p in body["partners"]}
    assert totals == {partner_a.pk: 40, partner_b.pk: 28}
    assert [f["kind"] for f in body["flags"]] == ["split"]
    for r in MeasureResponse.objects.all():
        assert _client(therapist).get(f"/api/measures/answers/{r.pk}").status_code == 200


def test_plan_api_is_for_the_clinic_admin(clinic, clinic_admin, other_admin, therapist):
    url = f"/api/measures/clinics/{clinic.pk}/plan"
    assert _client(clinic_admin).get(url).json()["split_gap"] == 6
    for user in (other_admin, therapist):
        assert _client(user).get(url).status_code == 404
    body = {"schedule": {"phq9": {"when": "every_n", "every": 3}}, "split_gap": 8, "on_track_by": 5}
    r = _client(clinic_admin).put(url, body, content_type="application/json")
    assert r.status_code == 200 and r.json()["schedule"]["phq9"] == {"when": "every_n", "every": 3}
    bad = _client(clinic_admin).put(url, {**body, "split_gap": 0}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["code"] == "bad_gap"


def test_figures_api(sessions, clinic, clinic_admin, therapist, other_admin, partner_a, partner_b):
    past, _ = sessions
    for b in past:
        answer_before(partner_a, b)
        answer_after(partner_a, b, 9)
    url = f"/api/measures/clinics/{clinic.pk}/figures"
    body = _client(clinic_admin).get(url).json()
    assert body["total"]["couples"] == 1
    # Due at three sessions: A 4+1+1 before, 3 after; B the same. A answered all, B none.
    assert (body["total"]["answered"], body["total"]["due"]) == (9, 18)
    assert _client(therapist).get(url).json()["therapists"][0]["label"] == therapist.name
    assert _client(other_admin).get(url).status_code == 403
    assert _client(partner_a).get(url).status_code == 403
