"""Writes for therapists, clinics and rosters. Keyword-only, ``<entity>_<action>``.

Every roster change writes a ``RosterChange`` row in the same transaction, so the
log and the roster cannot disagree. One module per concern; the names are re-exported here."""

from therapists.services.invitations import (
    therapist_invitation_accept,
    therapist_invitation_check,
    therapist_invitation_create,
)
from therapists.services.profiles import (
    ProfileData,
    therapist_profile_ensure,
    therapist_profile_update,
)
from therapists.services.roster import (
    CLINIC_SETTINGS,
    clinic_update_settings,
    couple_assign,
    therapist_deactivate,
    therapist_reactivate,
    therapist_set_weekly_hours,
)

__all__ = [
    "CLINIC_SETTINGS",
    "ProfileData",
    "clinic_update_settings",
    "couple_assign",
    "therapist_deactivate",
    "therapist_invitation_accept",
    "therapist_invitation_check",
    "therapist_invitation_create",
    "therapist_profile_ensure",
    "therapist_profile_update",
    "therapist_reactivate",
    "therapist_set_weekly_hours",
]
