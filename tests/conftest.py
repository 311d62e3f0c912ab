"""Shared fixtures: personas, lane selection, and a real Chromium.

Personas (used across the suite so every permission is checked against all):
- ``partner_a`` / ``partner_b``: the two partners of ``couple`` (the "own couple");
- ``other_partner``: a client in ``other_couple``;
- ``therapist`` (of ``clinic``), ``other_therapist`` (of ``other_clinic``);
- ``clinic_admin`` (of ``clinic``), ``other_admin`` (of ``other_clinic``).
"""

from __future__ import annotations

import os

import pytest

from tests.factories import make_couple, make_user

SERVICES_MARK = "services"
# Bad-network tests build network namespaces (root) and run with the services, in lane 2.
LANE2_MARKS = (SERVICES_MARK, "badnet")
BROWSER_ARGS = [
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def services_configured() -> bool:
    return bool(os.environ.get("DATABASE_URL")) and bool(os.environ.get("REDIS_URL"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Lane 1 (no DATABASE_URL/REDIS_URL) deselects `services` and `badnet` tests, and
    says so."""
    if services_configured():
        return
    kept, deselected = [], []
    for item in items:
        lane2 = any(item.get_closest_marker(mark) for mark in LANE2_MARKS)
        (deselected if lane2 else kept).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept
        config._duet_deselected = len(deselected)  # type: ignore[attr-defined]


def pytest_report_header(config: pytest.Config) -> list[str]:
    db = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    redis = "Redis" if os.environ.get("REDIS_URL") else "in-memory layer, filesystem broker"
    lane = "2 (services)" if services_configured() else "1 (embedded defaults)"
    return [f"duet lane {lane}: database {db}, {redis}"]


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    count = getattr(config, "_duet_deselected", 0)
    if count:
        terminalreporter.write_line(
            f"duet: {count} tests marked {' or '.join(repr(m) for m in LANE2_MARKS)} were "
            "deselected in this lane "
            "(they run with DATABASE_URL and REDIS_URL set, in CI's second lane)",
            yellow=True,
        )


@pytest.fixture(autouse=True)
def celery_eager():
    """Tasks queued by the code under test run in this process, right when queued.

    Emails are queued with ``transaction.on_commit``; wrap a request in
    ``django_capture_on_commit_callbacks(execute=True)`` and they are in ``mail.outbox``.
    Tests with a real worker (tests/sessions_app/celery_procs.py) switch this off.
    """
    from config.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield app
    app.conf.task_always_eager = False
    app.conf.task_eager_propagates = False


# --- Personas -------------------------------------------------------------------


@pytest.fixture
def clinic(db):
    from therapists.models import Clinic

    return Clinic.objects.create(
        name="Riverside", slug="riverside", time_zone="America/Los_Angeles"
    )


@pytest.fixture
def other_clinic(db):
    from therapists.models import Clinic

    return Clinic.objects.create(name="Lakeside", slug="lakeside", time_zone="Europe/Warsaw")


@pytest.fixture
def partner_a(db):
    return make_user("a@example.com", "Sam Carter", "America/Los_Angeles", display_name="Sam")


@pytest.fixture
def partner_b(db):
    return make_user("b@example.com", "Aiko Tanaka", "Asia/Tokyo", display_name="Aiko")


@pytest.fixture
def couple(partner_a, partner_b):
    return make_couple(partner_a, partner_b)


@pytest.fixture
def other_partner(db):
    return make_user("other@example.com", "Olivia Other", "Europe/London")


@pytest.fixture
def other_partner_b(db):
    return make_user("other-b@example.com", "Omar Other", "Europe/London")


@pytest.fixture
def other_couple(other_partner, other_partner_b):
    return make_couple(other_partner, other_partner_b)


def _therapist(email, name, zone, clinic):
    from therapists.models import ClinicMembership, TherapistProfile

    user = make_user(email, name, zone, role="therapist")
    ClinicMembership.objects.create(clinic=clinic, user=user, role="therapist")
    TherapistProfile.objects.create(user=user, clinic=clinic, headline=f"{name} helps couples")
    return user


def _admin(email, name, clinic):
    from therapists.models import ClinicMembership

    user = make_user(email, name, clinic.time_zone, role="clinic_admin")
    ClinicMembership.objects.create(clinic=clinic, user=user, role="admin")
    return user


@pytest.fixture
def therapist(clinic):
    return _therapist("therapist@example.com", "Elena Hale", "America/Los_Angeles", clinic)


@pytest.fixture
def other_therapist(other_clinic):
    return _therapist("other-therapist@example.com", "Tomasz Nowak", "Europe/Warsaw", other_clinic)


@pytest.fixture
def clinic_admin(clinic):
    return _admin("admin@example.com", "Morgan Reyes", clinic)


@pytest.fixture
def other_admin(other_clinic):
    return _admin("other-admin@example.com", "Pat Lakeside", other_clinic)


# --- Browser ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright():
    """One Playwright driver for the session (its sync API allows only one at a time)."""
    # Playwright's sync API runs an event loop in this thread; the ORM calls the
    # tests make around it are still plain synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright):
    """A real Debian Chromium driven by Playwright (never a downloaded browser)."""
    chromium = playwright.chromium.launch(
        executable_path="/usr/bin/chromium", headless=True, args=BROWSER_ARGS
    )
    yield chromium
    chromium.close()


@pytest.fixture
def new_context(browser):
    """Make fresh browser contexts (one per person); all are closed after the test."""
    contexts = []

    def make(**kwargs):
        ctx = browser.new_context(**kwargs)
        ctx.set_default_timeout(15_000)
        contexts.append(ctx)
        return ctx

    yield make
    for ctx in contexts:
        ctx.close()


@pytest.fixture(autouse=True)
def _no_language_carried_over():
    """A request leaves its language active in the thread: every test starts in English."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()
