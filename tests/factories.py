"""Small builders for test data (plain functions; no factory library needed)."""

from __future__ import annotations

PASSWORD = "correct-horse-battery-staple"


def make_user(
    email: str,
    full_name: str,
    time_zone: str = "UTC",
    *,
    role: str = "client",
    display_name: str = "",
):
    from accounts.models import User

    return User.objects.create_user(
        email=email,
        password=PASSWORD,
        full_name=full_name,
        time_zone=time_zone,
        role=role,
        display_name=display_name,
    )


def make_couple(*partners):
    from accounts.models import Couple, CoupleMembership

    couple = Couple.objects.create(created_by=partners[0])
    for seat, user in enumerate(partners, start=1):
        CoupleMembership.objects.create(couple=couple, user=user, seat=seat)
    return couple


def login(client, user) -> None:
    client.force_login(user)
