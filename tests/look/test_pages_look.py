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
    mine = [p for p in pages if p.role == role]
    assert mine, f"no pages listed for {role}"
    found = harness.walk(browser, server.url, mine, size, cookies[role], harness.look)
    width, height = harness.SIZES[size]
    assert not found, f"{role} at {size} ({width}x{height}) sees:\n{harness.report(found)}"
