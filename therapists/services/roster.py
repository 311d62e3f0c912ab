"""Roster writes: deactivate, reactivate, weekly hours, clinic settings, couple
assignment. Each one writes its ``RosterChange`` row in the same transaction."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import Couple, User
from core.errors import Conflict, DomainError
from therapists.bookings import bookings

if TYPE_CHECKING:
    from scheduling.models import Booking
from therapists.models import (
    Clinic,
    ClinicMembership,
    CoupleAssignment,
    RosterChange,
)
from therapists.services._common import _log, _require_admin
from therapists.services.profiles import therapist_profile_ensure

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
            raise Conflict(
                _("%(name)s is already deactivated.") % {"name": membership.user.full_name},
                code="inactive",
            )
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
            raise Conflict(
                _("%(name)s is already active.") % {"name": membership.user.full_name},
                code="active",
            )
        elsewhere = (
            ClinicMembership.objects.filter(
                user=membership.user, role=ClinicMembership.Role.THERAPIST, is_active=True
            )
            .exclude(pk=membership.pk)
            .exists()
        )
        if elsewhere:
            raise Conflict(
                _("%(name)s is now active at another clinic.")
                % {"name": membership.user.full_name},
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
            _("Weekly hours must be between 0 and 80."), code="invalid", status=422, field="hours"
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
            _("%(therapist)s is not an active therapist of %(clinic)s.")
            % {"therapist": therapist.full_name, "clinic": clinic.name},
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
            _("This couple has no sessions with your clinic yet."),
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
                _("This couple is in the care of another clinic."), code="other_clinic_couple"
            )
        if current is not None and current.therapist_id == therapist.pk:
            raise Conflict(
                _("This couple is already with %(therapist)s.")
                % {"therapist": therapist.full_name},
                code="already_assigned",
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
                _("Someone else changed this couple's therapist meanwhile. Reload and try again."),
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
