"""The inputs a security test found answered with a 500, and the
open redirect from a ``next`` (finding 8). Each now gets a clear 4xx or a safe redirect."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]


def _as(request, who: str) -> Client:
    client = Client(raise_request_exception=False)
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    return client


@pytest.mark.parametrize(
    ("who", "method", "url", "data", "expected"),
    [
        ("partner_a", "get", "/rooms/%00/", None, 404),
        ("therapist", "get", "/rooms/abc%00def/", None, 404),
        ("anonymous", "get", "/scheduling/feed/%00.ics", None, 404),
        ("anonymous", "get", "/scheduling/feed/abc%00.ics", None, 404),
        ("anonymous", "get", "/therapists/?q=%00", None, 400),
        ("partner_a", "get", "/therapists/?q=couples%00&language=%00", None, 400),
        ("clinic_admin", "get", "/api/accounts/audit?action=%00", None, 400),
        ("partner_a", "post", "/profile/", {"full_name": "Sam\x00", "time_zone": "UTC"}, 400),
        ("partner_a", "post", "/profile/", {"full_name": "Sam", "time_zone": "\x00"}, 400),
        ("therapist", "post", "/therapists/me/", {"headline": "\x00"}, 400),
        ("partner_a", "post", "/sessions/messages/start/", {"therapist": "abc"}, 404),
        ("therapist", "post", "/sessions/messages/start/", {"couple": "1e99"}, 404),
        ("therapist", "post", "/sessions/messages/start/", {"couple": "-1"}, 404),
        ("partner_a", "post", "/scheduling/feed/reset/", {"next": "javascript:alert(1)"}, 302),
    ],
)
def test_inputs_that_caused_a_500(request, couple, who, method, url, data, expected):
    response = getattr(_as(request, who), method)(url, data) if data else _as(request, who).get(url)
    assert response.status_code == expected, response.content[:300]


def test_api_refuses_a_nul_or_lone_surrogate_in_json_with_the_error_format(client, partner_a):
    client.force_login(partner_a)
    for body in ('{"title": "a\\u0000b"}', '{"title": "\\ud800"}'):
        response = client.put(
            "/api/sessions/homework/00000000-0000-0000-0000-000000000000/response",
            body,
            content_type="application/json",
        )
        assert response.status_code == 400
        assert response.json()["code"] == "bad_character"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "https:evil.example",
        "/\\evil.example",
        "javascript:alert(1)",
    ],
)
def test_calendar_link_reset_never_redirects_off_site(client, partner_a, couple, target):
    client.force_login(partner_a)
    response = client.post("/scheduling/feed/reset/", {"next": target})
    assert response.status_code == 302
    assert response["Location"] == "/scheduling/mine/"


def test_calendar_link_reset_follows_a_local_next(client, partner_a, couple):
    client.force_login(partner_a)
    response = client.post("/scheduling/feed/reset/", {"next": "/scheduling/calendar/"})
    assert response["Location"] == "/scheduling/calendar/"


def test_admin_login_passes_only_a_local_next(client):
    response = client.get("/admin/login/?next=https://evil.example/")
    assert "evil.example" not in response["Location"]
