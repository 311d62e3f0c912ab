"""Intake JSON API (mounted at /api/intake). Thin: parse, call a service, shape.

Every refusal answers ``{"detail", "code"}`` with a 4xx (see config/api.py); a
signature with a name unlike the account's answers 409 ``name_mismatch`` until the
request repeats it with ``confirm_name: true``.
"""

from __future__ import annotations

from datetime import date, datetime

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from accounts.models import Couple
from core.errors import Forbidden
from intake import places, selectors, services
from intake.models import DocumentKind
from scheduling.models import Booking

router = Router(tags=["intake"])


class DocumentOut(Schema):
    version_id: int
    kind: str
    title: str
    number: int
    content_hash: str
    signed: bool
    signed_earlier_version: bool


class SignIn(Schema):
    typed_name: str = Field(..., max_length=150)
    signed_on: date
    confirm_name: bool = False


class SignatureOut(Schema):
    id: int
    version_id: int
    kind: str
    title: str
    number: int
    typed_name: str
    signed_on: date
    signed_at: datetime
    version_hash: str
    name_mismatch: bool


class ContactIn(Schema):
    name: str = Field(..., max_length=120)
    relation: str = Field("", max_length=60)
    phone: str = Field(..., max_length=32)


class ContactOut(Schema):
    name: str
    relation: str
    phone: str


class PlaceIn(Schema):
    country: str = Field("", max_length=2)
    region: str = Field("", max_length=8)


class LocationIn(PlaceIn):
    free_text: str = Field("", max_length=200)


class LocationOut(Schema):
    country: str
    region: str
    label: str
    flagged: bool
    confirmed_at: datetime


class PanelPartnerOut(Schema):
    user_id: int
    name: str
    location: LocationOut | None
    licence_warning: str
    emergency_contact: ContactOut | None


class VersionIn(Schema):
    title: str = Field(..., max_length=160)
    body: str = Field(..., max_length=40_000)


class VersionOut(Schema):
    id: int
    kind: str
    number: int
    title: str
    content_hash: str
    published_at: datetime


class PartnerSignaturesOut(Schema):
    user_id: int
    name: str
    documents: list[DocumentOut]


def _client(request: HttpRequest):
    if not request.user.is_client:
        raise Forbidden(_("Only the partners of a couple use this."), "forbidden")
    return request.user


def _signature_out(s) -> dict:
    v = s.version
    return {
        "id": s.pk,
        "version_id": v.pk,
        "kind": v.kind,
        "title": v.title,
        "number": v.number,
        "typed_name": s.typed_name,
        "signed_on": s.signed_on,
        "signed_at": s.signed_at,
        "version_hash": s.version_hash,
        "name_mismatch": s.name_mismatch,
    }


def _document_out(d: selectors.DocumentStatus) -> dict:
    v = d.version
    return {
        "version_id": v.pk,
        "kind": v.kind,
        "title": v.title,
        "number": v.number,
        "content_hash": v.content_hash,
        "signed": d.signature is not None,
        "signed_earlier_version": d.earlier is not None,
    }


def _location_out(loc) -> dict | None:
    if loc is None:
        return None
    return {
        "country": loc.country,
        "region": loc.region,
        "label": loc.free_text if loc.flagged else places.label(loc.country, loc.region),
        "flagged": loc.flagged,
        "confirmed_at": loc.confirmed_at,
    }


@router.get("/documents", response=list[DocumentOut], summary="My clinic's documents to sign")
def documents(request: HttpRequest):
    return [_document_out(d) for d in selectors.documents_for_partner(_client(request))]


@router.post(
    "/documents/{version_id}/sign",
    response={201: SignatureOut},
    summary="Sign the current version of a document",
)
def sign(request: HttpRequest, version_id: int, payload: SignIn):
    user = _client(request)
    version = selectors.version_for_signer(user, version_id)
    if version is None:
        raise Http404
    signature = services.document_sign(
        version=version,
        user=user,
        typed_name=payload.typed_name,
        signed_on=payload.signed_on,
        confirm_name=payload.confirm_name,
        now=timezone.now(),
        request=request,
    )
    return Status(201, _signature_out(signature))


@router.get("/signatures", response=list[SignatureOut], summary="My signatures")
def my_signatures(request: HttpRequest):
    return [_signature_out(s) for s in selectors.signatures_of(request.user)]


@router.get("/emergency-contact", response=ContactOut | None, summary="My emergency contact")
def my_contact(request: HttpRequest):
    safety = selectors.safety_of(_client(request))
    if safety is None or not safety.contact_name:
        return None
    return {
        "name": safety.contact_name,
        "relation": safety.contact_relation,
        "phone": safety.contact_phone,
    }


@router.put("/emergency-contact", response=ContactOut, summary="Set my emergency contact")
def set_contact(request: HttpRequest, payload: ContactIn):
    safety = services.emergency_contact_save(
        user=_client(request), now=timezone.now(), **payload.dict()
    )
    return {
        "name": safety.contact_name,
        "relation": safety.contact_relation,
        "phone": safety.contact_phone,
    }


@router.put("/home-place", response=PlaceIn, summary="Set where I live")
def set_home(request: HttpRequest, payload: PlaceIn):
    safety = services.home_place_save(user=_client(request), now=timezone.now(), **payload.dict())
    return {"country": safety.home_country, "region": safety.home_region}


def _session(request: HttpRequest, booking_id: int) -> Booking:
    booking = Booking.objects.select_related("couple", "therapist").filter(pk=booking_id).first()
    if booking is None:
        raise Http404
    return booking


@router.put(
    "/sessions/{booking_id}/location",
    response=LocationOut,
    summary="Confirm where I am for this session",
)
def confirm_location(request: HttpRequest, booking_id: int, payload: LocationIn):
    user = _client(request)
    booking = _session(request, booking_id)
    if user.pk not in {p.pk for p in booking.couple.partners}:
        raise Http404
    loc = services.location_confirm(
        booking=booking, user=user, now=timezone.now(), request=request, **payload.dict()
    )
    return _location_out(loc)


@router.get(
    "/sessions/{booking_id}/panel",
    response=list[PanelPartnerOut],
    summary="The therapist's view: where each partner is, emergency contacts, licence warnings",
)
def panel(request: HttpRequest, booking_id: int):
    booking = _session(request, booking_id)
    rows = selectors.room_panel(booking=booking, viewer=request.user, request=request)
    if rows is None:
        raise Http404
    return [
        {
            "user_id": r.user.pk,
            "name": r.user.full_name,
            "location": _location_out(r.location),
            "licence_warning": r.licence_warning,
            "emergency_contact": (
                {
                    "name": r.safety.contact_name,
                    "relation": r.safety.contact_relation,
                    "phone": r.safety.contact_phone,
                }
                if r.safety and r.safety.contact_name
                else None
            ),
        }
        for r in rows
    ]


@router.get(
    "/couples/{couple_id}/signatures",
    response=list[PartnerSignaturesOut],
    summary="Who in a couple signed what (their therapist, their clinic's admins)",
)
def couple_signatures(request: HttpRequest, couple_id: int):
    couple = Couple.objects.filter(pk=couple_id).first()
    if couple is None or not selectors.may_view_couple_intake(request.user, couple):
        raise Http404
    return [
        {
            "user_id": p.pk,
            "name": p.full_name,
            "documents": [_document_out(d) for d in selectors.documents_for_partner(p)],
        }
        for p in couple.partners
    ]


@router.post(
    "/clinics/{clinic_id}/documents/{kind}/versions",
    response={201: VersionOut},
    summary="Publish a new version of a clinic document (clinic admins)",
)
def publish(request: HttpRequest, clinic_id: int, kind: str, payload: VersionIn):
    clinic = selectors.document_for_admin(request.user, clinic_id)
    if clinic is None:
        raise Http404
    if kind not in DocumentKind.values:
        raise Http404
    v = services.document_version_publish(
        clinic=clinic, kind=kind, by=request.user, now=timezone.now(), **payload.dict()
    )
    return Status(
        201,
        {
            "id": v.pk,
            "kind": kind,
            "number": v.number,
            "title": v.title,
            "content_hash": v.content_hash,
            "published_at": v.published_at,
        },
    )


@router.delete(
    "/versions/{version_id}",
    response={204: None},
    summary="Withdraw a version nobody signed (clinic admins)",
)
def withdraw(request: HttpRequest, version_id: int):
    version = selectors.version_for_admin(request.user, version_id)
    if version is None:
        raise Http404
    services.document_version_delete(version=version, by=request.user)
    return Status(204, None)
