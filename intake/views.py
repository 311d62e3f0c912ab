"""Intake pages (thin: rules live in selectors and services)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Couple
from accounts.selectors import active_couple_for, is_partner
from core.errors import DomainError
from core.refusals import form_error
from intake import places, selectors, services
from intake.forms import (
    KIND_LABELS,
    DocumentForm,
    EmergencyContactForm,
    LocationForm,
    PlaceForm,
    SignForm,
)
from intake.models import DocumentKind
from intake.pdf import signed_copy_pdf
from scheduling.models import Booking
from therapists.selectors import clinics_administered_by


def _next_url(request: HttpRequest) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, {request.get_host()}, request.is_secure()):
        return nxt
    return ""


def _clients_only(request: HttpRequest) -> None:
    if not request.user.is_client:
        raise Http404


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """A partner's intake: documents to sign, emergency contact, home place, copies."""
    _clients_only(request)
    user, now = request.user, timezone.now()
    safety = selectors.safety_of(user)
    contact_form = EmergencyContactForm(
        initial={
            "name": safety.contact_name if safety else "",
            "relation": safety.contact_relation if safety else "",
            "phone": safety.contact_phone if safety else "",
        }
    )
    place_form = PlaceForm(
        initial={"country": safety.home_country, "region": safety.home_region} if safety else None
    )
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "contact":
                contact_form = EmergencyContactForm(request.POST)
                if contact_form.is_valid():
                    services.emergency_contact_save(user=user, now=now, **contact_form.cleaned_data)
                    messages.success(
                        request, _("Emergency contact saved. Only your therapist sees it.")
                    )
                    return redirect(request.get_full_path())
            elif action == "home":
                place_form = PlaceForm(request.POST)
                if place_form.is_valid():
                    services.home_place_save(user=user, now=now, **place_form.cleaned_data)
                    messages.success(request, _("Home place saved."))
                    return redirect(request.get_full_path())
        except DomainError as exc:
            form_error(contact_form if action == "contact" else place_form, exc)
    documents = selectors.documents_for_partner(user)
    return render(
        request,
        "intake/home.html",
        {
            "documents": documents,
            "to_sign": [d for d in documents if d.signature is None],
            "signatures": selectors.signatures_of(user),
            "contact_form": contact_form,
            "place_form": place_form,
            "safety": safety,
            "couple": active_couple_for(user),
            "next": _next_url(request),
            "regions_json": places.all_regions(),
        },
    )


@login_required
def sign(request: HttpRequest, version_id: int) -> HttpResponse:
    _clients_only(request)
    version = selectors.version_for_signer(request.user, version_id)
    if version is None:
        raise Http404
    now = timezone.now()
    today = now.astimezone(request.user.tz).date()
    form = SignForm(initial={"signed_on": today})
    mismatch = ""
    existing = version.signatures.filter(signer=request.user).first()
    if request.method == "POST" and existing is None:
        form = SignForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.document_sign(
                    version=version,
                    user=request.user,
                    typed_name=data["typed_name"],
                    signed_on=data["signed_on"],
                    confirm_name=data["confirm_name"],
                    now=now,
                    request=request,
                )
            except services.NameMismatch as exc:
                mismatch = exc.detail
                form.data = form.data.copy()
                form.data["confirm_name"] = "1"
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, _("Signed: %(title)s.") % {"title": version.title})
                nxt = _next_url(request)
                remaining = [
                    d for d in selectors.documents_for_partner(request.user) if d.signature is None
                ]
                if remaining:
                    url = reverse("intake:sign", args=[remaining[0].version.pk])
                    return redirect(f"{url}?next={nxt}" if nxt else url)
                return redirect(nxt or reverse("intake:home"))
    return render(
        request,
        "intake/sign.html",
        {
            "version": version,
            "paragraphs": [p for p in version.body.split("\n\n") if p.strip()],
            "form": form,
            "mismatch": mismatch,
            "existing": existing,
            "next": _next_url(request),
        },
    )


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def signed_copy(request: HttpRequest, signature_id: int) -> HttpResponse:
    signature = selectors.signature_for_signer(request.user, signature_id)
    if signature is None:
        raise Http404
    pdf = signed_copy_pdf([signature], signer_name=request.user.full_name)
    return _pdf_response(pdf, f"duet-{signature.version.kind}-v{signature.version.number}.pdf")


@login_required
def signed_copies(request: HttpRequest) -> HttpResponse:
    signatures = selectors.signatures_of(request.user)
    if not signatures:
        raise Http404
    return _pdf_response(
        signed_copy_pdf(signatures, signer_name=request.user.full_name), "duet-signed-documents.pdf"
    )


def _partner_booking(request: HttpRequest, room_id: str) -> Booking:
    booking = Booking.objects.select_related("couple", "therapist").filter(room_id=room_id).first()
    if booking is None or not is_partner(request.user, booking.couple_id):
        raise Http404
    return booking


@login_required
def where(request: HttpRequest, room_id: str) -> HttpResponse:
    """ "Where are you right now?" — asked before the waiting room, every session."""
    _clients_only(request)
    booking = _partner_booking(request, room_id)
    room_url = reverse("signaling:room", args=[booking.room_id])
    form = LocationForm(initial=selectors.location_prefill(request.user))
    if request.method == "POST":
        form = LocationForm(request.POST)
        if form.is_valid():
            try:
                services.location_confirm(
                    booking=booking,
                    user=request.user,
                    now=timezone.now(),
                    request=request,
                    **form.cleaned_data,
                )
            except DomainError as exc:
                form_error(form, exc)
            else:
                return redirect(room_url)
    return render(
        request,
        "intake/where.html",
        {"booking": booking, "form": form, "regions_json": places.all_regions()},
    )


@login_required
def safety(request: HttpRequest) -> HttpResponse:
    """What the quick exit does, and the crisis lines of where the person is."""
    return render(
        request, "intake/safety.html", {"resources": selectors.safety_resources_for(request.user)}
    )


@login_required
def room_panel(request: HttpRequest, room_id: str) -> HttpResponse:
    """The therapist's side panel as an HTML fragment; 204 while nothing changed."""
    booking = Booking.objects.select_related("couple").filter(room_id=room_id).first()
    if booking is None or booking.therapist_id != request.user.pk:
        raise Http404
    known = request.GET.get("known", "")
    count = selectors.confirmed_count(booking)
    if known.isdigit() and int(known) == count:
        return HttpResponse(status=204)
    panel = selectors.room_panel(booking=booking, viewer=request.user, request=request)
    return render(request, "intake/_room_panel_body.html", {"panel": panel})


# --- clinic admin and therapist ---------------------------------------------------


@login_required
def clinic_documents(request: HttpRequest) -> HttpResponse:
    clinics = list(clinics_administered_by(request.user))
    if not clinics:
        raise Http404
    rows = []
    for clinic in clinics:
        existing = {doc.kind: versions for doc, versions in selectors.clinic_documents(clinic)}
        rows.append(
            (
                clinic,
                [(kind, label, existing.get(kind, [])) for kind, label in DocumentKind.choices],
            )
        )
    return render(request, "intake/clinic_documents.html", {"rows": rows})


@login_required
def document_edit(request: HttpRequest, clinic_id: int, kind: str) -> HttpResponse:
    clinic = selectors.document_for_admin(request.user, clinic_id)
    if clinic is None or kind not in KIND_LABELS:
        raise Http404
    current = next((v for v in selectors.current_versions(clinic.pk) if v.kind == kind), None)
    form = DocumentForm(
        initial={"title": current.title, "body": current.body}
        if current
        else {"title": KIND_LABELS[kind]}
    )
    if request.method == "POST":
        form = DocumentForm(request.POST)
        if form.is_valid():
            try:
                version = services.document_version_publish(
                    clinic=clinic,
                    kind=kind,
                    by=request.user,
                    now=timezone.now(),
                    **form.cleaned_data,
                )
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Published version %(number)s. Partners sign it at their next visit.")
                    % {"number": version.number},
                )
                return redirect("intake:clinic_documents")
    return render(
        request,
        "intake/document_edit.html",
        {"clinic": clinic, "kind_label": KIND_LABELS[kind], "form": form, "current": current},
    )


@login_required
@require_POST
def version_delete(request: HttpRequest, version_id: int) -> HttpResponse:
    version = selectors.version_for_admin(request.user, version_id)
    if version is None:
        raise Http404
    try:
        services.document_version_delete(version=version, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(
            request,
            _("Version %(number)s of “%(title)s” withdrawn.")
            % {"number": version.number, "title": version.title},
        )
    return redirect("intake:clinic_documents")


@login_required
def couple_intake(request: HttpRequest, couple_id: int) -> HttpResponse:
    couple = Couple.objects.filter(pk=couple_id).prefetch_related("memberships__user").first()
    if couple is None or not selectors.may_view_couple_intake(request.user, couple):
        raise Http404
    records = selectors.couple_intake(couple=couple, viewer=request.user, request=request)
    return render(request, "intake/couple.html", {"couple": couple, "records": records})
