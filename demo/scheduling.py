"""Demo availability for ``seed_demo``: hours, session types and partner windows.

Idempotent and respectful of edits: hours and windows are only written when the
person has none, session types are matched by name.
"""

from __future__ import annotations

from datetime import time

from scheduling.models import AttendanceWindow, SessionType, WorkingHours
from scheduling.services import slots_versions_bump

WEEKDAYS = range(5)
# Wall-clock hours in each therapist's own zone (LA for Dr. Hale, Warsaw for Dr. Nowak).
HOURS = {
    "dr.hale@riverside.example": [(time(8), time(12)), (time(15), time(20))],
    "dr.nowak@riverside.example": [(time(6), time(10)), (time(14), time(18))],
}
# Sam (Los Angeles): weekday evenings and Saturday mornings; Aiko (Tokyo): every morning.
WINDOWS = {
    "sam@example.com": {**{d: [(time(17), time(22))] for d in WEEKDAYS}, 5: [(time(9), time(12))]},
    "aiko@example.com": {d: [(time(7), time(13))] for d in range(7)},
}
TYPES = [
    # name, length, buffer after, format
    ("First session", 80, 10, "video"),
    ("Couples session", 50, 10, "video"),
    ("In-person session", 50, 15, "in_person"),
]


def seed_scheduling(*, therapists, partners) -> None:
    for therapist in therapists:
        for name, length, after, fmt in TYPES:
            SessionType.objects.get_or_create(
                therapist=therapist,
                name=name,
                defaults={
                    "length_minutes": length,
                    "buffer_after_minutes": after,
                    "format": fmt,
                },
            )
        if not WorkingHours.objects.filter(therapist=therapist).exists():
            WorkingHours.objects.bulk_create(
                WorkingHours(therapist=therapist, weekday=d, start_time=s, end_time=e)
                for d in WEEKDAYS
                for s, e in HOURS.get(therapist.email, [(time(9), time(17))])
            )
    for partner in partners:
        if AttendanceWindow.objects.filter(user=partner).exists():
            continue
        AttendanceWindow.objects.bulk_create(
            AttendanceWindow(user=partner, weekday=d, start_time=s, end_time=e)
            for d, ranges in WINDOWS.get(partner.email, {}).items()
            for s, e in ranges
        )
        slots_versions_bump(partner_id=partner.pk)
    # Written around the services: a running server must not keep older cached slots.
    slots_versions_bump(therapist_ids=[t.pk for t in therapists])
