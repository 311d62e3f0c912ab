"""Every page of accounts and dashboards renders in every offered language (dates, times
and counts go through the reader's locale; an unknown date format would be a 500)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from scheduling.models import Booking

pytestmark = pytest.mark.django_db


PAGES = {
    "client": [
        "dashboard:dashboard",
        "accounts:couple",
        "accounts:profile",
        "accounts:security",
        "accounts:your_data",
    ],
    "therapist": ["dashboard:dashboard"],
    "clinic_admin": ["dashboard:dashboard", "dashboard:overview", "dashboard:audit_log"],
}


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_pages_render_in_every_language(
    client, language, couple, partner_b, therapist, clinic_admin
):
    start = timezone.now() + timedelta(days=2)
    Booking.objects.create(
        therapist=therapist,
        couple=couple,
        starts_at=start,
        ends_at=start + timedelta(minutes=50),
        booked_by=partner_b,
    )
    User.objects.update(language=language)
    for user in (partner_b, therapist, clinic_admin):
        client.force_login(User.objects.get(pk=user.pk))
        for name in PAGES[user.role]:
            response = client.get(reverse(name))
            assert response.status_code == 200, (language, name)
            assert f'<html lang="{language}">' in response.content.decode()
