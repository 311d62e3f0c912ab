"""Notes tests share the between-sessions fixtures."""

from tests.accounts.conftest import clock, enrol, fast_password_hashing  # noqa: F401
from tests.sessions_app.conftest import _fast_password_hashing, session_booking  # noqa: F401
