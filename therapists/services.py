"""Writes for therapists, clinics and rosters. Keyword-only, ``<entity>_<action>``.

Every roster change writes a ``RosterChange`` row in the same transaction, so the
log and the roster cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import Couple, User
from accounts.services import user_create
from accounts.tokens import InvalidLink, invitation_from_link, make_link_token
from core.errors import Conflict, DomainError, Forbidden
from therapists import catalog
from therapists.bookings import bookings

if TYPE_CHECKING:
    from scheduling.models import Booking
from therapists.models import (
    Clinic,
    ClinicMembership,
    CoupleAssignment,
    ProfileFacet,
    RosterChange,
    TherapistInvitation,
    TherapistProfile,
)
from therapists.photos import process_photo
from therapists.selectors import is_admin_of

INVITE_KIND = "therapist"


def _log(
    *,
    clinic: Clinic,
    actor: User | None,
    action: str,
    summary: str,
    now: datetime,
    therapist: User | None = None,
    couple: Couple | None = None,
) -> RosterChange:
    return RosterChange.objects.create(
        clinic=clinic,
        actor=actor,
        action=action,
        summary=summary[:300],
        therapist=therapist,
        couple=couple,
        at=now,
    )


def _require_admin(user: User, clinic: Clinic) -> None:
    if not is_admin_of(user, clinic.pk):
        raise Forbidden("Only an admin of this clinic can change its roster.", code="not_admin")


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


def _check_codes(kind: str, codes: list[str], table: dict[str, str]) -> list[str]:
    unknown = [c for c in codes if c not in table]
    if unknown:
        raise DomainError(
            f"Unknown {kind}: {', '.join(unknown)}.", code="invalid", status=422, field=kind
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
        raise Forbidden("You can only edit your own profile.", code="not_your_profile")
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
            "Add the office address where in-person sessions take place.",
            code="invalid",
            status=422,
            field="office_address",
        )
    if data.currency not in catalog.currencies():
        raise DomainError(
            f"Unknown currency {data.currency}.", code="invalid", status=422, field="currency"
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


# --- Invitations ------------------------------------------------------------------------


def therapist_invitation_link(invitation: TherapistInvitation) -> str:
    token = make_link_token(INVITE_KIND, invitation.pk)
    return settings.SITE_URL + reverse("therapists:join", args=[token])


def therapist_invitation_create(
    *,
    clinic: Clinic,
    invited_by: User,
    email: str,
    full_name: str = "",
    now: datetime,
) -> TherapistInvitation:
    _require_admin(invited_by, clinic)
    email = User.objects.normalize_email(email).lower()
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None and not existing.is_therapist:
        raise Conflict(
            "This email belongs to a client or admin account. Invite the therapist's "
            "work email instead.",
            code="not_a_therapist_account",
        )
    if (
        existing is not None
        and ClinicMembership.objects.filter(
            clinic=clinic, user=existing, role=ClinicMembership.Role.THERAPIST
        ).exists()
    ):
        raise Conflict(
            f"{existing.full_name} is already on this roster. Reactivate them instead.",
            code="already_member",
        )
    days = settings.INVITATION_MAX_AGE_DAYS
    with transaction.atomic():
        # One live link per address and clinic: a new invitation replaces the old one.
        TherapistInvitation.objects.filter(
            clinic=clinic, email=email, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=now)
        invitation = TherapistInvitation.objects.create(
            clinic=clinic,
            email=email,
            full_name=full_name.strip(),
            invited_by=invited_by,
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
        _log(
            clinic=clinic,
            actor=invited_by,
            action=RosterChange.Action.INVITED,
            summary=f"{invited_by.full_name} invited {email} to join as a therapist",
            now=now,
        )
        context = {
            "inviter": invited_by,
            "clinic": clinic,
            "link": therapist_invitation_link(invitation),
            "days": days,
            "name": full_name.strip(),
        }
        transaction.on_commit(
            lambda: send_mail(
                subject=f"{clinic.name} invited you to Duet",
                message=render_to_string("therapists/emails/invitation.txt", context),
                html_message=render_to_string("therapists/emails/invitation.html", context),
                from_email=None,
                recipient_list=[email],
            )
        )
    return invitation


def therapist_invitation_check(
    *, token: str, user: User | None, now: datetime
) -> TherapistInvitation:
    """The invitation behind ``token`` if it can be accepted now; else a DomainError."""
    return invitation_from_link(
        kind=INVITE_KIND,
        token=token,
        queryset=TherapistInvitation.objects.select_related("clinic", "invited_by"),
        user=user,
        now=now,
        sender="the clinic",
    )


def therapist_invitation_accept(
    *,
    token: str,
    user: User | None,
    full_name: str = "",
    password: str | None = None,
    time_zone: str = "UTC",
    now: datetime,
) -> User:
    """Join the clinic as a therapist: with the logged-in account, or a new one.

    A new account is only created for an address without one; an existing
    account must log in first (the view sends it to the login page).
    """
    with transaction.atomic():
        invitation = therapist_invitation_check(token=token, user=user, now=now)
        invitation = TherapistInvitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None:
            raise InvalidLink("This invitation has already been used.", code="used", status=410)
        clinic = invitation.clinic
        if user is None or not user.is_authenticated:
            if User.objects.filter(email__iexact=invitation.email).exists():
                raise Conflict(
                    "An account with this email already exists. Log in to accept.",
                    code="login_required",
                )
            user = user_create(
                email=invitation.email,
                password=password,
                full_name=full_name or invitation.full_name,
                time_zone=time_zone,
                role=User.Role.THERAPIST,
            )
        if not user.is_therapist:
            raise Forbidden(
                "Client and admin accounts cannot join a roster as a therapist.",
                code="not_a_therapist_account",
            )
        other = (
            ClinicMembership.objects.filter(
                user=user, role=ClinicMembership.Role.THERAPIST, is_active=True
            )
            .exclude(clinic=clinic)
            .select_related("clinic")
            .first()
        )
        if other is not None:
            raise Conflict(
                f"You are an active therapist at {other.clinic.name}. Ask that clinic to "
                "deactivate you first; a profile lists one clinic.",
                code="member_elsewhere",
            )
        try:
            with transaction.atomic():
                membership, _ = ClinicMembership.objects.get_or_create(
                    clinic=clinic, user=user, role=ClinicMembership.Role.THERAPIST
                )
        except IntegrityError:
            raise Conflict("The roster changed meanwhile. Try again.", code="conflict") from None
        if not membership.is_active:
            membership.is_active = True
            membership.save(update_fields=["is_active"])
        therapist_profile_ensure(user=user, clinic=clinic)
        invitation.accepted_at = now
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        _log(
            clinic=clinic,
            actor=user,
            action=RosterChange.Action.JOINED,
            summary=f"{user.full_name} accepted the invitation and joined the roster",
            therapist=user,
            now=now,
        )
    return user


# --- Roster -------------------------------------------------------------------------------


def _locked_membership(membership: ClinicMembership) -> ClinicMembership:
    return (
        ClinicMembership.objects.select_for_update()
        .select_related("clinic", "user")
        .get(pk=membership.pk)
    )


def therapist_deactivate(*, membership: ClinicMembership, by: User, now: datetime) -> list[Booking]:
    """Take a therapist off the roster: no new bookings, profile hidden, history kept.

    Returns their future sessions, which the admin then reassigns.
    """
    from therapists.selectors import future_sessions_of

    _require_admin(by, membership.clinic)
    with transaction.atomic():
        membership = _locked_membership(membership)
        if not membership.is_active:
            raise Conflict(f"{membership.user.full_name} is already deactivated.", code="inactive")
        membership.is_active = False
        membership.save(update_fields=["is_active"])
        _log(
            clinic=membership.clinic,
            actor=by,
            action=RosterChange.Action.DEACTIVATED,
            summary=f"{by.full_name} deactivated {membership.user.full_name}",
            therapist=membership.user,
            now=now,
        )
    return future_sessions_of(membership.user, now=now)


def therapist_reactivate(
    *, membership: ClinicMembership, by: User, now: datetime
) -> ClinicMembership:
    _require_admin(by, membership.clinic)
    with transaction.atomic():
        membership = _locked_membership(membership)
        if membership.is_active:
            raise Conflict(f"{membership.user.full_name} is already active.", code="active")
        elsewhere = (
            ClinicMembership.objects.filter(
                user=membership.user, role=ClinicMembership.Role.THERAPIST, is_active=True
            )
            .exclude(pk=membership.pk)
            .exists()
        )
        if elsewhere:
            raise Conflict(
                f"{membership.user.full_name} is now active at another clinic.",
                code="member_elsewhere",
            )
        membership.is_active = True
        membership.save(update_fields=["is_active"])
        therapist_profile_ensure(user=membership.user, clinic=membership.clinic)
        _log(
            clinic=membership.clinic,
            actor=by,
            action=RosterChange.Action.REACTIVATED,
            summary=f"{by.full_name} reactivated {membership.user.full_name}",
            therapist=membership.user,
            now=now,
        )
    return membership


def therapist_set_weekly_hours(
    *, membership: ClinicMembership, by: User, hours: int | None, now: datetime
) -> ClinicMembership:
    _require_admin(by, membership.clinic)
    if hours is not None and not 0 <= hours <= 80:
        raise DomainError(
            "Weekly hours must be between 0 and 80.", code="invalid", status=422, field="hours"
        )
    with transaction.atomic():
        membership = _locked_membership(membership)
        membership.weekly_hours = hours
        membership.save(update_fields=["weekly_hours"])
        _log(
            clinic=membership.clinic,
            actor=by,
            action=RosterChange.Action.HOURS_CHANGED,
            summary=(
                f"{by.full_name} set {membership.user.full_name}'s weekly hours to "
                f"{hours if hours is not None else 'not set'}"
            ),
            therapist=membership.user,
            now=now,
        )
    return membership


CLINIC_SETTINGS = (
    "name",
    "time_zone",
    "late_cancel_hours",
    "late_cancel_fee",
    "currency",
    "private_messages",
    "serves_outside_license",
)


def _label(field_name: str) -> str:
    field = Clinic._meta.get_field(field_name)
    return str(getattr(field, "verbose_name", field_name))


def clinic_update_settings(*, clinic: Clinic, by: User, data: dict, now: datetime) -> Clinic:
    """Change a clinic's policy; the log names each changed setting."""
    _require_admin(by, clinic)
    with transaction.atomic():
        clinic = Clinic.objects.select_for_update().get(pk=clinic.pk)
        changed = [f for f in CLINIC_SETTINGS if f in data and getattr(clinic, f) != data[f]]
        for name in changed:
            setattr(clinic, name, data[name])
        try:
            clinic.full_clean(exclude=["slug"])
        except ValidationError as exc:
            first_field, messages = next(iter(exc.message_dict.items()))
            raise DomainError(messages[0], code="invalid", status=422, field=first_field) from None
        if changed:
            clinic.save(update_fields=changed)
            labels = ", ".join(_label(f) for f in changed)
            _log(
                clinic=clinic,
                actor=by,
                action=RosterChange.Action.SETTINGS_CHANGED,
                summary=f"{by.full_name} changed clinic settings: {labels}",
                now=now,
            )
    return clinic


def _active_therapist(clinic: Clinic, therapist: User) -> None:
    if not ClinicMembership.objects.filter(
        clinic=clinic, user=therapist, role=ClinicMembership.Role.THERAPIST, is_active=True
    ).exists():
        raise DomainError(
            f"{therapist.full_name} is not an active therapist of {clinic.name}.",
            code="not_active_therapist",
            status=422,
            field="therapist",
        )


def couple_assign(
    *,
    clinic: Clinic,
    couple: Couple,
    therapist: User,
    by: User,
    note: str = "",
    now: datetime,
) -> CoupleAssignment:
    """Give a couple without a current therapist one; a couple with one is transferred."""
    _require_admin(by, clinic)
    _active_therapist(clinic, therapist)
    known = (
        bookings().model.objects.filter(couple=couple, clinic=clinic).exists()
        or CoupleAssignment.objects.filter(couple=couple, clinic=clinic).exists()
    )
    if not known:
        raise DomainError(
            "This couple has no sessions with your clinic yet.",
            code="unknown_couple",
            status=404,
            field="couple",
        )
    with transaction.atomic():
        Couple.objects.select_for_update().get(pk=couple.pk)
        current = (
            CoupleAssignment.objects.select_for_update()
            .filter(couple=couple, ended_at__isnull=True)
            .select_related("therapist", "clinic")
            .first()
        )
        if current is not None and current.clinic_id != clinic.pk:
            raise Conflict(
                "This couple is in the care of another clinic.", code="other_clinic_couple"
            )
        if current is not None and current.therapist_id == therapist.pk:
            raise Conflict(
                f"This couple is already with {therapist.full_name}.", code="already_assigned"
            )
        if current is not None:
            current.ended_at = now
            current.ended_by = by
            current.save(update_fields=["ended_at", "ended_by"])
        try:
            with transaction.atomic():
                assignment = CoupleAssignment.objects.create(
                    couple=couple,
                    therapist=therapist,
                    clinic=clinic,
                    started_at=now,
                    assigned_by=by,
                    note=note.strip()[:300],
                )
        except IntegrityError:
            raise Conflict(
                "Someone else changed this couple's therapist meanwhile. Reload and try again.",
                code="conflict",
            ) from None
        if current is None:
            action = RosterChange.Action.ASSIGNED
            summary = f"{by.full_name} assigned {couple} to {therapist.full_name}"
        else:
            action = RosterChange.Action.TRANSFERRED
            summary = (
                f"{by.full_name} transferred {couple} from {current.therapist.full_name} "
                f"to {therapist.full_name}"
            )
        _log(
            clinic=clinic,
            actor=by,
            action=action,
            summary=summary,
            therapist=therapist,
            couple=couple,
            now=now,
        )
    return assignment
