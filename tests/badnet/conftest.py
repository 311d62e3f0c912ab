"""The bad-network lab: three namespaces (one per person) on a bridge where Daphne and
coturn listen, an impairment proxy in front of coturn, one Chromium per namespace.

The lab, coturn, the proxy and the browsers live for the module; each test gets its own
booking, Daphne and browser contexts. Building namespaces needs root: without it the
lab fixture fails with iproute2's message (these tests run in lane 2, never skipped).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.badnet.impair import ImpairmentProxy
from tests.badnet.netns import Lab
from tests.conftest import BROWSER_ARGS
from tests.signaling.conftest import _partners_said_where_they_are, booking  # noqa: F401
from tests.signaling.live import free_port, live_coturn

TURN_SECRET = "badnet-turn-secret-0123456789"
PEOPLE = ("therapist", "sam", "aiko")


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    lab = Lab(tmp_path_factory.mktemp("badnet"))
    try:
        for name in PEOPLE:
            lab.add_host(name)
        yield lab
    finally:
        lab.close()


@pytest.fixture(scope="module")
def coturn(lab):
    """coturn on the bridge address, relaying from it too."""
    port = free_port(lab.address)
    with live_coturn(
        address=lab.address,
        port=port,
        relay_ports=41000 + (port % 100) * 100,
        secret=TURN_SECRET,
        workdir=lab.workdir,
    ) as log:
        yield port, log


@pytest.fixture(scope="module")
def proxy(lab, coturn):
    """The impairment proxy every browser reaches coturn through."""
    port, _log = coturn
    proxy = ImpairmentProxy((lab.address, free_port(lab.address)), (lab.address, port), seed=17)
    yield proxy
    proxy.close()


@pytest.fixture(scope="module")
def daphne_port(lab):
    """Daphne's port, chosen before the browsers start: they must know its origin."""
    return free_port(lab.address)


@pytest.fixture(scope="module")
def lab_browsers(playwright, lab, daphne_port):
    """One Debian Chromium per person, each inside its own namespace."""
    # Camera, microphone and WebRTC need a secure context; on loopback plain http is
    # one, on the bridge address Chromium has to be told.
    origin = f"http://{lab.address}:{daphne_port}"
    args = [*BROWSER_ARGS, f"--unsafely-treat-insecure-origin-as-secure={origin}"]
    browsers = {}
    try:
        for host in lab.hosts:
            browsers[host.name] = playwright.chromium.launch(
                executable_path=str(host.wrapper), headless=True, args=args
            )
        yield browsers
    finally:
        for b in browsers.values():
            b.close()


@pytest.fixture
def lab_daphne(transactional_db, lab, proxy, daphne_port):
    """Daphne on the bridge address, handing out TURN through the proxy."""
    from tests.signaling.live import LiveDaphne

    server = LiveDaphne(
        {
            "ALLOWED_HOSTS": f"{lab.address},127.0.0.1",
            "TURN_URLS": f"turn:{proxy.listen[0]}:{proxy.listen[1]}?transport=udp",
            "TURN_SECRET": TURN_SECRET,
            "TURN_CREDENTIAL_TTL": "600",
        },
        host=lab.address,
        port=daphne_port,
    )
    yield server
    server.stop()


@pytest.fixture(scope="module")
def figures(request):
    """What the scenarios measured, printed and written to $DUET_VAR_DIR/badnet.json."""
    data: dict = {}
    yield data
    out = Path(os.environ.get("DUET_VAR_DIR", "var")) / "badnet.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, indent=2, sort_keys=True))
    print(f"\nbad-network figures ({out}):\n{json.dumps(data, indent=2, sort_keys=True)}")
