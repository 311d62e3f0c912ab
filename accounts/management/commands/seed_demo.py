"""Demo data for trying Duet at once. Safe to run again: it updates, never duplicates."""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import Couple, CoupleMembership, User
from scheduling.models import Booking
from therapists.models import Clinic, ClinicMembership, TherapistProfile

PASSWORD = "duet-demo-2026"  # noqa: S105 - published demo password, demo data only

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
        admin = users["admin@riverside.example"]
        if not admin.is_staff:
            admin.is_staff = admin.is_superuser = True
            admin.save(update_fields=["is_staff", "is_superuser"])

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

        self._ensure_session_soon(
            couple=couple,
            therapist=users["dr.hale@riverside.example"],
            clinic=clinic,
            booked_by=sam,
        )
        from sessions_app.demo import seed_between_sessions

        seed_between_sessions(
            couple=couple, therapist=users["dr.hale@riverside.example"], clinic=clinic
        )

        if not options["quiet_logins"]:
            self.stdout.write("Demo logins (role: email / password):")
            for label, email, *_rest in PEOPLE:
                self.stdout.write(f"{label}: {email} / {PASSWORD}")

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
