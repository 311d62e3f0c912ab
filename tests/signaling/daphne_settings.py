"""Settings for a Daphne subprocess serving the pytest test database (see live.py)."""

import os

from config.settings import *  # noqa: F403
from config.settings import DATABASES

DATABASES["default"]["NAME"] = os.environ["DUET_TEST_DB_NAME"]
DATABASES["default"]["TEST"] = {"NAME": os.environ["DUET_TEST_DB_NAME"]}
