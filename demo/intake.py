"""Demo intake: the clinic's four documents, the demo couple's signatures of them,
their emergency contacts and home places (Sam in California, Aiko in Tokyo — outside
Dr. Hale's California licence, so the room and the booking page show the warning)."""

from __future__ import annotations

from django.utils import timezone

from accounts.models import User
from intake import selectors, services
from intake.models import DocumentKind, IntakeDocument, PartnerSafety, Signature
from therapists.models import Clinic

DOCUMENTS = {
    DocumentKind.TELEHEALTH_CONSENT: (
        "Consent to telehealth",
        "Sessions with Riverside Couples Clinic take place by live video. Video and audio go "
        "directly between you, your partner and your therapist; nothing is recorded.\n\n"
        "At the start of every session you tell us where you are. Emergency services are "
        "local to where you sit, and your therapist may only work where they are licensed.\n\n"
        "If the connection fails, your therapist will try to reconnect, then call you. If "
        "you are in danger, your therapist may call your emergency contact or local "
        "emergency services.\n\n"
        "Telehealth has limits: it may not suit every situation, and you may ask to meet in "
        "person or stop at any time.",
    ),
    DocumentKind.PRACTICE_POLICIES: (
        "Practice policies",
        "Sessions last 50 minutes. Each partner has their own account; what you write "
        "privately stays between you and your therapist.\n\n"
        "Your therapist does not keep secrets that would harm the work with your partner; "
        "they will tell you how they handle what one partner shares alone.",
    ),
    DocumentKind.PRIVACY_NOTICE: (
        "Privacy notice",
        "We keep your records encrypted at rest, show them only to your therapist and, for "
        "billing and scheduling, your clinic, and log every access. You can download your "
        "data or delete your account at any time.",
    ),
    DocumentKind.CANCELLATION_POLICY: (
        "Cancellation policy",
        "Cancel or reschedule at least 24 hours ahead at no charge. Later cancellations "
        "are charged the clinic's late-cancellation fee.",
    ),
}


def seed_intake(*, clinic: Clinic, admin: User, partners: list[User]) -> None:
    now = timezone.now()
    for kind, (title, body) in DOCUMENTS.items():
        if not IntakeDocument.objects.filter(clinic=clinic, kind=kind).exists():
            services.document_version_publish(
                clinic=clinic, kind=kind, title=title, body=body, by=admin, now=now
            )
    homes = {"America/Los_Angeles": ("US", "US-CA"), "Asia/Tokyo": ("JP", "")}
    contacts = {
        "sam@example.com": ("Maya Carter", "sister", "+1 415 555 0142"),
        "aiko@example.com": ("Kenji Tanaka", "brother", "+81 90 5555 0199"),
    }
    for partner in partners:
        if not PartnerSafety.objects.filter(user=partner).exists():
            name, relation, phone = contacts.get(partner.email, ("", "", ""))
            if name:
                services.emergency_contact_save(
                    user=partner, name=name, relation=relation, phone=phone, now=now
                )
            country, region = homes.get(partner.time_zone, ("", ""))
            if country:
                services.home_place_save(user=partner, country=country, region=region, now=now)
        for version in selectors.unsigned_versions(partner, clinic.pk):
            if Signature.objects.filter(
                signer=partner, version__document=version.document
            ).exists():
                continue  # signed an earlier version: the demo shows "please sign again"
            services.document_sign(
                version=version,
                user=partner,
                typed_name=partner.full_name,
                signed_on=now.astimezone(partner.tz).date(),
                confirm_name=True,
                now=now,
            )
