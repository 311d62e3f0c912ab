"""Writes for intake. Keyword-only ``<entity>_<action>`` functions taking ``now``."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import active_couple_for
from core.audit import audit_record
from core.errors import Conflict, DomainError, Forbidden
from intake import places, selectors
from intake.models import (
    DocumentKind,
    DocumentVersion,
    IntakeDocument,
    PartnerSafety,
    SessionLocation,
    Signature,
    content_hash,
)
from scheduling.models import Booking
from therapists.models import Clinic
from therapists.selectors import is_admin_of


class NameMismatch(DomainError):
    """The typed name is not the account's; the signer must confirm it is theirs."""

    status = 409


def _norm_name(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip().casefold()


# --- documents ----------------------------------------------------------------------


def document_version_publish(
    *, clinic: Clinic, kind: str, title: str, body: str, by: User, now: datetime
) -> DocumentVersion:
    """Publish a new version of one of the clinic's documents. Earlier signatures stay;
    partners are asked to sign the new text at their next visit."""
    if not is_admin_of(by, clinic.pk):
        raise Forbidden(_("Only an admin of this clinic edits its documents."), "forbidden")
    if kind not in DocumentKind.values:
        raise DomainError(_("Unknown document kind."), "invalid", 422, field="kind")
    title, body = (title or "").strip(), (body or "").strip()
    if not title:
        raise DomainError(_("Give the document a title."), "invalid", 422, field="title")
    if not body:
        raise DomainError(_("The document needs its text."), "invalid", 422, field="body")
    if len(title) > 160 or len(body) > 40_000:
        raise DomainError(_("The document is too long."), "invalid", 422, field="body")
    with transaction.atomic():
        document, _created = IntakeDocument.objects.select_for_update().get_or_create(
            clinic=clinic, kind=kind, defaults={"created_at": now}
        )
        # The lock on the document row serialises numbering; the unique constraint backs it.
        document = IntakeDocument.objects.select_for_update().get(pk=document.pk)
        latest = document.versions.order_by("-number").first()
        digest = content_hash(title, body)
        if latest is not None and latest.content_hash == digest:
            raise Conflict(_("This text is already the current version."), "unchanged")
        number = (document.versions.aggregate(m=Max("number"))["m"] or 0) + 1
        version = DocumentVersion.objects.create(
            document=document,
            number=number,
            title=title,
            body=body,
            content_hash=digest,
            published_at=now,
            published_by=by,
        )
    audit_record(actor=by, action="intake_document.publish", obj=version, clinic_id=clinic.pk)
    return version


def document_version_delete(*, version: DocumentVersion, by: User) -> None:
    """Withdraw a version nobody signed (say, a typo published a minute ago)."""
    if not is_admin_of(by, version.document.clinic_id):
        raise Forbidden(_("Only an admin of this clinic edits its documents."), "forbidden")
    with transaction.atomic():
        locked = DocumentVersion.objects.select_for_update().get(pk=version.pk)
        if Signature.objects.filter(version=locked).exists():
            raise Conflict(
                _(
                    "Someone signed this version, so it stays on record. Publish a new version "
                    "instead."
                ),
                "signed_version",
            )
        audit_record(
            actor=by,
            action="intake_document.delete",
            object_type="intake.documentversion",
            object_id=str(locked.pk),
            clinic_id=locked.document.clinic_id,
        )
        locked.delete()


def document_sign(
    *,
    version: DocumentVersion,
    user: User,
    typed_name: str,
    signed_on: date | None,
    confirm_name: bool,
    now: datetime,
    request: HttpRequest | None = None,
) -> Signature:
    """Sign the current version as ``typed_name``. The version's hash is kept with the
    signature; the signer's IP and time go to the audit log."""
    couple = active_couple_for(user) if user.is_client else None
    if couple is None or selectors.version_for_signer(user, version.pk) is None:
        raise Forbidden(_("This document is not one of your clinic's."), "forbidden")
    typed = re.sub(r"\s+", " ", typed_name or "").strip()
    if len(typed) < 2:
        raise DomainError(_("Type your full name to sign."), "invalid", 422, field="typed_name")
    if len(typed) > 150:
        raise DomainError(_("That name is too long."), "invalid", 422, field="typed_name")
    today = now.astimezone(user.tz).date()
    if signed_on is None:
        raise DomainError(_("Give today's date."), "invalid", 422, field="signed_on")
    # A day either side: the signer's calendar may be a zone away from their account's.
    if abs((signed_on - today).days) > 1:
        raise DomainError(
            _("The date must be today's (%(today)s).") % {"today": f"{today:%Y-%m-%d}"},
            "invalid",
            422,
            field="signed_on",
        )
    mismatch = _norm_name(typed) != _norm_name(user.full_name)
    if mismatch and not confirm_name:
        raise NameMismatch(
            _(
                "“%(typed)s” is not the name on your account (“%(account)s”). "
                "Sign with this name anyway?"
            )
            % {"typed": typed, "account": user.full_name},
            "name_mismatch",
            field="typed_name",
            account_name=user.full_name,
        )
    with transaction.atomic():
        current = selectors.current_versions(version.document.clinic_id)
        if version.pk not in {v.pk for v in current}:
            raise Conflict(
                _("A newer version of this document was published; read and sign that one."),
                "superseded",
            )
        if Signature.objects.filter(version=version, signer=user).exists():
            raise Conflict(_("You already signed this version."), "already_signed")
        try:
            with transaction.atomic():
                signature = Signature.objects.create(
                    version=version,
                    signer=user,
                    couple=couple,
                    typed_name=typed,
                    signed_on=signed_on,
                    version_hash=version.content_hash,
                    name_mismatch=mismatch,
                    signed_at=now,
                )
        except IntegrityError:
            raise Conflict(_("You already signed this version."), "already_signed") from None
        audit_record(
            actor=user,
            action="intake_document.sign",
            obj=signature,
            request=request,
            couple_id=couple.pk,
        )
    return signature


# --- safety details -----------------------------------------------------------------

PHONE_RE = re.compile(r"^\+?[0-9][0-9 ()./-]{4,30}$")


def emergency_contact_save(
    *, user: User, name: str, relation: str, phone: str, now: datetime
) -> PartnerSafety:
    if not user.is_client:
        raise Forbidden(_("Only clients keep an emergency contact here."), "forbidden")
    name, relation, phone = (name or "").strip(), (relation or "").strip(), (phone or "").strip()
    if not name:
        raise DomainError(_("Give your contact's name."), "invalid", 422, field="name")
    if len(name) > 120 or len(relation) > 60:
        raise DomainError(_("That is too long."), "invalid", 422, field="name")
    if not PHONE_RE.match(phone):
        raise DomainError(
            _("Give a phone number with its country code, like +1 415 555 0100."),
            "invalid",
            422,
            field="phone",
        )
    safety, _created = PartnerSafety.objects.get_or_create(user=user)
    safety.contact_name, safety.contact_relation, safety.contact_phone = name, relation, phone
    safety.updated_at = now
    safety.save()
    audit_record(actor=user, action="emergency_contact.update", obj=safety)
    return safety


def home_place_save(*, user: User, country: str, region: str, now: datetime) -> PartnerSafety:
    if not user.is_client:
        raise Forbidden(_("Only clients keep a home place here."), "forbidden")
    try:
        country, region = places.clean_place(country, region)
    except places.PlaceError as exc:
        raise DomainError(exc.detail, "invalid", 422, field=exc.field) from None
    safety, _created = PartnerSafety.objects.get_or_create(user=user)
    safety.home_country, safety.home_region, safety.updated_at = country, region, now
    safety.save()
    return safety


def location_confirm(
    *,
    booking: Booking,
    user: User,
    country: str,
    region: str,
    free_text: str,
    now: datetime,
    request: HttpRequest | None = None,
) -> SessionLocation:
    """Record where a partner is for this session. A place in none of the lists is
    kept as typed and flagged to the therapist."""
    if user.pk not in {p.pk for p in booking.couple.partners}:
        raise Forbidden(_("This session is not yours."), "forbidden")
    free_text = re.sub(r"\s+", " ", free_text or "").strip()
    if len(free_text) > 200:
        raise DomainError(
            _("Keep the place under 200 characters."), "invalid", 422, field="free_text"
        )
    if free_text and not country:
        country, region = "", ""
    else:
        try:
            country, region = places.clean_place(country, region)
        except places.PlaceError as exc:
            raise DomainError(exc.detail, "invalid", 422, field=exc.field) from None
        free_text = ""
    if booking.ends_at + timedelta(hours=2) < now:
        raise Conflict(_("This session is over."), "session_over")
    with transaction.atomic():
        loc = SessionLocation.objects.select_for_update().filter(booking=booking, user=user).first()
        if loc is None:
            loc = SessionLocation(booking=booking, user=user)
        loc.country, loc.region, loc.free_text, loc.confirmed_at = country, region, free_text, now
        loc.save()
    audit_record(
        actor=user,
        action="session_location.confirm",
        obj=loc,
        request=request,
        couple_id=booking.couple_id,
    )
    return loc
