"""Reads for intake: what each partner must sign, where partners are, what the
therapist may see. Signaling calls ``consent_gate``, ``location_confirmed`` and
``room_panel``; the booking page's template tag calls ``licence_notices``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils.translation import gettext as _

from accounts.models import Couple, User
from accounts.selectors import active_couple_for
from core.audit import audit_read
from intake import places
from intake.crisis import CrisisLine, crisis_lines
from intake.models import DocumentVersion, IntakeDocument, PartnerSafety, SessionLocation, Signature
from scheduling.models import Booking
from scheduling.selectors import clinic_of
from therapists.models import Clinic
from therapists.selectors import (
    current_assignment,
    is_admin_of,
    is_client_of,
    licence_covers,
    licence_places_of,
)

# --- documents and signatures -----------------------------------------------------


def booking_clinic_id(booking: Booking) -> int | None:
    if booking.clinic_id:
        return booking.clinic_id
    clinic = clinic_of(booking.therapist)
    return clinic.pk if clinic else None


def clinic_ids_for_couple(couple: Couple) -> list[int]:
    """The clinics whose documents a couple signs: their therapist's, and any clinic
    they have a session with that is not over."""
    ids: list[int] = []
    assignment = current_assignment(couple)
    if assignment:
        ids.append(assignment.clinic_id)
    for booking in Booking.objects.filter(
        couple=couple, status__in=(Booking.Status.HELD, Booking.Status.CONFIRMED)
    ).select_related("therapist"):
        clinic_id = booking_clinic_id(booking)
        if clinic_id and clinic_id not in ids:
            ids.append(clinic_id)
    return ids


def current_versions(clinic_id: int | None) -> list[DocumentVersion]:
    """The newest version of each of a clinic's documents (the ones to sign)."""
    if clinic_id is None:
        return []
    newest: dict[int, DocumentVersion] = {}
    for version in (
        DocumentVersion.objects.filter(document__clinic_id=clinic_id)
        .select_related("document", "document__clinic")
        .order_by("document__kind", "-number")
    ):
        newest.setdefault(version.document_id, version)
    return list(newest.values())


def unsigned_versions(user: User, clinic_id: int | None) -> list[DocumentVersion]:
    versions = current_versions(clinic_id)
    signed = set(
        Signature.objects.filter(signer=user, version__in=versions).values_list(
            "version_id", flat=True
        )
    )
    return [v for v in versions if v.pk not in signed]


@dataclass
class DocumentStatus:
    version: DocumentVersion
    signature: Signature | None
    earlier: Signature | None  # a signature of an older version of the same document


def documents_for_partner(user: User) -> list[DocumentStatus]:
    """Every current document of the partner's clinics with the partner's signature."""
    couple = active_couple_for(user)
    if couple is None:
        return []
    rows = []
    for clinic_id in clinic_ids_for_couple(couple):
        versions = current_versions(clinic_id)
        mine = {
            s.version_id: s
            for s in Signature.objects.filter(
                signer=user, version__document__clinic_id=clinic_id
            ).select_related("version")
        }
        for version in versions:
            earlier = next(
                (
                    s
                    for s in mine.values()
                    if s.version.document_id == version.document_id and s.version_id != version.pk
                ),
                None,
            )
            rows.append(DocumentStatus(version, mine.get(version.pk), earlier))
    return rows


def version_for_signer(user: User, version_id: int) -> DocumentVersion | None:
    """A version this client may read and sign: a document of one of their clinics."""
    couple = active_couple_for(user) if user.is_authenticated and user.is_client else None
    if couple is None:
        return None
    return (
        DocumentVersion.objects.select_related("document", "document__clinic")
        .filter(pk=version_id, document__clinic_id__in=clinic_ids_for_couple(couple))
        .first()
    )


def signatures_of(user: User) -> list[Signature]:
    return list(
        Signature.objects.filter(signer=user).select_related(
            "version", "version__document", "version__document__clinic"
        )
    )


def signature_for_signer(user: User, signature_id: int) -> Signature | None:
    """Only the signer downloads their signed copy."""
    if not user.is_authenticated:
        return None
    return (
        Signature.objects.select_related("version", "version__document__clinic", "signer")
        .filter(pk=signature_id, signer=user)
        .first()
    )


@dataclass
class ConsentGate:
    clinic_id: int | None
    missing: dict[int, list[DocumentVersion]] = field(default_factory=dict)  # user id -> versions
    names: dict[int, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.missing

    def missing_for(self, user: User) -> list[DocumentVersion]:
        return self.missing.get(user.pk, [])


def consent_gate(*, booking: Booking) -> ConsentGate:
    """Whether both partners signed the current versions of the clinic's documents."""
    gate = ConsentGate(clinic_id=booking_clinic_id(booking))
    if not current_versions(gate.clinic_id):
        return gate
    for partner in booking.couple.partners:
        missing = unsigned_versions(partner, gate.clinic_id)
        if missing:
            gate.missing[partner.pk] = missing
            gate.names[partner.pk] = partner.name
    return gate


def clinic_documents(clinic: Clinic) -> list[tuple[IntakeDocument, list[DocumentVersion]]]:
    docs = IntakeDocument.objects.filter(clinic=clinic).prefetch_related(
        Prefetch(
            "versions",
            queryset=DocumentVersion.objects.order_by("-number").prefetch_related("signatures"),
        )
    )
    return [(d, list(d.versions.all())) for d in docs]


def document_for_admin(user: User, clinic_id: int) -> Clinic | None:
    if not user.is_authenticated or not is_admin_of(user, clinic_id):
        return None
    return Clinic.objects.filter(pk=clinic_id).first()


def version_for_admin(user: User, version_id: int) -> DocumentVersion | None:
    version = (
        DocumentVersion.objects.select_related("document", "document__clinic")
        .filter(pk=version_id)
        .first()
    )
    if version is None or not is_admin_of(user, version.document.clinic_id):
        return None
    return version


def may_view_couple_intake(user: User, couple: Couple) -> bool:
    """The couple's therapist, or an admin of a clinic they are with."""
    if not user.is_authenticated or user.is_client:
        return False
    if user.is_therapist and is_client_of(user, couple.pk):
        return True
    return any(is_admin_of(user, cid) for cid in clinic_ids_for_couple(couple))


@dataclass
class PartnerRecord:
    user: User
    documents: list[DocumentStatus]
    safety: PartnerSafety | None  # only filled for the therapist


def couple_intake(
    *, couple: Couple, viewer: User, request: HttpRequest | None = None
) -> list[PartnerRecord]:
    """Who signed what; the emergency contacts only for the couple's therapist."""
    records = []
    therapist_view = viewer.is_therapist and is_client_of(viewer, couple.pk)
    for partner in couple.partners:
        safety = None
        if therapist_view:
            safety = PartnerSafety.objects.filter(user=partner).first()
            if safety is not None:
                audit_read(request, safety, actor=viewer, couple_id=couple.pk)
        records.append(PartnerRecord(partner, documents_for_partner(partner), safety))
    return records


# --- safety details and places ------------------------------------------------------


def safety_of(user: User) -> PartnerSafety | None:
    return PartnerSafety.objects.filter(user=user).first()


def last_location(user: User) -> SessionLocation | None:
    return SessionLocation.objects.filter(user=user).order_by("-confirmed_at").first()


def location_for(*, booking: Booking, user: User) -> SessionLocation | None:
    return SessionLocation.objects.filter(booking=booking, user=user).first()


def location_confirmed(*, booking: Booking, user: User) -> bool:
    return SessionLocation.objects.filter(booking=booking, user=user).exists()


def location_prefill(user: User) -> dict[str, str]:
    """Last session's answer, else the home place."""
    last = last_location(user)
    if last is not None:
        return {"country": last.country, "region": last.region, "free_text": last.free_text}
    safety = safety_of(user)
    if safety is not None and safety.home_country:
        return {"country": safety.home_country, "region": safety.home_region, "free_text": ""}
    return {"country": "", "region": "", "free_text": ""}


def current_country(user: User) -> str:
    """Where the person last said they were, else where they live."""
    last = last_location(user)
    if last is not None and last.country:
        return last.country
    safety = safety_of(user)
    return safety.home_country if safety else ""


@dataclass
class SafetyResources:
    country: str
    country_name: str
    lines: tuple[CrisisLine, ...]


def safety_resources_for(user: User) -> SafetyResources:
    """Crisis lines of the person's own current country, never their partner's."""
    country = current_country(user) if user.is_authenticated else ""
    return SafetyResources(
        country=country,
        country_name=places.countries().get(country, ""),
        lines=crisis_lines(country),
    )


# --- licence warnings ---------------------------------------------------------------


def licence_warning(
    therapist: User, country: str, region: str, *, codes: Iterable[str] | None = None
) -> str:
    """Why a place may be outside the therapist's licence ("" when it is covered)."""
    codes = licence_places_of(therapist) if codes is None else codes
    place = region or country
    if not place:
        return _("Location not given as a listed place: check your licence covers it.")
    if not codes:
        return _("Your profile lists no licence places.")
    if licence_covers(codes, place):
        return ""
    return _("Outside your licensed jurisdictions (%(place)s).") % {
        "place": places.label(country, region)
    }


@dataclass
class PanelPartner:
    user: User
    location: SessionLocation | None
    place_label: str
    licence_warning: str
    safety: PartnerSafety | None


def room_panel(
    *, booking: Booking, viewer: User, request: HttpRequest | None = None
) -> list[PanelPartner] | None:
    """The therapist's side panel: each partner's place now, emergency contact and a
    licence warning. None for anyone but the session's therapist while the couple is
    their client (a cancelled booking alone shows nothing)."""
    if booking.therapist_id != viewer.pk or not is_client_of(viewer, booking.couple_id):
        return None
    codes = licence_places_of(viewer)
    rows = []
    for partner in booking.couple.partners:
        loc = location_for(booking=booking, user=partner)
        safety = safety_of(partner)
        if loc is not None:
            audit_read(request, loc, actor=viewer)
            label = loc.free_text if loc.flagged else places.label(loc.country, loc.region)
            warning = licence_warning(
                viewer, "" if loc.flagged else loc.country, loc.region, codes=codes
            )
        else:
            label, warning = "", ""
        if safety is not None:
            audit_read(request, safety, actor=viewer, couple_id=booking.couple_id)
        rows.append(PanelPartner(partner, loc, label, warning, safety))
    return rows


def confirmed_count(booking: Booking) -> int:
    """How many partners answered "where are you" (cheap: the panel polls it)."""
    partners = [p.pk for p in booking.couple.partners]
    return SessionLocation.objects.filter(booking=booking, user_id__in=partners).count()


@dataclass
class LicenceNotice:
    place_label: str
    partner_name: str  # "" when the place is the reader's own home

    @property
    def whose(self) -> str:
        """Whose home it is, in plain English for code and logs (pages show ``where``)."""
        return f"{self.partner_name} lives" if self.partner_name else "you live"

    @property
    def where(self) -> str:
        """ "where you live (Japan)" or "where Aiko lives (Japan)"."""
        if not self.partner_name:
            return _("where you live (%(place)s)") % {"place": self.place_label}
        return _("where %(name)s lives (%(place)s)") % {
            "name": self.partner_name,
            "place": self.place_label,
        }


def licence_sentence(therapist_name: str, notices: list[LicenceNotice]) -> str:
    """The booking page's warning as one sentence: "Dr Lee isn't listed as licensed
    where you live (Japan) or where Aiko lives (Japan)." """
    if not notices:
        return ""
    where = notices[0].where
    for notice in notices[1:]:
        # Translators: two places a therapist may not be licensed ("where you live (Japan)
        # or where Aiko lives (Brazil)").
        where = _("%(first)s or %(second)s") % {"first": where, "second": notice.where}
    return _("%(therapist)s isn't listed as licensed %(where)s.") % {
        "therapist": therapist_name,
        "where": where,
    }


def home_place_of(user: User) -> tuple[str, str]:
    safety = safety_of(user)
    if safety is not None and safety.home_country:
        return safety.home_country, safety.home_region
    return "", ""


def licence_notices(*, therapist: User, couple: Couple | None, viewer: User) -> list[LicenceNotice]:
    """For the booking page: partners' home places outside the therapist's licence."""
    if couple is None:
        return []
    codes = licence_places_of(therapist)
    notices = []
    for partner in couple.partners:
        country, region = home_place_of(partner)
        if not country or licence_covers(codes, region or country):
            continue
        name = "" if partner.pk == viewer.pk else partner.name
        notices.append(LicenceNotice(places.label(country, region), name))
    return notices


def home_places_missing(couple: Couple | None) -> bool:
    if couple is None:
        return False
    return any(not home_place_of(p)[0] for p in couple.partners)
