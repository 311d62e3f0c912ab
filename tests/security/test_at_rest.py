"""Health text at rest.

Every text field of every model is either encrypted or listed below as not health data,
with the reason. A marker is planted in every encrypted field a person can type, and a
dump of the whole database (SQLite file or pg_dump) holds none of them.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models

from core.fields import EncryptedTextField, encrypted_fields
from tests.core.test_encryption import _dump_database
from tests.security.planting import MARKER_RE, NOT_HEALTH_DATA, plant

PROJECT_APPS = {
    "core",
    "accounts",
    "therapists",
    "scheduling",
    "signaling",
    "notes",
    "messaging",
    "sessions_app",
    "measures",
    "dashboard",
    "demo",
}

# Text columns stored in clear, each with why it is not health data. A new text field
# must be encrypted (EncryptedTextField) or added here with its reason.
NOT_HEALTH = {
    "core.AuditEvent.actor_label": "who acted: an email, scrubbed when the account is deleted",
    "core.AuditEvent.actor_role": "a role name chosen by the app",
    "core.AuditEvent.action": "an action name chosen by the app",
    "core.AuditEvent.object_type": "a model name",
    "core.AuditEvent.object_id": "an identifier",
    "core.AuditEvent.path": "a URL path; URLs carry only identifiers (test_hardening)",
    "core.AuditEvent.method": "an HTTP method",
    "core.OutboundEmail.key": "an idempotency key built from identifiers",
    "core.OutboundEmail.to": "recipient addresses (account emails)",
    "core.OutboundEmail.subject": "subject lines are generic; the body is encrypted",
    "core.OutboundEmail.last_error": "the mail relay's error text, no message content",
    "accounts.User.password": "a password hash",
    "accounts.User.full_name": "account identity, needed in clear to address people",
    "accounts.User.display_name": "account identity, shown to partner and therapist",
    "accounts.User.time_zone": "an IANA zone name",
    "accounts.User.email": "the sign-in identifier",
    "accounts.PartnerInvitation.email": "where the invitation is sent",
    "accounts.TotpDevice.name": "a device label chosen by the app",
    "accounts.RecoveryCode.code_hash": "a keyed hash",
    "accounts.AuthFailure.account_key": "a keyed hash of the email typed",
    "accounts.UserSession.session_key": "a session identifier",
    "accounts.UserSession.user_agent": "the browser's user agent, shown on the security page",
    "therapists.Clinic.name": "the clinic's public name",
    "therapists.Clinic.slug": "derived from the clinic's name",
    "therapists.Clinic.time_zone": "an IANA zone name",
    "therapists.Clinic.currency": "a currency code",
    "therapists.TherapistProfile.headline": "the therapist's public directory profile",
    "therapists.TherapistProfile.bio": "the therapist's public directory profile",
    "therapists.TherapistProfile.office_address": "the therapist's public office address",
    "therapists.TherapistProfile.currency": "a currency code",
    "therapists.ProfileFacet.code": "a catalogue code (specialty, language...)",
    "therapists.TherapistInvitation.full_name": "the invited colleague's name",
    "therapists.TherapistInvitation.email": "where the invitation is sent",
    "therapists.RosterChange.summary": "built by the app from staff names; no couple's text",
    "scheduling.Booking.room_id": "a random room identifier",
    "scheduling.Booking.fee_currency": "a currency code",
    "scheduling.SessionType.name": "the therapist's public session type name",
    "scheduling.TimeOff.note": "the therapist's own calendar label, about no client",
    "scheduling.CalendarFeed.token": "a random secret token",
    "signaling.RoomParticipant.peer_id": "a random identifier",
    "signaling.RoomParticipant.channel_name": "a channel layer address",
    "signaling.RoomParticipant.resume_token": "a random secret token",
    "sessions_app.Reminder.key": "an idempotency key built from identifiers",
    "sessions_app.Reminder.last_error": "the mail server's error text, no message content",
    "sessions_app.Delivery.message_id": "an email Message-ID",
    "sessions_app.Delivery.payload": "the rendered reminder email, sealed by mail.seal",
    "sessions_app.Delivery.last_error": "the mail server's error text, no message content",
    "sessions_app.Notification.title": "built by the app; names no exercise or other content",
    "sessions_app.Notification.url": "a URL path with identifiers",
    "sessions_app.Notification.key": "an idempotency key built from identifiers",
    "sessions_app.ExerciseTemplate.slug": "the shared exercise library, written by Duet",
    "sessions_app.ExerciseTemplate.title": "the shared exercise library, written by Duet",
    "sessions_app.ExerciseTemplate.summary": "the shared exercise library, written by Duet",
    "sessions_app.ExerciseTemplate.instructions": "the shared exercise library, written by Duet",
    "sessions_app.ExerciseTemplate.suggested_audience": "a library default",
    "sessions_app.ReminderPreference.offsets_minutes": "numbers: when to remind",
    "measures.MeasureResponse.instrument": "the code of a published questionnaire",
    "measures.MeasurePlan.schedule": "which questionnaires to send when (codes, numbers)",
}

# Encrypted, but picked from fixed answers rather than typed: no marker fits them.
PICKED_NOT_TYPED = {
    "sessions_app.CheckIn.feels_safe": "yes / no / unsure",
    "sessions_app.CheckIn.can_speak_freely": "yes / no / unsure",
    "measures.MeasureResponse.payload": "questionnaire answers picked on fixed scales",
    "intake.PartnerSafety.contact_phone": "a phone number: digits only, so no text marker fits",
}


def _text_fields() -> list[str]:
    out = []
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        for f in model._meta.concrete_fields:
            if isinstance(f, EncryptedTextField) or f.choices:
                continue  # encrypted, or one of a fixed set of values the app defines
            if isinstance(f, models.CharField | models.TextField | models.JSONField):
                out.append(f"{model._meta.label}.{f.name}")
    return out


def test_every_text_field_is_encrypted_or_listed_as_not_health_data():
    fields = _text_fields()
    unlisted = [f for f in fields if f not in NOT_HEALTH]
    assert unlisted == [], "encrypt these (EncryptedTextField) or list them with a reason"
    stale = sorted(set(NOT_HEALTH) - set(fields))
    assert stale == [], "listed as not health data but no longer a clear text field"
    assert all(len(reason) > 10 for reason in NOT_HEALTH.values())


@pytest.mark.django_db(transaction=True)
def test_a_database_dump_holds_none_of_the_markers_planted_in_every_encrypted_field(
    couple, partner_a, partner_b, therapist, clinic
):
    planted = plant(
        couple=couple, partner_a=partner_a, partner_b=partner_b, therapist=therapist, clinic=clinic
    )
    assert planted.unplanted == []
    # Every encrypted field a person can type received a marker somewhere.
    filled = {
        f"{type(obj)._meta.label}.{f.name}"
        for obj in planted.objects
        for f in encrypted_fields(type(obj))
        if MARKER_RE.search(str(getattr(obj, f.attname) or ""))
    }
    expected = {
        f"{m._meta.label}.{f.name}"
        for m in apps.get_models()
        if m._meta.label_lower not in NOT_HEALTH_DATA
        for f in encrypted_fields(m)
    }
    missing = expected - filled - set(PICKED_NOT_TYPED)
    assert missing == set(), "plant a marker in these fields (tests/security/planting.py)"
    dump = _dump_database()
    assert "sessions_app_homeworkassignment" in dump and "therapists_coupleassignment" in dump
    # Only typed text is looked for: the sweep also uses questionnaire answers' ids as
    # markers (their answers are numbers), and a dump holds every row's id.
    leaked = [m for m in planted.markers if MARKER_RE.fullmatch(m) and m in dump]
    assert leaked == []
