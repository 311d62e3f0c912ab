"""The pseudo-locale ``qps``: extracted fresh once per test session, switched on per test."""

from __future__ import annotations

import pytest

from tests.i18n import catalogs


@pytest.fixture(scope="session")
def pseudo_locale_dir(tmp_path_factory):
    dest = tmp_path_factory.mktemp("i18n")
    extracted = catalogs.extract(dest)
    catalogs.pseudo_catalogs(extracted)
    return extracted["django"].parents[2]


@pytest.fixture
def pseudo_locale(settings, pseudo_locale_dir):
    """Django knows ``qps`` for this test (LANGUAGES and a catalog); accounts set to it
    with ``User.objects.filter(...).update(language="qps")`` read Duet in it."""
    settings.LANGUAGES = [*settings.LANGUAGES, (catalogs.PSEUDO, "Pseudo")]
    settings.LOCALE_PATHS = [*settings.LOCALE_PATHS, str(pseudo_locale_dir)]
    return catalogs.PSEUDO


# Every page of the room is in the sweeps: bookings come with both partners' locations
# confirmed, as the intake step leaves them (otherwise the room redirects to that step).
from tests.signaling.conftest import _partners_said_where_they_are  # noqa: E402, F401
