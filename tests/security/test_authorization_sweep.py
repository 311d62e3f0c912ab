"""Authorization sweep: every URL pattern (pages and API) and every websocket route,
filled with every id of one couple's objects, requested as every other persona.

Markers planted in each health-data object must never appear in a response to someone
who may not read it. The number of leaks is printed and must be 0.
"""

from __future__ import annotations

import itertools
import re

import pytest
from asgiref.sync import async_to_sync
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.security.planting import Planted, plant

pytestmark = [pytest.mark.usefixtures("fast_password_hashing")]

# Who may read which category of marker (everyone else: nothing).
ALLOWED = {
    "partner_a": {"shared", "private_a"},
    "partner_b": {"shared", "private_b"},
    "clinic_admin": {"clinic"},
    "other_partner": set(),
    "other_therapist": set(),
    "other_admin": set(),
    "anonymous": set(),
}
PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")
SKIP_PREFIXES = ("static/", "media/")
# Routes with several parameters try at most this many id combinations; one-parameter
# routes try every planted id (a cap there once left a planted thread untried whenever
# its random UUID sorted past the cut, and the sweep looked at less than it claimed).
MAX_COMBOS = 24


def _walk(patterns, prefix: str = ""):
    for p in patterns:
        route = str(p.pattern)
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + route)
        elif isinstance(p, URLPattern):
            yield prefix + route


def _is_regex(route: str) -> bool:
    return route.startswith("^") or "(?P<" in route or "\\" in route


def _candidates(route: str, ids: dict[str, set[str]], limit: int = 0) -> list[str]:
    params = list(PARAM.finditer(route))
    if not params:
        return [route]
    choices = []
    for m in params:
        conv = m.group("conv") or "str"
        pool = ids["uuid"] if conv == "uuid" else ids["int"] if conv == "int" else ids["str"]
        choices.append(sorted(pool))
    out = []
    cap = limit or (None if len(choices) == 1 else MAX_COMBOS)
    for combo in itertools.islice(itertools.product(*choices), cap):
        url = route
        for value in combo:
            url = PARAM.sub(value, url, count=1)
        out.append(url)
    return out


def http_urls(planted: Planted) -> list[str]:
    urls = []
    ids = planted.ids()
    for route in _walk(get_resolver().url_patterns):
        if _is_regex(route) or route.startswith(SKIP_PREFIXES):
            continue
        # Django admin is staff-only as a whole (no persona here is staff): a couple of
        # ids per admin route show the gate holds without thousands of redirects.
        limit = 2 if route.startswith("admin/") else 0
        urls.extend("/" + u for u in _candidates(route, ids, limit))
    return sorted(set(urls))


@pytest.fixture
def world(
    db,
    couple,
    partner_a,
    partner_b,
    therapist,
    clinic,
    clinic_admin,
    other_couple,
    other_partner,
    other_therapist,
    other_admin,
):
    planted = plant(
        couple=couple, partner_a=partner_a, partner_b=partner_b, therapist=therapist, clinic=clinic
    )
    personas = {
        "partner_a": partner_a,
        "partner_b": partner_b,
        "clinic_admin": clinic_admin,
        "other_partner": other_partner,
        "other_therapist": other_therapist,
        "other_admin": other_admin,
        "anonymous": None,
    }
    return planted, personas


def _leaks(text: str, planted: Planted, persona: str) -> list[str]:
    allowed = ALLOWED[persona]
    return [m for m, cat in planted.markers.items() if m in text and cat not in allowed]


def test_every_health_data_model_is_planted(world):
    planted, _ = world
    assert planted.unplanted == [], "add a planter in tests/security/planting.py"
    assert len(planted.markers) >= 8


# Every URL as every persona: several thousand requests, more with each new page.
@pytest.mark.timeout(1200)
def test_no_url_leaks_health_data_to_other_personas(world, capsys):
    planted, personas = world
    urls = http_urls(planted)
    assert any("/sessions/notes/" in u for u in urls) and any(u.startswith("/api/") for u in urls)
    leaks, errors, requests = [], [], 0
    for name, user in personas.items():
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        for url in urls:
            if url.endswith(("/logout/", "/export/")):
                continue  # state-changing or POST-only; covered by their own tests
            response = client.get(url)
            requests += 1
            if response.status_code >= 500:
                errors.append(f"{name} GET {url} -> {response.status_code}")
            body = b"".join(response) if response.streaming else response.content
            for m in _leaks(body.decode(errors="replace"), planted, name):
                leaks.append(f"{name} GET {url} shows {planted.markers[m]} marker")
    with capsys.disabled():
        print(
            f"\nauthorization sweep: {len(urls)} urls x {len(personas)} personas = "
            f"{requests} requests, {len(planted.markers)} markers, leaks: {len(leaks)}"
        )
    assert leaks == []
    assert errors == []


def _sweep(urls, personas, planted) -> tuple[list[str], list[str], int]:
    leaks, errors, requests = [], [], 0
    for name, user in personas.items():
        client = Client(raise_request_exception=False)
        client.force_login(user)
        for url in urls:
            if url.endswith(("/logout/", "/export/")):
                continue
            response = client.get(url)
            requests += 1
            if response.status_code >= 500:
                errors.append(f"{name} GET {url} -> {response.status_code}")
            body = b"".join(response) if response.streaming else response.content
            text = body.decode(errors="replace")
            leaks += [
                f"{name} GET {url} shows {planted.markers[m]}" for m in planted.markers if m in text
            ]
    return leaks, errors, requests


def test_cancelled_therapist_and_new_partner_read_nothing(world, capsys):
    """Two personas: a therapist whose only booking with the couple was
    cancelled, and a partner who joined after everything was written (partner B left)."""
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import CoupleMembership
    from accounts.services import couple_leave
    from scheduling.models import Booking
    from tests.conftest import _therapist
    from tests.factories import make_user

    planted, personas = world
    couple = next(o for o in planted.objects if type(o).__name__ == "Couple")
    clinic = next(o for o in planted.objects if type(o).__name__ == "Booking").clinic
    casey = _therapist("casey@example.com", "Casey Cancelled", "UTC", clinic)
    start = timezone.now() + timedelta(days=3)
    gone = Booking.objects.create(
        therapist=casey,
        couple=couple,
        clinic=clinic,
        starts_at=start,
        ends_at=start + timedelta(minutes=50),
        status=Booking.Status.CANCELLED,
    )
    planted.objects.append(gone)
    couple_leave(user=personas["partner_b"], now=timezone.now())
    newcomer = make_user("noor@example.com", "Noor Newman")
    CoupleMembership.objects.create(
        couple=couple, user=newcomer, seat=2, joined_at=timezone.now() + timedelta(seconds=1)
    )
    urls = http_urls(planted)
    leaks, errors, requests = _sweep(
        urls, {"cancelled_therapist": casey, "new_partner": newcomer}, planted
    )
    with capsys.disabled():
        print(
            f"\ncancelled therapist + new partner sweep: {requests} requests, leaks: {len(leaks)}"
        )
    assert leaks == []
    assert errors == []


def test_the_author_sees_their_own_data(world):
    """The sweep would be vacuous if markers were never shown to anyone."""
    planted, personas = world
    client = Client()
    client.force_login(personas["partner_a"])
    urls = http_urls(planted)
    seen = set()
    for url in urls:
        if "/messages/" in url:
            seen.update(m for m in planted.markers if m in client.get(url).content.decode())
    assert any(planted.markers[m] == "private_a" for m in seen)
    assert any(planted.markers[m] == "shared" for m in seen)


@pytest.mark.django_db(transaction=True)
def test_no_websocket_route_leaks(
    couple,
    partner_a,
    partner_b,
    therapist,
    clinic,
    other_partner,
    other_therapist,
    other_admin,
    capsys,
):
    from channels.routing import URLRouter
    from channels.testing import WebsocketCommunicator

    from signaling.routing import websocket_urlpatterns

    planted = plant(
        couple=couple, partner_a=partner_a, partner_b=partner_b, therapist=therapist, clinic=clinic
    )
    ids = planted.ids()
    routes = list(_walk(websocket_urlpatterns))
    app = URLRouter(websocket_urlpatterns)
    attempts, leaks = 0, []

    async def probe(path: str, user) -> list[str]:
        from django.contrib.auth.models import AnonymousUser

        communicator = WebsocketCommunicator(app, path)
        communicator.scope["user"] = user or AnonymousUser()
        try:
            connected, _ = await communicator.connect(timeout=3)
        except Exception:
            return []
        found = [f"accepted {path}"] if connected and PARAM.search(path) is None else []
        texts = []
        if connected:
            for _ in range(20):
                try:
                    texts.append(str(await communicator.receive_output(timeout=0.3)))
                except Exception:
                    break
            await communicator.disconnect()
        return found + [m for m in planted.markers if any(m in t for t in texts)]

    for route in routes:
        if _is_regex(route):
            continue
        for path in _candidates(route, ids):
            for name, user in {
                "other_partner": other_partner,
                "other_therapist": other_therapist,
                "other_admin": other_admin,
                "anonymous": None,
            }.items():
                attempts += 1
                got = async_to_sync(probe)("/" + path, user)
                leaks.extend(f"{name} ws /{path}: {g}" for g in got if not g.startswith("accepted"))
    with capsys.disabled():
        print(f"\nwebsocket sweep: {len(routes)} routes, {attempts} attempts, leaks: {len(leaks)}")
    assert leaks == []
