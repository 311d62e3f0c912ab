"""Writes for therapist profiles (facets, photo, fees)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import DomainError, Forbidden
from therapists import catalog

if TYPE_CHECKING:
    pass
from therapists.models import (
    Clinic,
    ProfileFacet,
    RosterChange,
    TherapistProfile,
)
from therapists.photos import process_photo
from therapists.selectors import is_admin_of
from therapists.services._common import _log

# --- Profiles ---------------------------------------------------------------------------


@dataclass
class ProfileData:
    headline: str = ""
    bio: str = ""
    office_address: str = ""
    fee: Decimal | None = None
    currency: str = "USD"
    years_in_practice: int | None = None
    accepting_new_couples: bool = True
    specialties: list[str] = field(default_factory=list)
    approaches: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    jurisdictions: list[str] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)


def _check_codes(kind: str, codes: list[str], table: Mapping[str, object]) -> list[str]:
    unknown = [c for c in codes if c not in table]
    if unknown:
        raise DomainError(
            # Translators: "field" is the API field's name (specialties, languages...).
            _("Unknown %(field)s: %(codes)s.") % {"field": kind, "codes": ", ".join(unknown)},
            code="invalid",
            status=422,
            field=kind,
        )
    return list(dict.fromkeys(codes))


def therapist_profile_update(
    *,
    profile: TherapistProfile,
    editor: User,
    data: ProfileData,
    photo: UploadedFile | None = None,
    remove_photo: bool = False,
    now: datetime,
) -> TherapistProfile:
    """Save a profile and its facets together; any invalid part saves nothing."""
    is_self = editor.pk == profile.user_id
    if not is_self and not is_admin_of(editor, profile.clinic_id):
        raise Forbidden(_("You can only edit your own profile."), code="not_your_profile")
    facets = {
        ProfileFacet.Kind.SPECIALTY: _check_codes(
            "specialties", data.specialties, catalog.SPECIALTIES
        ),
        ProfileFacet.Kind.APPROACH: _check_codes("approaches", data.approaches, catalog.APPROACHES),
        ProfileFacet.Kind.LANGUAGE: _check_codes("languages", data.languages, catalog.languages()),
        ProfileFacet.Kind.JURISDICTION: _check_codes(
            "jurisdictions", data.jurisdictions, catalog.jurisdictions()
        ),
        ProfileFacet.Kind.FORMAT: _check_codes("formats", data.formats, catalog.FORMATS),
    }
    in_person = {"in_person", "hybrid"} & set(facets[ProfileFacet.Kind.FORMAT])
    if in_person and not data.office_address.strip():
        raise DomainError(
            _("Add the office address where in-person sessions take place."),
            code="invalid",
            status=422,
            field="office_address",
        )
    if data.currency not in catalog.currencies():
        raise DomainError(
            _("Unknown currency %(currency)s.") % {"currency": data.currency},
            code="invalid",
            status=422,
            field="currency",
        )
    # Decode the photo before touching the database: a bad upload changes nothing.
    new_photo = process_photo(photo) if photo is not None else None
    for name in (
        "headline",
        "bio",
        "office_address",
        "fee",
        "currency",
        "years_in_practice",
        "accepting_new_couples",
    ):
        value = getattr(data, name)
        setattr(profile, name, value.strip() if isinstance(value, str) else value)
    profile.updated_at = now
    try:
        profile.full_clean(exclude=["user", "clinic", "photo"])
    except ValidationError as exc:
        first_field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], code="invalid", status=422, field=first_field) from None
    old_photo = profile.photo.name if profile.photo else ""
    with transaction.atomic():
        if new_photo is not None:
            profile.photo.save(str(new_photo.name), new_photo, save=False)
        elif remove_photo:
            profile.photo = ""
        profile.save()
        profile.facets.all().delete()
        ProfileFacet.objects.bulk_create(
            ProfileFacet(profile=profile, kind=kind, code=code)
            for kind, codes in facets.items()
            for code in codes
        )
        if not is_self and profile.clinic is not None:
            _log(
                clinic=profile.clinic,
                actor=editor,
                action=RosterChange.Action.PROFILE_EDITED,
                summary=f"{editor.full_name} edited the profile of {profile.user.full_name}",
                therapist=profile.user,
                now=now,
            )
        if old_photo and (new_photo is not None or remove_photo):
            storage = profile.photo.storage
            transaction.on_commit(lambda: storage.delete(old_photo))
    # Drop the prefetched facets so the caller sees what was saved.
    profile = TherapistProfile.objects.prefetch_related("facets").get(pk=profile.pk)
    return profile


def therapist_profile_ensure(*, user: User, clinic: Clinic | None) -> TherapistProfile:
    profile, created = TherapistProfile.objects.get_or_create(
        user=user, defaults={"clinic": clinic}
    )
    if not created and clinic is not None and profile.clinic_id != clinic.pk:
        profile.clinic = clinic
        profile.save(update_fields=["clinic"])
    return profile
