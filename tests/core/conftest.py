"""Core tests use the between-sessions booking fixtures."""

from tests.accounts.conftest import clock, enrol, fast_password_hashing  # noqa: F401
from tests.sessions_app.conftest import _fast_password_hashing, booking, now  # noqa: F401
