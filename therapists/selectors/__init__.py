"""Reads for therapists, clinics and rosters. THE bookable rule (``is_bookable``,
directory) and THE clients rule (``therapist_clients``, ``is_client_of``, clients) live
here and nowhere else. One module per concern; the names are re-exported here."""

from therapists.selectors.clients import (
    assignment_history,
    clinic_couples,
    clinic_of_care,
    couple_therapists,
    future_sessions_of,
    is_client_of,
    therapist_clients,
    therapist_clients_qs,
)
from therapists.selectors.clinics import (
    active_therapists_of,
    clinics_administered_by,
    is_admin_of,
    membership_for_admin,
    pending_invitations,
    roster_changes,
    roster_for_admin,
)
from therapists.selectors.directory import (
    SOONEST_HORIZON_DAYS,
    DirectoryPage,
    bookable_profiles,
    directory_page,
    directory_queryset,
    is_bookable,
    profile_for_editor,
    public_profiles,
)
from therapists.selectors.roster import (
    RosterRow,
    active_clinic_id_of,
    roster_rows,
    week_bounds,
)

__all__ = [
    "SOONEST_HORIZON_DAYS",
    "DirectoryPage",
    "RosterRow",
    "active_clinic_id_of",
    "active_therapists_of",
    "assignment_history",
    "bookable_profiles",
    "clinic_couples",
    "clinic_of_care",
    "clinics_administered_by",
    "couple_therapists",
    "directory_page",
    "directory_queryset",
    "future_sessions_of",
    "is_admin_of",
    "is_bookable",
    "is_client_of",
    "membership_for_admin",
    "pending_invitations",
    "profile_for_editor",
    "public_profiles",
    "roster_changes",
    "roster_for_admin",
    "roster_rows",
    "therapist_clients",
    "therapist_clients_qs",
    "week_bounds",
]
