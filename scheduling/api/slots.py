"""Bookable therapists, their session types and free slots."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from time import gmtime, strftime
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Couple, User
from core.errors import DomainError
from scheduling import selectors
from scheduling.api._helpers import (
    MAX_RANGE_DAYS,
    _couple_of,
    _in_calendar,
    _session_type,
    _therapist,
    _zone,
)
from scheduling.api.router import router
from scheduling.api.schemas import BookableTherapistOut, SessionTypeOut, SlotsOut
from scheduling.models import SessionType


@router.get(
    "/therapists", response=list[BookableTherapistOut], summary="Search bookable therapists"
)
def therapist_search(request: HttpRequest, q: str = "", days: int = 14):
    from therapists.models import ClinicMembership

    now = timezone.now()
    days = min(max(days, 1), 60)
    active_ids = ClinicMembership.objects.filter(role="therapist", is_active=True).values("user_id")
    qs = User.objects.filter(role=User.Role.THERAPIST, is_active=True, pk__in=active_ids)
    if q:
        qs = qs.filter(
            Q(full_name__icontains=q)
            | Q(therapist_profile__headline__icontains=q)
            | Q(therapist_profile__bio__icontains=q)
        )
    therapists = list(qs.select_related("therapist_profile__clinic")[:100])
    earliest = selectors.earliest_free_start_by_therapist(
        [t.pk for t in therapists], now=now, days=days
    )
    types: dict[int, list] = {}
    for st in SessionType.objects.filter(therapist__in=therapists, is_active=True):
        types.setdefault(st.therapist_id, []).append(st)
    out = []
    for t in therapists:
        profile = getattr(t, "therapist_profile", None)
        out.append(
            {
                "id": t.pk,
                "name": t.full_name,
                "time_zone": t.time_zone,
                "headline": profile.headline if profile else "",
                "clinic": profile.clinic.name if profile and profile.clinic else None,
                "earliest_free_start": earliest.get(t.pk),
                "session_types": types.get(t.pk, []),
            }
        )
    out.sort(key=lambda r: (r["earliest_free_start"] is None, r["earliest_free_start"] or now))
    return out


@router.get("/slots", response=SlotsOut, summary="Free slots for a therapist and your couple")
def slots(
    request: HttpRequest,
    therapist_id: int,
    session_type_id: int,
    start: date,
    end: date,
    couple_id: int | None = None,
    tz: str | None = None,
    local: bool = False,
):
    """Slots whose start falls on local dates ``start``..``end`` (inclusive) in ``tz``.

    Each slot is a pair of UTC instants; ``partners`` names each partner's IANA zone so
    the client shows the times in them (``Intl.DateTimeFormat`` with ``timeZone``).
    ``local=true`` adds the older per-slot strings: ``local_start``/``local_end`` in
    ``tz`` and each partner's ``local_start`` (a larger answer).
    """
    user = request.user
    _in_calendar(start, "start")
    _in_calendar(end, "end")
    zone_name = tz or user.time_zone
    zone = _zone(zone_name)
    now = timezone.now()
    session_type = _therapist_session_type(therapist_id, session_type_id)
    therapist = session_type.therapist
    if end < start:
        raise DomainError(
            _("end must not be before start."), code="invalid", status=422, field="end"
        )
    if (end - start).days > MAX_RANGE_DAYS:
        raise DomainError(
            ngettext(
                "Ask for at most %(days)s day at a time.",
                "Ask for at most %(days)s days at a time.",
                MAX_RANGE_DAYS,
            )
            % {"days": MAX_RANGE_DAYS},
            code="invalid",
            status=422,
            field="end",
        )
    range_start = datetime.combine(start, time(0), tzinfo=zone).astimezone(UTC)
    range_end = datetime.combine(end + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    last_day = (now + timedelta(days=session_type.horizon_days)).astimezone(zone).date()
    if end > last_day:
        raise DomainError(
            ngettext(
                "Bookings open at most %(days)s day ahead (the last date is %(last)s).",
                "Bookings open at most %(days)s days ahead (the last date is %(last)s).",
                session_type.horizon_days,
            )
            % {"days": session_type.horizon_days, "last": f"{last_day:%Y-%m-%d}"},
            code="beyond_horizon",
            status=422,
            field="end",
        )
    # Loaded before the slots: the versions on these rows key the cached list.
    couple = _couple_of(user, couple_id) if couple_id else selectors_active_couple(user)
    starts, length = selectors.slot_starts(
        therapist=therapist,
        couple=couple,
        session_type=session_type,
        start=range_start,
        end=range_end,
        now=now,
    )
    partners = couple.partners if couple else []
    # Built by hand (the shape is SlotsOut): hundreds of slots through pydantic
    # validation cost more than finding them.
    body = {
        "therapist_id": therapist.pk,
        "session_type_id": session_type.pk,
        "time_zone": zone_name,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "partners": [{"user_id": p.pk, "name": p.name, "time_zone": p.time_zone} for p in partners],
    }
    if local:
        return JsonResponse({**body, "slots": _local_slots(starts, length, zone, partners)})
    # The common answer: each slot's JSON is made once per process (the same starts come
    # back on every request) and joined in.
    head = json.dumps(body)[:-1]
    slots_json = ",".join([_slot_json(s, length) for s in starts])
    return HttpResponse(f'{head}, "slots": [{slots_json}]}}', content_type="application/json")


def _local_slots(starts: list[int], length: int, zone: ZoneInfo, partners: list[User]) -> list:
    """The older, larger slots: local strings in ``zone`` and each partner's zone."""
    zones = [(p.pk, p.name, p.time_zone, p.tz) for p in partners]
    out = []
    for seconds in starts:
        s = EPOCH + timedelta(seconds=seconds)
        e = s + timedelta(seconds=length)
        out.append(
            {
                "starts_at": s.isoformat(),
                "ends_at": e.isoformat(),
                "local_start": s.astimezone(zone).isoformat(),
                "local_end": e.astimezone(zone).isoformat(),
                "partners": [
                    {
                        "user_id": pk,
                        "name": name,
                        "time_zone": tz_name,
                        "local_start": s.astimezone(ptz).isoformat(),
                    }
                    for pk, name, tz_name, ptz in zones
                ],
            }
        )
    return out


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@lru_cache(maxsize=1 << 14)
def _slot_json(start: int, length: int) -> str:
    """One slot as JSON, both ends as ``datetime.isoformat`` gives them in UTC."""
    iso = "%Y-%m-%dT%H:%M:%S+00:00"
    return (
        f'{{"starts_at": "{strftime(iso, gmtime(start))}", '
        f'"ends_at": "{strftime(iso, gmtime(start + length))}"}}'
    )


def _therapist_session_type(therapist_id: int, session_type_id: int) -> SessionType:
    """The therapist's active session type, with the therapist, in one query."""
    st = (
        SessionType.objects.select_related("therapist")
        .filter(
            pk=session_type_id,
            therapist_id=therapist_id,
            therapist__role=User.Role.THERAPIST,
            is_active=True,
        )
        .first()
    )
    if st is None:
        # Which one is missing decides the answer (404 therapist, 422 session type).
        return _session_type(_therapist(therapist_id), session_type_id)
    return st


def selectors_active_couple(user: User) -> Couple | None:
    from accounts.selectors import active_couple_for

    return active_couple_for(user)


@router.get(
    "/therapists/{therapist_id}/session-types",
    response=list[SessionTypeOut],
    summary="A therapist's session types",
)
def session_types(request: HttpRequest, therapist_id: int):
    return selectors.session_types_for(_therapist(therapist_id))
