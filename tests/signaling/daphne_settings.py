"""Settings for a Daphne subprocess serving the pytest test database (see live.py)."""

import os

from config.settings import *  # noqa: F403
from config.settings import DATABASES

DATABASES["default"]["NAME"] = os.environ["DUET_TEST_DB_NAME"]
DATABASES["default"]["TEST"] = {"NAME": os.environ["DUET_TEST_DB_NAME"]}

# The pseudo-locale of tests/i18n (a test-only language with its own catalog dir).
if os.environ.get("DUET_PSEUDO_LOCALE_DIR"):
    from config.settings import LANGUAGES, LOCALE_PATHS

    LANGUAGES = [*LANGUAGES, ("qps", "Pseudo")]
    LOCALE_PATHS = [*LOCALE_PATHS, os.environ["DUET_PSEUDO_LOCALE_DIR"]]
