"""The therapist directory as JSON: search, profiles, vocabularies, profile editing.

Search shares its parser with the page, so both give the same message for the
same mistake: unknown values answer 422 ``{"detail", "code": "invalid_filter", "field"}``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from core.errors import DomainError
from therapists import catalog
from therapists.filters import SORTS, parse_filters
from therapists.models import TherapistProfile
from therapists.selectors import directory_page, profile_for_editor, public_profiles
from therapists.services import ProfileData, therapist_profile_update
from therapists.views.directory import booking_url

router = Router(tags=["therapists"])


class Coded(Schema):
    code: str
    name: str


class ClinicOut(Schema):
    id: int
    name: str


class TherapistOut(Schema):
    id: int
    name: str
    headline: str
    clinic: ClinicOut | None
    photo_url: str | None
    time_zone: str
    languages: list[Coded]
    licensed_in: list[Coded]
    specialties: list[Coded]
    approaches: list[Coded]
    formats: list[Coded]
    fee: Decimal | None
    currency: str
    years_in_practice: int | None
    accepting_new_couples: bool
    profile_url: str
    booking_url: str
    next_free_start: datetime | None = Field(
        None, description="Earliest free start (UTC), when availability was filtered or sorted."
    )


class TherapistDetailOut(TherapistOut):
    bio: str
    office_address: str


class DirectoryOut(Schema):
    count: int
    page: int
    num_pages: int
    page_size: int
    results: list[TherapistOut]


class DirectoryQuery(Schema):
    """Documented here; validated by ``therapists.filters.parse_filters`` for clear messages."""

    specialty: list[str] = Field(
        default_factory=list, description="Specialty codes; all must match."
    )
    approach: list[str] = Field(default_factory=list, description="Approach codes; all must match.")
    language: list[str] = Field(
        default_factory=list, description="ISO 639-1 codes (en, ja, pl); all must be spoken."
    )
    lives_in: list[str] = Field(
        default_factory=list,
        description="Where each partner lives (GB, PL, US-CA); the therapist must be licensed "
        "in every place, unless their clinic serves couples outside their licence.",
    )
    format: str | None = Field(None, description="video, in_person or hybrid.")
    fee_min: str | None = Field(None, description="Lowest fee per session, 0 or more.")
    fee_max: str | None = Field(None, description="Highest fee per session.")
    currency: str | None = Field(None, description="ISO 4217 code of the fee.")
    accepting: str | None = Field(None, description="true: only therapists taking new couples.")
    q: str | None = Field(None, description="Text in the name, headline or clinic.")
    free_within_days: str | None = Field(
        None, description="Only therapists with a free slot within this many days (1-60)."
    )
    sort: str | None = Field(None, description=f"One of {', '.join(SORTS)}.")
    page: str | None = Field(None, description="Page number, from 1.")


class FacetsOut(Schema):
    specialties: list[Coded]
    approaches: list[Coded]
    formats: list[Coded]
    languages: list[Coded]
    jurisdictions: list[Coded]
    sorts: list[Coded]


class ProfileIn(Schema):
    headline: str = Field("", max_length=160)
    bio: str = Field("", max_length=4000)
    office_address: str = Field("", max_length=400)
    fee: Decimal | None = Field(None, ge=0, max_digits=8, decimal_places=2)
    currency: str = Field("USD", min_length=3, max_length=3)
    years_in_practice: int | None = Field(None, ge=0, le=70)
    accepting_new_couples: bool = True
    specialties: list[str] = Field(default_factory=list)
    approaches: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    licensed_in: list[str] = Field(default_factory=list)
    formats: list[str] = Field(default_factory=list)


def _coded(pairs: list[tuple[str, str]]) -> list[dict]:
    return [{"code": c, "name": str(n)} for c, n in pairs]


def _out(request: HttpRequest, p: TherapistProfile, *, detail: bool = False) -> dict:
    data = {
        "id": p.pk,
        "name": p.user.full_name,
        "headline": p.headline,
        "clinic": {"id": p.clinic.pk, "name": p.clinic.name} if p.clinic else None,
        "photo_url": request.build_absolute_uri(p.photo.url) if p.photo else None,
        "time_zone": p.user.time_zone,
        "languages": _coded(p.languages),
        "licensed_in": _coded(p.jurisdictions),
        "specialties": _coded(p.specialties),
        "approaches": _coded(p.approaches),
        "formats": _coded(p.formats),
        "fee": p.fee,
        "currency": p.currency,
        "years_in_practice": p.years_in_practice,
        "accepting_new_couples": p.accepting_new_couples,
        "profile_url": f"/therapists/{p.pk}/",
        "booking_url": booking_url(p),
        "next_free_start": getattr(p, "next_free_start", None),
    }
    if detail:
        data["bio"] = p.bio
        data["office_address"] = p.office_address if p.offers_in_person else ""
    return data


@router.get("/", response=DirectoryOut, auth=None, summary="Search the directory")
def directory(request: HttpRequest, params: Query[DirectoryQuery]) -> dict:
    filters = parse_filters(request.GET)
    page = directory_page(filters, now=timezone.now())
    return {
        "count": page.count,
        "page": page.number,
        "num_pages": page.num_pages,
        "page_size": page.page_size,
        "results": [_out(request, p) for p in page.results],
    }


@router.get("/facets", response=FacetsOut, auth=None, summary="Filter values and their names")
def facets(request: HttpRequest) -> dict:
    return {
        "specialties": _coded(list(catalog.SPECIALTIES.items())),
        "approaches": _coded(list(catalog.APPROACHES.items())),
        "formats": _coded(list(catalog.FORMATS.items())),
        "languages": _coded(list(catalog.languages_display().items())),
        "jurisdictions": _coded(list(catalog.jurisdictions_display().items())),
        "sorts": _coded(list(SORTS.items())),
    }


@router.get("/{int:profile_id}", response=TherapistDetailOut, auth=None, summary="A profile")
def profile(request: HttpRequest, profile_id: int) -> dict:
    p = public_profiles().filter(pk=profile_id).first()
    if p is None:
        raise Http404
    return _out(request, p, detail=True)


@router.put(
    "/{int:profile_id}",
    response=TherapistDetailOut,
    summary="Replace a profile (its therapist, or an admin of their clinic)",
)
def profile_update(request: HttpRequest, profile_id: int, payload: ProfileIn) -> dict:
    p = profile_for_editor(request.user, profile_id)
    if p is None:
        raise Http404
    data = ProfileData(
        headline=payload.headline,
        bio=payload.bio,
        office_address=payload.office_address,
        fee=payload.fee,
        currency=payload.currency.upper(),
        years_in_practice=payload.years_in_practice,
        accepting_new_couples=payload.accepting_new_couples,
        specialties=payload.specialties,
        approaches=payload.approaches,
        languages=[c.lower() for c in payload.languages],
        jurisdictions=[c.upper() for c in payload.licensed_in],
        formats=payload.formats,
    )
    try:
        saved = therapist_profile_update(
            profile=p, editor=request.user, data=data, now=timezone.now()
        )
    except DomainError as exc:
        if exc.extra.get("field") == "jurisdictions":
            exc.extra["field"] = "licensed_in"
        raise
    saved = (
        TherapistProfile.objects.select_related("user", "clinic")
        .prefetch_related("facets")
        .get(pk=saved.pk)
    )
    return _out(request, saved, detail=True)
