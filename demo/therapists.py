"""Demo directory content for ``seed_demo``: rich profiles, a second clinic, some history.

Idempotent: profiles are updated in place, facets replaced, rows looked up before
they are created.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Couple, User
from scheduling.models import Booking
from therapists.models import (
    Clinic,
    ClinicMembership,
    CoupleAssignment,
    ProfileFacet,
    RosterChange,
    TherapistProfile,
)

PASSWORD = "duet-demo-2026"  # noqa: S105 - published demo password, demo data only

# email: (full name, zone, clinic slug, weekly hours, profile fields, facets)
THERAPISTS: dict[str, dict] = {
    "dr.hale@riverside.example": {
        "clinic": "riverside",
        "weekly_hours": 20,
        "profile": {
            "headline": "Emotionally focused therapy for long-distance and cross-cultural couples",
            "bio": (
                "I help couples who live apart, or between cultures, rebuild closeness and "
                "trust.\n\nI grew up between Los Angeles and Osaka and work in English and "
                "Japanese. Sessions are structured and warm, with small exercises between "
                "sessions that fit two calendars in two time zones."
            ),
            "fee": Decimal("180"),
            "currency": "USD",
            "years_in_practice": 14,
            "accepting_new_couples": True,
            "office_address": "",
        },
        "facets": {
            "language": ["en", "ja"],
            "jurisdiction": ["US-CA"],
            "specialty": ["long_distance", "cross_cultural", "communication", "trust_infidelity"],
            "approach": ["eft", "integrative"],
            "format": ["video"],
        },
    },
    "dr.nowak@riverside.example": {
        "clinic": "riverside",
        "weekly_hours": 16,
        "profile": {
            "headline": "Gottman-informed therapy: communication, conflict and repair",
            "bio": (
                "I work with couples on how they argue and how they repair. Together we map "
                "your conflict cycle and practise new ways through it.\n\nI speak English and "
                "Polish and see couples across Europe, by video or in my Warsaw office."
            ),
            "fee": Decimal("320"),
            "currency": "PLN",
            "years_in_practice": 11,
            "accepting_new_couples": True,
            "office_address": "ul. Mokotowska 12/4\n00-561 Warszawa\nPoland",
        },
        "facets": {
            "language": ["en", "pl"],
            "jurisdiction": ["PL", "GB"],
            "specialty": ["conflict", "communication", "trust_infidelity", "premarital"],
            "approach": ["gottman", "cbt"],
            "format": ["hybrid"],
        },
    },
    "dr.okafor@harbourlight.example": {
        "name": "Dr. Amara Okafor",
        "zone": "Europe/London",
        "clinic": "harbour-light",
        "weekly_hours": 24,
        "profile": {
            "headline": "Calm, practical support for parents under pressure",
            "bio": (
                "New babies, teenagers, blended families: I help couples stay a team when "
                "family life is loud. Expect concrete tools from the first session."
            ),
            "fee": Decimal("95"),
            "currency": "GBP",
            "years_in_practice": 9,
            "accepting_new_couples": True,
            "office_address": "4 Quayside Walk\nBristol BS1 4RN\nUnited Kingdom",
        },
        "facets": {
            "language": ["en", "yo"],
            "jurisdiction": ["GB"],
            "specialty": ["parenting_stress", "blended_families", "life_transitions"],
            "approach": ["gottman", "solution_focused"],
            "format": ["in_person", "video"],
        },
    },
    "dr.fernandez@harbourlight.example": {
        "name": "Dr. Lucía Fernández",
        "zone": "Europe/Madrid",
        "clinic": "harbour-light",
        "weekly_hours": 18,
        "profile": {
            "headline": "LGBTQ+ affirming couples therapy in English and Spanish",
            "bio": (
                "A safe room for queer couples and couples of every shape. We work on "
                "intimacy, trust and the stress of the world outside."
            ),
            "fee": Decimal("85"),
            "currency": "EUR",
            "years_in_practice": 7,
            "accepting_new_couples": True,
            "office_address": "",
        },
        "facets": {
            "language": ["en", "es"],
            "jurisdiction": ["ES", "GB"],
            "specialty": ["lgbtq_affirming", "intimacy", "trust_infidelity"],
            "approach": ["eft", "narrative"],
            "format": ["video"],
        },
    },
    "dr.raman@riverside.example": {
        "name": "Dr. Priya Raman",
        "zone": "America/Toronto",
        "clinic": "riverside",
        "weekly_hours": 12,
        "profile": {
            "headline": "Neurodiverse couples: understanding each other's wiring",
            "bio": (
                "When one or both partners are autistic or have ADHD, ordinary advice often "
                "misses. We build a shared manual for your relationship."
            ),
            "fee": Decimal("165"),
            "currency": "USD",
            "years_in_practice": 16,
            "accepting_new_couples": False,
            "office_address": "",
        },
        "facets": {
            "language": ["en", "ta", "hi"],
            "jurisdiction": ["CA-ON", "US-NY"],
            "specialty": ["neurodiverse", "communication", "intimacy"],
            "approach": ["cbt", "integrative"],
            "format": ["video"],
        },
    },
}

CLINICS = {
    "harbour-light": {
        "name": "Harbour Light Counselling",
        "time_zone": "Europe/London",
        "late_cancel_hours": 48,
        "late_cancel_fee": Decimal("45"),
        "currency": "GBP",
    },
}


def _user(email: str, spec: dict) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email,
            password=PASSWORD,
            full_name=spec["name"],
            time_zone=spec["zone"],
            role=User.Role.THERAPIST,
        )
    return user


def seed_directory(*, riverside: Clinic, admin: User) -> list[User]:
    """Rich profiles for the demo therapists; returns them."""
    clinics = {"riverside": riverside}
    for slug, fields in CLINICS.items():
        clinics[slug], _ = Clinic.objects.get_or_create(slug=slug, defaults=fields)
    users = []
    for email, spec in THERAPISTS.items():
        user = _user(email, spec)
        clinic = clinics[spec["clinic"]]
        membership, _ = ClinicMembership.objects.get_or_create(
            clinic=clinic, user=user, role=ClinicMembership.Role.THERAPIST
        )
        if membership.weekly_hours is None:
            membership.weekly_hours = spec["weekly_hours"]
            membership.save(update_fields=["weekly_hours"])
        profile, _ = TherapistProfile.objects.update_or_create(
            user=user, defaults={"clinic": clinic, **spec["profile"]}
        )
        # A list, not a set: the order given is the order shown (main language first).
        wanted = [(kind, code) for kind, codes in spec["facets"].items() for code in codes]
        have = list(profile.facets.order_by("kind", "id").values_list("kind", "code"))
        if sorted(wanted) != sorted(have) or [w for w in wanted if w in have] != [
            h for h in have if h in wanted
        ]:
            profile.facets.all().delete()
            ProfileFacet.objects.bulk_create(
                ProfileFacet(profile=profile, kind=kind, code=code) for kind, code in wanted
            )
        users.append(user)
    return users


def seed_history(*, clinic: Clinic, couple: Couple, therapist: User, admin: User) -> None:
    """Assign the demo couple and give the overview a few weeks of real-looking sessions."""
    if not CoupleAssignment.objects.filter(couple=couple).exists():
        CoupleAssignment.objects.create(
            couple=couple, therapist=therapist, clinic=clinic, assigned_by=admin
        )
        RosterChange.objects.create(
            clinic=clinic,
            actor=admin,
            action=RosterChange.Action.ASSIGNED,
            therapist=therapist,
            couple=couple,
            summary=f"{admin.full_name} assigned {couple} to {therapist.full_name}",
        )
    today = timezone.now().date()
    monday = today - timedelta(days=today.weekday())
    statuses = {3: Booking.Status.LATE_CANCELLED, 6: Booking.Status.CANCELLED}
    for weeks_ago in range(1, 9):
        # Wednesday 00:00 UTC: Tuesday 16:00/17:00 in Los Angeles, 09:00 in Tokyo.
        day = monday - timedelta(weeks=weeks_ago) + timedelta(days=2)
        start = datetime.combine(day, time(0), tzinfo=UTC)
        Booking.objects.get_or_create(
            therapist=therapist,
            couple=couple,
            starts_at=start,
            defaults={
                "clinic": clinic,
                "ends_at": start + timedelta(minutes=50),
                "status": statuses.get(weeks_ago, Booking.Status.COMPLETED),
                "booked_by": couple.partners[0] if couple.partners else None,
                "created_at": start - timedelta(days=7),
            },
        )
