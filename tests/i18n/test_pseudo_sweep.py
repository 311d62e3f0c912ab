"""Every page of every role, rendered in the pseudo-locale: no English left unmarked.

The page list is the one the look tests and ``make screenshots`` use
(tests/look/harness.py), with the demo data. Whatever plain English remains outside the
pseudo-locale's ⟦…⟧ and is not data someone typed is named with its page.
"""

from __future__ import annotations

import pytest
from django.test import Client

from tests.i18n import sweep
from tests.look import harness

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_in_pseudo(pseudo_locale):
    from accounts.models import User

    harness.seed()
    User.objects.update(language=pseudo_locale)
    return harness.catalogue(), sweep.database_data()


@pytest.mark.parametrize("role", harness.ROLES)
def test_every_page_is_translated(demo_in_pseudo, pseudo_locale, settings, role):
    pages, data = demo_in_pseudo
    client = Client()
    if role == "anonymous":
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = pseudo_locale
    else:
        client.force_login(harness.demo_user(role))
    found = {}
    for page in (p for p in pages if p.role == role):
        response = client.get(page.path)
        assert response.status_code == 200, f"{page.path}: {response.status_code}"
        assert f'lang="{pseudo_locale}"' in response.content.decode()[:400]
        left = sweep.unmarked(sweep.visible_texts(response.content.decode()), data)
        if left:
            found[page.path] = sorted(set(left))
    report = "\n".join(f"{path}:\n  " + "\n  ".join(frags) for path, frags in found.items())
    assert not found, f"English left unmarked on {len(found)} {role} pages:\n{report}"


def test_anonymous_visitor_follows_accept_language(pseudo_locale, settings):
    """No account and no cookie: the browser's first language Duet offers."""
    response = Client().get("/login/", HTTP_ACCEPT_LANGUAGE=f"xx, {pseudo_locale};q=0.9, en;q=0.5")
    assert f'lang="{pseudo_locale}"' in response.content.decode()[:400]
    assert "⟦" in response.content.decode()
