"""Reads: what is due when, who may read which answers, trends, flags and clinic figures.

One module per question (due, access, trends, flags, figures); the names are
re-exported here so callers import from ``measures.selectors``.
"""

from measures.selectors.access import (
    can_read,
    clinic_for_admin,
    couple_for_therapist,
    response_for,
)
from measures.selectors.due import (
    HELD,
    due_instruments,
    own_answers_for,
    plan_for_booking,
    plan_for_clinic,
    plan_for_couple,
    session_number,
)
from measures.selectors.figures import (
    DROPOUT_AFTER,
    ClinicFigures,
    Figures,
    figures_for_viewer,
    outcome_figures,
)
from measures.selectors.flags import (
    CoupleMeasures,
    Flag,
    couple_measures,
    flags_for,
    flags_for_booking,
    flags_for_bookings,
)
from measures.selectors.trends import Point, Series, own_answers, own_series, series_by_partner

__all__ = [
    "DROPOUT_AFTER",
    "HELD",
    "ClinicFigures",
    "CoupleMeasures",
    "Figures",
    "Flag",
    "Point",
    "Series",
    "can_read",
    "clinic_for_admin",
    "couple_for_therapist",
    "couple_measures",
    "due_instruments",
    "figures_for_viewer",
    "flags_for",
    "flags_for_booking",
    "flags_for_bookings",
    "outcome_figures",
    "own_answers",
    "own_answers_for",
    "own_series",
    "plan_for_booking",
    "plan_for_clinic",
    "plan_for_couple",
    "response_for",
    "series_by_partner",
    "session_number",
]
