"""Scheduling JSON API (mounted at /api/scheduling). Thin: parse, call a service, shape.

Times are ISO 8601; instants are answered in UTC plus, where useful, the local
wall-clock time of the requested zone and of each partner.
"""

from scheduling.api import availability, bookings, series, slots  # noqa: F401  (registers endpoints)
from scheduling.api.router import router

__all__ = ["router"]
