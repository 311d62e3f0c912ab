from tests.accounts.conftest import clock, enrol, fast_password_hashing  # noqa: F401
