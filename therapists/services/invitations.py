"""Therapist invitations: create, check the link, accept."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.invitations import invitation_email_queue
from accounts.models import User
from accounts.services import user_create
from accounts.tokens import InvalidLink, invitation_from_link
from core.errors import Conflict, Forbidden

if TYPE_CHECKING:
    pass
from therapists.models import (
    Clinic,
    ClinicMembership,
    RosterChange,
    TherapistInvitation,
)
from therapists.services._common import _log, _require_admin
from therapists.services.profiles import therapist_profile_ensure

# --- Invitations ------------------------------------------------------------------------


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
            _(
                "This email belongs to a client or admin account. Invite the therapist's "
                "work email instead."
            ),
            code="not_a_therapist_account",
        )
    if (
        existing is not None
        and ClinicMembership.objects.filter(
            clinic=clinic, user=existing, role=ClinicMembership.Role.THERAPIST
        ).exists()
    ):
        raise Conflict(
            _("%(name)s is already on this roster. Reactivate them instead.")
            % {"name": existing.full_name},
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
        invitation_email_queue(
            invitation=invitation,
            subject=lambda: _("%(clinic)s invited you to Duet") % {"clinic": clinic.name},
            template="therapists/emails/invitation",
            context={"inviter": invited_by, "clinic": clinic, "name": full_name.strip()},
            now=now,
        )
    return invitation


def therapist_invitation_check(
    *, token: str, user: User | None, now: datetime
) -> TherapistInvitation:
    """The invitation behind ``token`` if it can be accepted now; else a DomainError."""
    return invitation_from_link(
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
            raise InvalidLink(_("This invitation has already been used."), code="used", status=410)
        clinic = invitation.clinic
        if user is None or not user.is_authenticated:
            if User.objects.filter(email__iexact=invitation.email).exists():
                raise Conflict(
                    _("An account with this email already exists. Log in to accept."),
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
                _("Client and admin accounts cannot join a roster as a therapist."),
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
                _(
                    "You are an active therapist at %(clinic)s. Ask that clinic to "
                    "deactivate you first; a profile lists one clinic."
                )
                % {"clinic": other.clinic.name},
                code="member_elsewhere",
            )
        try:
            with transaction.atomic():
                membership, _created = ClinicMembership.objects.get_or_create(
                    clinic=clinic, user=user, role=ClinicMembership.Role.THERAPIST
                )
        except IntegrityError:
            raise Conflict(_("The roster changed meanwhile. Try again."), code="conflict") from None
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
