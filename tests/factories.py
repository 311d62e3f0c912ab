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


# A fixed TOTP secret (hex) for browser tests of roles that must use two-step sign-in.
TOTP_SECRET = "3132333435363738393031323334353637383930"


def browser_log_in(page, base: str, user, *, next_path: str = "") -> None:
    """Sign ``user`` in through the real login page, with the TOTP step for therapists
    and clinic admins (they always have two-step sign-in)."""
    needs_code = user.role in ("therapist", "clinic_admin")
    if needs_code:
        from accounts.security_models import TotpDevice

        TotpDevice.objects.get_or_create(
            user=user, defaults={"name": "Test phone", "confirmed": True, "secret": TOTP_SECRET}
        )
    page.goto(f"{base}/login/" + (f"?next={next_path}" if next_path else ""))
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    if needs_code:
        from accounts.twofactor import totp_code

        page.wait_for_url(f"{base}/login/verify/**")
        page.fill("#id_code", totp_code(TOTP_SECRET))
        page.click("button[type=submit]")
    page.wait_for_url(f"{base}{next_path or '/dashboard/'}")
