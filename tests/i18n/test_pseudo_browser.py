"""Every page in the pseudo-locale, in Chromium, after its scripts ran: text the page
scripts write is translated too (JavaScriptCatalog), and strings about 40 % longer than
English (as Polish or Portuguese text often is) overflow neither 390 px nor 1280 px."""

from __future__ import annotations

import pytest

from tests.i18n import sweep
from tests.look import harness

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Text nodes and labelled attributes a person sees or hears, outside code and
# translate="no" (endonyms in the language picker).
VISIBLE_TEXT = """() => {
  const out = [];
  const skip = el => el.closest('script,style,code,pre,svg,noscript,[translate="no"]');
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || skip(el) || !node.textContent.trim()) continue;
    if (!el.getClientRects().length && !el.closest('template,[hidden],dialog')) continue;
    out.push(node.textContent);
  }
  for (const el of document.querySelectorAll('[aria-label],[title],[placeholder],[alt]')) {
    if (skip(el)) continue;
    for (const name of ['aria-label', 'title', 'placeholder', 'alt']) {
      const value = el.getAttribute(name);
      if (value && value.trim()) out.push(value);
    }
  }
  return out;
}"""


@pytest.fixture(scope="module")
def pseudo_site(django_db_setup, django_db_blocker, pseudo_locale_dir):
    from tests.signaling.live import LiveDaphne

    with django_db_blocker.unblock():
        server = LiveDaphne(extra_env={"DUET_PSEUDO_LOCALE_DIR": str(pseudo_locale_dir)})
    yield server
    server.stop()


@pytest.mark.parametrize("size", list(harness.SIZES))
@pytest.mark.parametrize("role", harness.ROLES)
def test_pages_in_pseudo_locale(pseudo_site, pseudo_locale, browser, settings, role, size):
    from accounts.models import User

    harness.seed()
    User.objects.update(language=pseudo_locale)
    pages = [p for p in harness.catalogue() if p.role == role]
    data = sweep.database_data()
    language = {"name": settings.LANGUAGE_COOKIE_NAME, "value": pseudo_locale}
    cookies = [
        *harness.session_cookie(role, pseudo_site.url),
        {**language, "url": pseudo_site.url},
    ]

    def check(page) -> list[str]:
        page.wait_for_load_state("networkidle")
        overflow = harness.look(page, axe=False)
        left = sweep.unmarked(page.evaluate(VISIBLE_TEXT), data)
        return [x for x in overflow if x.startswith("horizontal overflow")] + [
            f"unmarked: {x}" for x in sorted(set(left))
        ]

    found = harness.walk(browser, pseudo_site.url, pages, size, cookies, check)
    width, height = harness.SIZES[size]
    report = harness.report(found)
    assert not found, f"{role} at {width}x{height} in the pseudo-locale:\n{report}"
