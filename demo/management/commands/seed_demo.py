"""Demo data for trying Duet at once. Safe to run again: it updates, never duplicates."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Couple, CoupleMembership, User
from demo.scheduling import seed_scheduling
from demo.therapists import seed_directory, seed_history
from scheduling.models import Booking
from scheduling.services import slots_versions_bump
from therapists.models import Clinic, ClinicMembership, TherapistProfile

PASSWORD = "duet-demo-2026"  # noqa: S105 - published demo password, demo data only
# Published demo authenticator key for the therapist and admin demo logins (2FA is
# required for them). Demo data only: `manage.py demo_totp` prints the current code.
DEMO_TOTP_SECRET = "6475657464656d6f746f74707365637265743236"  # noqa: S105

PEOPLE = [
    # role, email, full name, display name, time zone
    (
        "clinic admin",
        "admin@riverside.example",
        "Morgan Reyes",
        "Morgan",
        "America/Los_Angeles",
        User.Role.CLINIC_ADMIN,
    ),
    (
        "therapist",
        "dr.hale@riverside.example",
        "Dr. Elena Hale",
        "Elena",
        "America/Los_Angeles",
        User.Role.THERAPIST,
    ),
    (
        "therapist",
        "dr.nowak@riverside.example",
        "Dr. Tomasz Nowak",
        "Tomasz",
        "Europe/Warsaw",
        User.Role.THERAPIST,
    ),
    ("client", "sam@example.com", "Sam Carter", "Sam", "America/Los_Angeles", User.Role.CLIENT),
    ("client", "aiko@example.com", "Aiko Tanaka", "Aiko", "Asia/Tokyo", User.Role.CLIENT),
]

PROFILES = {
    "dr.hale@riverside.example": (
        "Emotionally focused couples therapy for long-distance and cross-cultural couples",
        "I help couples who live apart, or between cultures, rebuild closeness and trust. "
        "Sessions are structured, warm and practical, with small exercises between sessions.",
    ),
    "dr.nowak@riverside.example": (
        "Gottman-informed therapy: communication, conflict and repair",
        "I work with couples on how they argue and how they repair. I speak English and Polish "
        "and see couples across Europe and beyond.",
    ),
}


class Command(BaseCommand):
    help = "Create or refresh the demo clinic, therapists and couple; print the demo logins."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print logins.")

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        users: dict[str, User] = {}
        for _label, email, full_name, display, zone, role in PEOPLE:
            user, created = User.objects.get_or_create(
                email=email,
                defaults={
                    "full_name": full_name,
                    "display_name": display,
                    "time_zone": zone,
                    "role": role,
                },
            )
            if created:
                user.set_password(PASSWORD)
                user.save()
            users[email] = user
        # The clinic admin runs the clinic in Duet, never Django admin:
        # operators are made with `manage.py create_operator`.
        admin = users["admin@riverside.example"]

        clinic, _ = Clinic.objects.get_or_create(
            slug="riverside",
            defaults={
                "name": "Riverside Couples Clinic",
                "time_zone": "America/Los_Angeles",
                "late_cancel_hours": 24,
                "late_cancel_fee": 60,
                "currency": "USD",
            },
        )
        ClinicMembership.objects.get_or_create(clinic=clinic, user=admin, role="admin")
        for email, (headline, bio) in PROFILES.items():
            therapist = users[email]
            ClinicMembership.objects.get_or_create(clinic=clinic, user=therapist, role="therapist")
            TherapistProfile.objects.get_or_create(
                user=therapist, defaults={"clinic": clinic, "headline": headline, "bio": bio}
            )

        sam, aiko = users["sam@example.com"], users["aiko@example.com"]
        couple = Couple.objects.filter(
            memberships__user=sam, memberships__left_at__isnull=True
        ).first()
        if couple is None:
            couple = Couple.objects.create(created_by=sam)
            CoupleMembership.objects.create(couple=couple, user=sam, seat=1)
        if not CoupleMembership.objects.filter(user=aiko, left_at__isnull=True).exists():
            CoupleMembership.objects.create(couple=couple, user=aiko, seat=2)

        seed_scheduling(
            therapists=[users["dr.hale@riverside.example"], users["dr.nowak@riverside.example"]],
            partners=[sam, aiko],
        )
        riverside_therapist = users["dr.hale@riverside.example"]
        seed_directory(riverside=clinic, admin=admin)
        seed_history(clinic=clinic, couple=couple, therapist=riverside_therapist, admin=admin)

        self._ensure_session_soon(
            couple=couple,
            therapist=users["dr.hale@riverside.example"],
            clinic=clinic,
            booked_by=sam,
        )
        from demo.between_sessions import seed_between_sessions

        seed_between_sessions(
            couple=couple, therapist=users["dr.hale@riverside.example"], clinic=clinic
        )
        from demo.measures import seed_measures

        seed_measures(couple=couple, therapist=users["dr.hale@riverside.example"])

        from demo.intake import seed_intake

        seed_intake(clinic=clinic, admin=admin, partners=[sam, aiko])

        self._ensure_demo_2fa([u for u in users.values() if not u.is_client])

        if not options["quiet_logins"]:
            from accounts.twofactor import _b32

            self.stdout.write("Demo logins (role: email / password):")
            for label, email, *_rest in PEOPLE:
                self.stdout.write(f"{label}: {email} / {PASSWORD}")
            self.stdout.write(
                f"two-step code for therapists and the admin: add key {_b32(DEMO_TOTP_SECRET)} "
                "to an authenticator app, or run: .venv/bin/python manage.py demo_totp"
            )

    def _ensure_demo_2fa(self, users) -> None:
        """Therapists and admins must use two-step sign-in: enrol them with the demo key."""
        from accounts.security_models import TotpDevice

        for user in users:
            if not TotpDevice.objects.filter(user=user, confirmed=True).exists():
                TotpDevice.objects.create(
                    user=user, name="Demo authenticator", confirmed=True, secret=DEMO_TOTP_SECRET
                )

    def _ensure_session_soon(self, *, couple, therapist, clinic, booked_by) -> None:
        """Keep one video session starting within the next 10 minutes, so the room can be tried."""
        now = timezone.now()
        if Booking.objects.filter(
            couple=couple,
            therapist=therapist,
            status=Booking.Status.CONFIRMED,
            starts_at__gt=now,
            starts_at__lte=now + timedelta(minutes=10),
        ).exists():
            return
        start = (now + timedelta(minutes=5)).replace(second=0, microsecond=0)
        # A session still running (or a booked one) in that time keeps its place:
        # PostgreSQL would refuse an overlapping one.
        if (
            Booking.objects.filter(
                status__in=Booking.ACTIVE_STATUSES,
                starts_at__lt=start + timedelta(minutes=60),
                ends_at__gt=start - timedelta(minutes=10),
            )
            .filter(Q(therapist=therapist) | Q(couple=couple))
            .exists()
        ):
            return
        Booking.objects.create(
            therapist=therapist,
            couple=couple,
            clinic=clinic,
            starts_at=start,
            ends_at=start + timedelta(minutes=50),
            status=Booking.Status.CONFIRMED,
            format=Booking.Format.VIDEO,
            booked_by=booked_by,
        )
        slots_versions_bump(therapist_id=therapist.pk, couple_id=couple.pk)
