"""The scheduling JSON API, including bad input and every persona's permissions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from scheduling.models import Booking
from scheduling.selectors import available_slots

pytestmark = pytest.mark.django_db
API = "/api/scheduling"


def _client(client, user):
    client.force_login(user)
    return client


def _slots(therapist, st, couple, days=2, n=3):
    now = timezone.now()
    found = available_slots(
        therapist=therapist,
        couple=couple,
        session_type=st,
        start=now + timedelta(days=days),
        end=now + timedelta(days=days + 1),
        now=now,
    )
    return [s for s, _ in found[:n]]


def _payload(therapist, st, couple, start):
    return {
        "therapist_id": therapist.pk,
        "session_type_id": st.pk,
        "couple_id": couple.pk,
        "starts_at": start.isoformat(),
    }


def test_slots_in_the_asked_zone_with_each_partner_time(
    client, partner_a, couple, therapist, open_type
):
    today = timezone.now().date()
    r = _client(client, partner_a).get(
        f"{API}/slots",
        {
            "therapist_id": therapist.pk,
            "session_type_id": open_type.pk,
            "start": (today + timedelta(days=1)).isoformat(),
            "end": (today + timedelta(days=2)).isoformat(),
            "tz": "Asia/Kolkata",
            "local": "true",
        },
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["time_zone"] == "Asia/Kolkata" and body["slots"]
    slot = body["slots"][0]
    assert slot["local_start"].endswith("+05:30")
    zones = {p["time_zone"]: p["local_start"] for p in slot["partners"]}
    assert set(zones) == {"America/Los_Angeles", "Asia/Tokyo"}
    assert zones["Asia/Tokyo"].endswith("+09:00")
    start = datetime.fromisoformat(slot["starts_at"])
    assert datetime.fromisoformat(zones["Asia/Tokyo"]) == start


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"tz": "Mars/Olympus_Mons"}, 422, "tz"),
        ({"start": "2030-01-10", "end": "2030-01-09"}, 422, "end"),
        ({"end_days": 90}, 422, "end"),
        ({"start": "not-a-date"}, 422, "start"),
        ({"session_type_id": 99999}, 422, "session_type_id"),
    ],
)
def test_slots_bad_input_names_the_field(
    client, partner_a, couple, therapist, open_type, params, status, field
):
    today = timezone.now().date()
    query = {
        "therapist_id": therapist.pk,
        "session_type_id": open_type.pk,
        "start": today.isoformat(),
        "end": (today + timedelta(days=params.pop("end_days", 6))).isoformat(),
        **params,
    }
    r = _client(client, partner_a).get(f"{API}/slots", query)
    assert r.status_code == status, r.content
    body = r.json()
    assert set(body) >= {"detail", "code"}
    assert (
        field in body["detail"]
        or body.get("field") == field
        or any(e.get("field") == field for e in body.get("errors", []))
    )


def test_range_over_the_horizon_is_refused(client, partner_a, couple, therapist, open_type):
    start = timezone.now().date() + timedelta(days=59)
    r = _client(client, partner_a).get(
        f"{API}/slots",
        {
            "therapist_id": therapist.pk,
            "session_type_id": open_type.pk,
            "start": start.isoformat(),
            "end": (start + timedelta(days=6)).isoformat(),
        },
    )
    assert r.status_code == 422 and r.json()["code"] == "beyond_horizon"


def test_anonymous_gets_401(client, therapist, open_type):
    r = client.get(
        f"{API}/slots",
        {
            "therapist_id": therapist.pk,
            "session_type_id": open_type.pk,
            "start": "2030-01-01",
            "end": "2030-01-02",
        },
    )
    assert r.status_code == 401 and r.json()["code"] == "not_authenticated"


def test_book_get_list_and_conflicts(
    client, partner_a, partner_b, couple, other_partner, other_couple, therapist, open_type
):
    first, second, _ = _slots(therapist, open_type, couple)
    c = _client(client, partner_a)
    r = c.post(
        f"{API}/bookings",
        _payload(therapist, open_type, couple, first),
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    booking = r.json()
    assert booking["status"] == "confirmed" and booking["booked_by_id"] == partner_a.pk

    r = c.get(f"{API}/bookings/{booking['id']}")
    assert r.status_code == 200 and r.json()["id"] == booking["id"]
    assert [b["id"] for b in c.get(f"{API}/bookings").json()] == [booking["id"]]

    # partner B sees it too; the other couple does not
    c.force_login(partner_b)
    assert c.get(f"{API}/bookings/{booking['id']}").status_code == 200
    c.force_login(other_partner)
    assert c.get(f"{API}/bookings/{booking['id']}").status_code == 404
    assert c.get(f"{API}/bookings").json() == []

    # same slot for another couple: 409 with nearest free slots
    r = c.post(
        f"{API}/bookings",
        _payload(therapist, open_type, other_couple, first),
        content_type="application/json",
    )
    assert r.status_code == 409
    body = r.json()
    assert body["code"] == "slot_taken" and body["suggestions"]
    assert first.isoformat() not in [s["starts_at"] for s in body["suggestions"]]

    # a couple you are not in
    r = c.post(
        f"{API}/bookings",
        _payload(therapist, open_type, couple, second),
        content_type="application/json",
    )
    assert r.status_code == 403 and r.json()["code"] == "not_your_couple"

    # a time not offered
    odd = first + timedelta(days=1, minutes=7)
    r = c.post(
        f"{API}/bookings",
        _payload(therapist, open_type, other_couple, odd),
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["code"] == "slot_not_offered"


def test_validation_errors_name_the_field(client, partner_a, couple, therapist, open_type):
    c = _client(client, partner_a)
    payload = _payload(therapist, open_type, couple, datetime.now(UTC))
    del payload["starts_at"]
    r = c.post(f"{API}/bookings", payload, content_type="application/json")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "starts_at"
    payload["starts_at"] = "2030-01-01T10:00:00"  # no offset
    r = c.post(f"{API}/bookings", payload, content_type="application/json")
    assert r.status_code == 422 and "starts_at" in r.json()["detail"]


def test_hold_confirm_and_release(client, partner_a, partner_b, couple, therapist, open_type):
    first, _, _ = _slots(therapist, open_type, couple)
    c = _client(client, partner_a)
    r = c.post(
        f"{API}/holds",
        _payload(therapist, open_type, couple, first),
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["status"] == "held" and r.json()["hold_expires_at"]
    hold_id = r.json()["id"]
    c.force_login(partner_b)
    r = c.post(f"{API}/holds/{hold_id}/confirm")
    assert r.status_code == 200 and r.json()["status"] == "confirmed"
    r = c.post(f"{API}/holds/{hold_id}/confirm")
    assert r.status_code == 409

    later = first + timedelta(days=1)
    r = c.post(
        f"{API}/holds",
        _payload(therapist, open_type, couple, later),
        content_type="application/json",
    )
    hold_id = r.json()["id"]
    assert c.delete(f"{API}/holds/{hold_id}").status_code == 204
    assert not Booking.objects.filter(pk=hold_id).exists()


def test_reschedule_and_cancel(client, partner_a, couple, other_partner, therapist, open_type):
    first, _, _ = _slots(therapist, open_type, couple, days=3)
    second = first + timedelta(days=1)
    c = _client(client, partner_a)
    booking = c.post(
        f"{API}/bookings",
        _payload(therapist, open_type, couple, first),
        content_type="application/json",
    ).json()
    policy = c.get(f"{API}/bookings/{booking['id']}/cancellation").json()
    assert policy["late"] is False and policy["late_cancel_hours"] == 24

    r = c.post(
        f"{API}/bookings/{booking['id']}/reschedule",
        {"starts_at": second.isoformat()},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["id"] == booking["id"]
    assert datetime.fromisoformat(r.json()["starts_at"]) == second

    r = c.post(
        f"{API}/bookings/{booking['id']}/reschedule",
        {"starts_at": second.isoformat(), "scope": "sideways"},
        content_type="application/json",
    )
    assert r.status_code == 422

    c.force_login(other_partner)
    assert (
        c.post(
            f"{API}/bookings/{booking['id']}/cancel", {}, content_type="application/json"
        ).status_code
        == 404
    )
    c.force_login(partner_a)
    r = c.post(f"{API}/bookings/{booking['id']}/cancel", {}, content_type="application/json")
    assert r.status_code == 200 and r.json()[0]["status"] == "cancelled"
    r = c.post(f"{API}/bookings/{booking['id']}/cancel", {}, content_type="application/json")
    assert r.status_code == 409


def test_series_preview_then_create(client, partner_a, couple, therapist, open_type):
    (first,) = _slots(therapist, open_type, couple, n=1)
    c = _client(client, partner_a)
    payload = {**_payload(therapist, open_type, couple, first), "frequency": "weekly", "count": 3}
    r = c.post(f"{API}/series/preview", payload, content_type="application/json")
    assert r.status_code == 200 and [o["ok"] for o in r.json()["occurrences"]] == [True] * 3
    r = c.post(f"{API}/series", payload, content_type="application/json")
    assert r.status_code == 201, r.content
    series = r.json()
    assert len(series["bookings"]) == 3
    assert c.get(f"{API}/series/{series['id']}").status_code == 200
    r = c.post(f"{API}/series", payload, content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "series_conflict"
    r = c.post(f"{API}/series", {**payload, "count": 0}, content_type="application/json")
    assert r.status_code == 422


def test_therapist_search_shows_soonest_availability(
    client, partner_a, therapist, open_type, other_therapist
):
    r = _client(client, partner_a).get(f"{API}/therapists", {"q": "Hale"})
    assert r.status_code == 200
    (row,) = r.json()
    assert row["id"] == therapist.pk and row["earliest_free_start"] is not None
    assert row["session_types"][0]["name"] == "Open session"


def test_therapist_deactivated_is_not_found_in_search(client, partner_a, therapist, open_type):
    therapist.clinic_memberships.update(is_active=False)
    assert _client(client, partner_a).get(f"{API}/therapists").json() == []


def test_availability_and_windows(client, therapist, partner_a):
    c = _client(client, therapist)
    r = c.put(
        f"{API}/availability",
        {"weekly": {"0": [{"start": "09:00", "end": "12:00"}, {"start": "13:00", "end": "17:00"}]}},
        content_type="application/json",
    )
    assert r.status_code == 200 and len(r.json()["weekly"]["0"]) == 2
    r = c.put(
        f"{API}/availability",
        {"weekly": {"0": [{"start": "12:00", "end": "09:00"}]}},
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["field"] == "weekday_0"
    c.force_login(partner_a)
    assert c.get(f"{API}/availability").status_code == 403
    r = c.put(
        f"{API}/windows",
        {"weekly": {"2": [{"start": "18:00", "end": "22:00"}]}},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["time_zone"] == "America/Los_Angeles"


def test_openapi_lists_the_scheduling_endpoints(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/scheduling/slots",
        "/api/scheduling/bookings",
        "/api/scheduling/holds",
        "/api/scheduling/series",
    ):
        assert path in paths
