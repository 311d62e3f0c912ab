"""A real Chromium through a live Daphne: a couple signs the clinic's consent, each
partner says where they are on joining, the therapist sees both places, the emergency
contact and a licence warning for the Tokyo partner; the quick exit leaves the call
and the history."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from tests.factories import browser_log_in
from tests.intake.conftest import licence
from tests.signaling.conftest import live_daphne  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEUTRAL_PAGE = b"<!doctype html><title>Weather</title><h1>Weather today</h1>"
PORTS = range(8500, 8600)  # this suite's own port range on the shared machine


@pytest.fixture
def neutral_site():
    """An ordinary website on 127.0.0.1 for the quick exit to land on."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(NEUTRAL_PAGE)))
            self.end_headers()
            self.wfile.write(NEUTRAL_PAGE)

        def log_message(self, *args):
            pass

    for port in PORTS:
        try:
            server = ThreadingHTTPServer(("127.0.0.1", port), Page)
            break
        except OSError:
            continue
    else:
        raise RuntimeError("no free port in 8500-8599")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/weather"
    server.shutdown()
    server.server_close()


# What intake draws (site-wide parts such as flash messages are checked with the pages
# that own them).
AXE_RUN = """async () => {
  const mine = ['.intake-form', '.intake-docs', '.intake-panel', '.quick-exit', '.intake-safety']
    .filter(sel => document.querySelector(sel)).map(sel => [sel]);
  const result = await axe.run({include: mine}, {resultTypes: ['violations']});
  return result.violations.filter(v => ['critical', 'serious'].includes(v.impact)).map(v =>
    `${v.id}: ${v.help} (${v.nodes[0].target.join(' ')})`);
}"""


def _axe(page) -> list[str]:
    """Serious accessibility problems on the page as it is (vendored axe-core)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url="/static/vendor/axe-core/axe.min.js")
    return page.evaluate(AXE_RUN)


def _page(new_context, base, user, **kw):
    page = new_context(permissions=["camera", "microphone"], **kw).new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    browser_log_in(page, base, user)
    return page


def _sign_everything(page, name):
    """From the intake page the room sent us to: read and sign each document."""
    page.wait_for_selector("[data-testid=intake-gate]")
    page.click("text=Read & sign >> nth=0")
    for _ in range(2):
        page.wait_for_selector("[data-testid=sign-form]")
        page.fill("#id_typed_name", name)
        page.check("#id_agree")
        page.click("[data-testid=sign-form] button[type=submit]")
        page.wait_for_load_state()


def _where(page, country, region=""):
    page.wait_for_selector("[data-testid=where-form]")
    page.select_option("#id_country", country)
    if region:
        page.select_option("#id_region", region)
    else:
        assert page.is_hidden("#id_region")  # asked only for US, CA, AU, IN
    page.click("text=Confirm and continue")
    page.wait_for_selector("#join-btn:not([disabled])")


def _join(page):
    page.wait_for_selector("#join-btn:not([disabled])")
    page.evaluate("() => document.querySelector('#join-btn').click()")


def test_consent_locations_panel_and_quick_exit(
    live_daphne,  # noqa: F811
    new_context,
    neutral_site,
    documents,
    booking,
    therapist,
    partner_a,
    partner_b,
):
    licence(therapist, "US-CA")
    server = live_daphne({"QUICK_EXIT_URL": neutral_site})
    base = server.url
    room = f"{base}/rooms/{booking.room_id}/"

    sam = _page(new_context, base, partner_a, viewport={"width": 1280, "height": 800})
    aiko = _page(new_context, base, partner_b, viewport={"width": 390, "height": 844})

    # Sam signs both documents, then waits for Aiko's signatures.
    sam.goto(room)
    assert _axe(sam) == []  # the intake page, gate notice shown
    _sign_everything(sam, "Sam Carter")
    sam.wait_for_selector("[data-testid=room-refused][data-code=partner_consent_required]")

    # Aiko (on a phone) adds her emergency contact, signs, and says she is in Japan.
    aiko.goto(room)
    aiko.wait_for_selector("[data-testid=intake-gate]")
    form = "[data-testid=emergency-contact-form]"
    aiko.fill(f"{form} #id_name", "Kenji Tanaka")
    aiko.fill(f"{form} #id_relation", "brother")
    aiko.fill(f"{form} #id_phone", "+81 90 1234 5678")
    aiko.click(f"{form} button[type=submit]")
    aiko.wait_for_selector("text=Only your therapist sees it")
    assert aiko.is_visible("[data-testid=quick-exit]")
    no_overflow = "() => document.documentElement.scrollWidth <= window.innerWidth"
    assert aiko.evaluate(no_overflow)
    _sign_everything(aiko, "Aiko Tanaka")
    aiko.wait_for_selector("[data-testid=where-form]")
    assert _axe(aiko) == []  # "Where are you right now?" on a phone
    _where(aiko, "JP")
    _join(aiko)
    aiko.wait_for_selector("#waiting-screen:not([hidden])")

    # Sam comes back: California, before the waiting room.
    sam.goto(room)
    _where(sam, "US", "US-CA")
    _join(sam)
    sam.wait_for_selector("#waiting-screen:not([hidden])")

    from intake.models import SessionLocation, Signature

    assert Signature.objects.filter(version__in=documents).count() == 4
    assert SessionLocation.objects.filter(booking=booking).count() == 2

    # The therapist sees both places, Aiko's contact and the licence warning for Tokyo.
    doctor = _page(new_context, base, therapist, viewport={"width": 1280, "height": 800})
    doctor.goto(room)
    panel = doctor.wait_for_selector("[data-testid=intake-panel]")
    text = panel.inner_text()
    assert "California, United States" in text and "Japan" in text
    assert "Kenji Tanaka (brother)" in text and "+81 90 1234 5678" in text
    warnings = doctor.locator("[data-testid=licence-warning]")
    assert warnings.count() == 1 and "Japan" in warnings.inner_text()
    assert not doctor.is_visible("[data-testid=quick-exit]")  # clients only
    assert _axe(doctor) == []

    _join(doctor)
    doctor.wait_for_selector("#waiting-list .waiting-row >> nth=1")
    doctor.evaluate("() => document.querySelector('#admit-all').click()")
    aiko.wait_for_selector("#call:not([hidden])", timeout=30_000)
    doctor.wait_for_function(
        "() => document.querySelectorAll('#stage .remote-tile').length === 2", timeout=30_000
    )

    # On the phone the exit stays on screen and clear of the call controls.
    aiko.wait_for_timeout(500)
    box = "(sel) => { const r = document.querySelector(sel).getBoundingClientRect();"
    box += " return {x: r.x, y: r.y, width: r.width, height: r.height}; }"
    exit_box = aiko.evaluate(box, "[data-testid=quick-exit]")
    controls = aiko.evaluate(box, ".controls")
    assert exit_box["y"] >= 0 and exit_box["y"] + exit_box["height"] <= 844
    apart = (
        exit_box["y"] + exit_box["height"] <= controls["y"]
        or controls["y"] + controls["height"] <= exit_box["y"]
        or exit_box["x"] + exit_box["width"] <= controls["x"]
        or controls["x"] + controls["width"] <= exit_box["x"]
    )
    assert apart, (exit_box, controls)

    # Quick exit by pressing Esc twice: the neutral site replaces the room at once.
    aiko.keyboard.press("Escape")
    aiko.keyboard.press("Escape")
    aiko.wait_for_url(neutral_site, wait_until="commit")
    aiko.wait_for_selector("text=Weather today")
    # ...Aiko has left the call...
    doctor.wait_for_function(
        "() => document.querySelectorAll('#stage .remote-tile').length === 1", timeout=20_000
    )
    # ...and Back does not bring the room (or any signed-in Duet page) back.
    deadline = timezone.now().timestamp() + 10
    from core.models import AuditEvent

    while not AuditEvent.objects.filter(action="auth.logout", actor_id=partner_b.pk).exists():
        assert timezone.now().timestamp() < deadline, server.log_tail()
        aiko.wait_for_timeout(200)
    aiko.go_back()
    aiko.wait_for_load_state()
    assert aiko.url != room
    assert aiko.url == neutral_site or "/login/" in aiko.url, aiko.url
    assert "Where are you right now" not in aiko.content()

    # Sam (still in the call) used the button instead, at desktop size.
    sam.wait_for_selector("#call:not([hidden])")
    sam.click("[data-testid=quick-exit]")
    sam.wait_for_url(neutral_site, wait_until="commit")
    sam.wait_for_selector("text=Weather today")
