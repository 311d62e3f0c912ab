"""Print the current two-step code of the demo therapist and admin logins.

Only works for devices enrolled with the published demo key, so it reveals nothing
about real accounts.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from accounts.security_models import TotpDevice
from accounts.twofactor import totp_code
from demo.management.commands.seed_demo import DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Print the current 6-digit code for the demo accounts (demo key only)."

    def handle(self, *args, **options) -> None:
        demo = [
            d
            for d in TotpDevice.objects.filter(confirmed=True).select_related("user")
            if d.secret == DEMO_TOTP_SECRET
        ]
        if not demo:
            self.stdout.write("No demo accounts use the demo key. Run seed_demo first.")
            return
        code = totp_code(DEMO_TOTP_SECRET)
        for device in demo:
            self.stdout.write(f"{device.user.email}: {code}")
