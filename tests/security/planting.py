"""Plant unique marker strings in every health-data object of one couple.

Known models get realistic rows; any other model with an ``EncryptedTextField`` (added
by other apps: journal, check-ins, homework...) is planted automatically by filling its
required fields from the couple's objects. A model that cannot be planted is reported,
so the authorization sweep never silently skips new health data.
"""

from __future__ import annotations

import itertools
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.apps import apps
from django.db import models, transaction
from django.utils import timezone

from core.fields import encrypted_fields

_counter = itertools.count(1)
MARKER_RE = re.compile(r"MARKER\d{3}-[a-z0-9_]+-[0-9a-f]{10}")


def marker(kind: str) -> str:
    return f"MARKER{next(_counter):03d}-{kind}-{uuid.uuid4().hex[:10]}"


@dataclass
class Planted:
    # marker -> category ("shared", "private_a", "note")
    markers: dict[str, str] = field(default_factory=dict)
    objects: list[models.Model] = field(default_factory=list)
    unplanted: list[str] = field(default_factory=list)

    def add(self, obj: models.Model, category: str = "shared") -> models.Model:
        self.objects.append(obj)
        for f in encrypted_fields(type(obj)):
            for found in MARKER_RE.findall(getattr(obj, f.attname) or ""):
                self.markers[found] = category
        return obj

    def ids(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {"int": set(), "uuid": set(), "str": set()}
        for obj in self.objects:
            pk = obj.pk
            kind = "uuid" if isinstance(pk, uuid.UUID) else "int" if isinstance(pk, int) else "str"
            out[kind].add(str(pk))
            out["str"].add(str(pk))
            room = getattr(obj, "room_id", None)
            if isinstance(room, str):
                out["str"].add(room)
        return out


def _fill_value(f: models.Field, ctx: dict, mark: str):
    if isinstance(f, models.ForeignKey):
        rel = f.related_model
        label = rel._meta.label_lower
        if label == "accounts.user":
            return ctx["therapist"] if "therapist" in f.name else ctx["partner_a"]
        for obj in ctx.values():
            if isinstance(obj, rel):
                return obj
        found = rel._default_manager.first()
        if found is None:
            raise LookupError(f"no {label} to point {f.name} at")
        return found
    if f.choices:
        return f.choices[0][0]
    if isinstance(f, models.DateTimeField):
        return timezone.now()
    if isinstance(f, models.DateField):
        return date.today()
    if isinstance(f, models.BooleanField):
        return False
    if isinstance(f, models.DecimalField | models.FloatField | models.IntegerField):
        return 1
    # Clear-text columns get a plain value: markers go only where text is encrypted
    # (test_at_rest lists every clear text column with why it is not health data).
    if isinstance(f, models.JSONField):
        return {"text": "plain"}
    if isinstance(f, models.CharField | models.TextField):
        return f"plain-{mark[-10:]}"[: f.max_length] if f.max_length else "plain"
    raise LookupError(f"cannot fill {f.name} ({type(f).__name__})")


def _auto_plant(model, ctx: dict, planted: Planted) -> None:
    mark = marker(model._meta.model_name)
    kwargs = {}
    try:
        for f in model._meta.concrete_fields:
            if f.primary_key or isinstance(f, models.AutoField):
                continue
            if f in encrypted_fields(model):
                kwargs[f.attname] = mark
                continue
            if f.has_default() or f.null:
                continue
            kwargs[f.name] = _fill_value(f, ctx, mark)
        with transaction.atomic():
            planted.add(model._default_manager.create(**kwargs))
    except Exception as exc:  # reported by the sweep as an unplanted model
        planted.unplanted.append(f"{model._meta.label}: {exc}")


def plant(*, couple, partner_a, partner_b, therapist, clinic) -> Planted:
    from messaging import services as messaging_services
    from notes import services as notes_services
    from scheduling.models import Booking
    from sessions_app.models import Reflection

    planted = Planted()
    start = timezone.now() - timedelta(hours=3)
    booking = Booking.objects.create(
        therapist=therapist,
        couple=couple,
        clinic=clinic,
        starts_at=start,
        ends_at=start + timedelta(minutes=50),
        status=Booking.Status.COMPLETED,
        booked_by=partner_a,
    )
    planted.objects += [booking, couple, partner_a, partner_b]
    for user in (partner_a, partner_b):
        planted.add(
            Reflection.objects.create(
                booking=booking,
                user=user,
                rating=3,
                what_helped=marker("reflection"),
                what_to_work_on=marker("reflection2"),
            )
        )
    shared = messaging_services.thread_open(user=partner_a, therapist=therapist)
    private = messaging_services.thread_open(user=partner_a, therapist=therapist, private=True)
    planted.objects += [shared, private]
    planted.add(
        messaging_services.message_post(
            thread=shared, author=partner_b, body=marker("msg"), now=timezone.now()
        )
    )
    planted.add(
        messaging_services.message_post(
            thread=private, author=partner_a, body=marker("private"), now=timezone.now()
        ),
        "private_a",
    )
    note = notes_services.note_create(
        therapist=therapist, booking=booking, template="soap", now=timezone.now()
    )
    notes_services.note_update(
        note_id=note.pk,
        therapist=therapist,
        sections={"subjective": marker("note")},
        now=timezone.now(),
    )
    draft = notes_services.note_create(
        therapist=therapist, booking=booking, template="free", now=timezone.now()
    )
    planted.add(
        notes_services.note_update(
            note_id=draft.pk,
            therapist=therapist,
            sections={"note": marker("draft")},
            now=timezone.now(),
        ),
        "note",
    )
    notes_services.note_sign(note_id=note.pk, therapist=therapist, now=timezone.now())
    note.refresh_from_db()
    planted.add(note, "note")
    planted.add(
        notes_services.note_addendum_add(
            note_id=note.pk, author=therapist, body=marker("addendum"), now=timezone.now()
        ),
        "note",
    )
    _plant_between_sessions(
        planted,
        couple=couple,
        partner_a=partner_a,
        partner_b=partner_b,
        therapist=therapist,
        booking=booking,
        clinic=clinic,
    )
    _plant_intake(planted, couple=couple, partner_a=partner_a, partner_b=partner_b, clinic=clinic)
    ctx = {
        "partner_a": partner_a,
        "therapist": therapist,
        "couple": couple,
        "booking": booking,
        "clinic": clinic,
        "thread": shared,
        "note": note,
    }
    planted_models = {type(o) for o in planted.objects}
    for model in apps.get_models():
        if encrypted_fields(model) and model not in planted_models:
            if model._meta.label_lower in NOT_HEALTH_DATA:
                continue
            _auto_plant(model, ctx, planted)
    return planted


def _plant_between_sessions(
    planted: Planted, *, couple, partner_a, partner_b, therapist, booking, clinic
) -> None:
    """Homework, responses, check-ins, journal and goals, written through the services.

    Categories: "shared" (both partners may read), "private_a"/"private_b" (only that
    partner and the therapist), "note" (the therapist only)."""
    from scheduling.models import Booking
    from sessions_app.services import checkins, homework, journal

    now = timezone.now()
    upcoming = Booking.objects.create(
        therapist=therapist,
        couple=couple,
        clinic=clinic,
        starts_at=now + timedelta(days=2),
        ends_at=now + timedelta(days=2, minutes=50),
        status=Booking.Status.CONFIRMED,
        booked_by=partner_a,
    )
    planted.objects.append(upcoming)
    joint = homework.homework_assign(
        therapist=therapist,
        couple=couple,
        booking=booking,
        due_at=now + timedelta(days=5),
        audience="both",
        title=marker("hw_title"),
        instructions=marker("homework"),
        now=now,
    )
    planted.add(joint)
    planted.add(
        homework.homework_respond(
            user=partner_a,
            assignment=joint,
            body=marker("hw_private"),
            visibility="private",
            done=True,
            now=now,
        ),
        "private_a",
    )
    planted.add(
        homework.homework_respond(
            user=partner_b,
            assignment=joint,
            body=marker("hw_shared"),
            visibility="shared",
            done=True,
            now=now,
        ),
        "shared",
    )
    hidden = homework.homework_assign(
        therapist=therapist,
        couple=couple,
        booking=booking,
        due_at=now + timedelta(days=5),
        audience="both",
        title=marker("hw_title2"),
        instructions=marker("homework2"),
        now=now,
        reveal_when_both_done=True,
    )
    planted.add(hidden)
    # Shared, but hidden from partner A until A has finished too.
    planted.add(
        homework.homework_respond(
            user=partner_b,
            assignment=hidden,
            body=marker("hw_hidden"),
            visibility="shared",
            done=True,
            now=now,
        ),
        "private_b",
    )
    for user, category in ((partner_a, "private_a"), (partner_b, "private_b")):
        planted.add(
            checkins.check_in_submit(
                user=user,
                booking=upcoming,
                mood=4,
                talking_points=marker("talk"),
                feels_safe="no",
                can_speak_freely="unsure",
                safety_note=marker("safety"),
                now=now,
            ),
            category,
        )
    # Questionnaire answers are numbers, so each answer's id is its marker.
    from measures.services import measures_answer

    for user, category, each in ((partner_a, "private_a", 3), (partner_b, "private_b", 9)):
        saved = measures_answer(
            user=user,
            booking=upcoming,
            moment="before",
            answers={"wellbeing": dict.fromkeys(("me", "relationship", "daily", "overall"), each)},
            now=now,
        )
        saved += measures_answer(
            user=user,
            booking=booking,
            moment="after",
            answers={"alliance": dict.fromkeys(("heard", "goals", "approach", "overall"), each)},
            now=now,
        )
        for answer in saved:
            planted.objects.append(answer)
            planted.markers[str(answer.pk)] = category
    planted.add(
        journal.journal_write(
            user=partner_a, couple=couple, kind="shared", body=marker("journal"), now=now
        )
    )
    planted.add(
        journal.journal_write(
            user=partner_b, couple=couple, kind="private", body=marker("diary"), now=now
        ),
        "private_b",
    )
    planted.add(journal.goal_create(user=partner_a, couple=couple, title=marker("goal"), now=now))
    from therapists.models import CoupleAssignment

    # The clinic admin's note for the record: the clinic's staff only, never the couple.
    planted.add(
        CoupleAssignment.objects.create(
            couple=couple, therapist=therapist, clinic=clinic, note=marker("assign_note")
        ),
        "clinic",
    )


def _plant_intake(planted: Planted, *, couple, partner_a, partner_b, clinic) -> None:
    """Signed documents, each partner's emergency contact and where each sat
    (free text) at a session. A partner's contact and location are theirs and their
    therapist's only: never the other partner's, never a clinic admin's."""
    from intake import services as intake
    from scheduling.models import Booking
    from therapists.models import ClinicMembership

    now = timezone.now()
    admin = ClinicMembership.objects.filter(clinic=clinic, role="admin").first()
    booking = Booking.objects.filter(couple=couple, status=Booking.Status.CONFIRMED).first()
    if admin is not None:
        version = intake.document_version_publish(
            clinic=clinic,
            kind="telehealth_consent",
            title="Consent",
            body="Text.",
            by=admin.user,
            now=now,
        )
        planted.objects.append(version)
        for user in (partner_a, partner_b):
            planted.objects.append(
                intake.document_sign(
                    version=version,
                    user=user,
                    typed_name=user.full_name,
                    signed_on=now.astimezone(user.tz).date(),
                    confirm_name=False,
                    now=now,
                )
            )
    for user, category in ((partner_a, "private_a"), (partner_b, "private_b")):
        planted.add(
            intake.emergency_contact_save(
                user=user,
                name=marker("contact"),
                relation=marker("relation"),
                phone="+1 415 555 0100",
                now=now,
            ),
            category,
        )
        planted.add(
            intake.location_confirm(
                booking=booking,
                user=user,
                country="",
                region="",
                free_text=marker("where"),
                now=now,
            ),
            category,
        )


# Encrypted, but not the couple's health data (secrets are covered by their own tests).
NOT_HEALTH_DATA = {"accounts.totpdevice", "notes.emergencyaccess"}
