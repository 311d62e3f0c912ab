"""Every page of every role, at 1280x800 and 390x844, looked at in Chromium: no
horizontal overflow, the main landmark and its h1 in the first viewport, nothing hidden
or screen-reader-only shown, and axe-core (vendored) finds nothing critical or serious."""

from __future__ import annotations

import pytest

from tests.look import harness

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("size", list(harness.SIZES))
@pytest.mark.parametrize("role", harness.ROLES)
def test_every_page_looks_right(demo_site, browser, role, size):
    server, pages, cookies = demo_site
    width, height = harness.SIZES[size]
    ctx = browser.new_context(
        viewport={"width": width, "height": height}, permissions=["camera", "microphone"]
    )
    ctx.set_default_timeout(20_000)
    ctx.add_cookies(cookies[role])
    page = ctx.new_page()
    found = {}
    try:
        mine = [p for p in pages if p.role == role]
        assert mine, f"no pages listed for {role}"
        for p in mine:
            response = page.goto(server.url + p.path, wait_until="load")
            assert response is not None and response.status < 400, (
                f"{p.path}: {response and response.status}"
            )
            problems = harness.look(page)
            if problems:
                found[p.path] = problems
    finally:
        ctx.close()
    report = "\n".join(f"{path}:\n  " + "\n  ".join(probs) for path, probs in found.items())
    assert not found, f"{role} at {size} ({width}x{height}) sees:\n{report}"
