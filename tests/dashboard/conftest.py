"""Dashboard tests use the roster fixtures."""

from tests.accounts.conftest import clock, enrol, fast_password_hashing  # noqa: F401
from tests.therapists.conftest import _fast_password_hashing  # noqa: F401
