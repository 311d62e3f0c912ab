"""Bad input to the scheduling API: a clear 422 with {detail, code}, never a 500."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from scheduling.models import Booking, BookingSeries
from tests.scheduling.test_api import API, _client, _payload, _slots

pytestmark = pytest.mark.django_db

EXTREMES = ["9999-12-31", "0001-01-01"]
EXTREME_INSTANTS = ["9999-12-31T23:30:00+00:00", "0001-01-01T00:00:00+05:00"]


def _is_error(r, status, code=None):
    body = r.json()
    assert r.status_code == status, r.content
    assert body["detail"] and body["code"]
    if code:
        assert body["code"] == code, body


@pytest.mark.parametrize("day", EXTREMES)
def test_slots_for_extreme_dates_answer_422(client, partner_a, couple, therapist, open_type, day):
    c = _client(client, partner_a)
    for start, end in ((day, day), (timezone.now().date().isoformat(), day)):
        r = c.get(
            f"{API}/slots",
            {
                "therapist_id": therapist.pk,
                "session_type_id": open_type.pk,
                "start": start,
                "end": end,
            },
        )
        assert r.status_code == 422, r.content
        assert r.json()["code"] in ("date_out_of_range", "invalid", "beyond_horizon")


@pytest.mark.parametrize("instant", EXTREME_INSTANTS)
@pytest.mark.parametrize("endpoint", ["holds", "bookings", "series"])
def test_holds_bookings_and_series_at_extreme_instants_answer_422(
    client, partner_a, couple, therapist, open_type, instant, endpoint
):
    c = _client(client, partner_a)
    payload = {**_payload(therapist, open_type, couple, timezone.now()), "starts_at": instant}
    if endpoint == "series":
        payload.update(frequency="weekly", count=2)
    r = c.post(f"{API}/{endpoint}", payload, content_type="application/json")
    _is_error(r, 422, "date_out_of_range")
    assert not Booking.objects.exists()


@pytest.mark.parametrize("instant", EXTREME_INSTANTS)
def test_reschedule_to_an_extreme_instant_answers_422(
    client, partner_a, couple, therapist, open_type, instant
):
    (first,) = _slots(therapist, open_type, couple, n=1)
    c = _client(client, partner_a)
    r = c.post(f"{API}/bookings", _payload(therapist, open_type, couple, first), "application/json")
    assert r.status_code == 201, r.content
    r = c.post(
        f"{API}/bookings/{r.json()['id']}/reschedule",
        {"starts_at": instant},
        content_type="application/json",
    )
    _is_error(r, 422, "date_out_of_range")
    assert Booking.objects.get().starts_at == first


def test_series_until_before_its_first_session_answers_422_and_writes_nothing(
    client, partner_a, couple, therapist, open_type
):
    (first,) = _slots(therapist, open_type, couple, n=1)
    c = _client(client, partner_a)
    payload = {
        **_payload(therapist, open_type, couple, first),
        "frequency": "weekly",
        "until": (first - timedelta(days=3)).date().isoformat(),
    }
    for path in ("series", "series/preview"):
        r = c.post(f"{API}/{path}", payload, content_type="application/json")
        _is_error(r, 422, "invalid")
        assert r.json()["field"] == "until"
    assert not BookingSeries.objects.exists() and not Booking.objects.exists()


def test_a_series_must_start_within_the_horizon_but_may_run_beyond_it(
    client, partner_a, couple, therapist, open_type
):
    """The documented rule (docs/api.md): the first session obeys the booking horizon;
    later weekly sessions may go past it."""
    open_type.horizon_days = 21
    open_type.save()
    c = _client(client, partner_a)
    late = _slots(therapist, open_type, couple, days=2, n=1)[0] + timedelta(days=28)
    r = c.post(
        f"{API}/series",
        {**_payload(therapist, open_type, couple, late), "frequency": "weekly", "count": 2},
        content_type="application/json",
    )
    _is_error(r, 422, "beyond_horizon")
    (first,) = _slots(therapist, open_type, couple, days=14, n=1)
    r = c.post(
        f"{API}/series",
        {**_payload(therapist, open_type, couple, first), "frequency": "weekly", "count": 4},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    starts = sorted(b["starts_at"] for b in r.json()["bookings"])
    assert len(starts) == 4 and starts[-1] > (timezone.now() + timedelta(days=21)).isoformat()
