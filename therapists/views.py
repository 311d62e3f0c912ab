from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts.decorators import role_required
from scheduling.selectors import clients_of_therapist
from therapists.selectors import clinics_administered_by, public_profiles


def directory(request: HttpRequest) -> HttpResponse:
    page = Paginator(public_profiles(), 12).get_page(request.GET.get("page"))
    return render(request, "therapists/directory.html", {"page": page})


def profile(request: HttpRequest, pk: int) -> HttpResponse:
    therapist = get_object_or_404(public_profiles(), pk=pk)
    return render(request, "therapists/profile.html", {"profile": therapist})


@role_required("therapist")
def clients(request: HttpRequest) -> HttpResponse:
    return render(
        request, "therapists/clients.html", {"clients": clients_of_therapist(request.user)}
    )


@role_required("clinic_admin")
def overview(request: HttpRequest) -> HttpResponse:
    return render(
        request, "therapists/overview.html", {"clinics": clinics_administered_by(request.user)}
    )
