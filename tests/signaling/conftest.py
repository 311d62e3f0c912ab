"""Fixtures for video-room tests: a bookable room and (see live.py) a live Daphne."""

from __future__ import annotations

import pytest

from tests.signaling.helpers import make_booking


@pytest.fixture
def booking(therapist, couple, clinic):
    return make_booking(therapist, couple, clinic=clinic)
