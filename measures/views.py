"""Pages: a partner's own progress, the therapist's couple page, the clinic's plan and figures."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.decorators import role_required
from core.errors import DomainError
from measures import charts, instruments
from measures.forms import PlanForm
from measures.selectors import (
    clinic_for_admin,
    couple_for_therapist,
    couple_measures,
    figures_for_viewer,
    own_series,
    plan_for_clinic,
)
from measures.services import measure_plan_update


@role_required("client")
def mine(request: HttpRequest) -> HttpResponse:
    series = own_series(request.user)
    return render(
        request,
        "measures/mine.html",
        {"trends": [charts.trend(s) for s in series], "instruments": instruments.CURRENT.values()},
    )


@role_required("therapist")
def couple(request: HttpRequest, couple_id: int) -> HttpResponse:
    found = couple_for_therapist(request.user, couple_id)
    view = couple_measures(request.user, found)
    partners = [(p, [charts.trend(s) for s in view.by_partner[p.pk]]) for p in view.partners]
    return render(
        request,
        "measures/couple.html",
        {"view": view, "couple": found, "partners": partners},
    )


@role_required("clinic_admin")
def plan(request: HttpRequest, clinic_id: int) -> HttpResponse:
    clinic = clinic_for_admin(request.user, clinic_id)
    current = plan_for_clinic(clinic)
    form = PlanForm(initial=PlanForm.initial_from(current))
    if request.method == "POST":
        form = PlanForm(request.POST)
        if form.is_valid():
            try:
                measure_plan_update(
                    user=request.user,
                    clinic=clinic,
                    schedule=form.schedule(),
                    split_gap=form.cleaned_data["split_gap"],
                    on_track_by=form.cleaned_data["on_track_by"],
                    now=timezone.now(),
                )
            except DomainError as exc:
                form.add_error(None, exc.detail)
            else:
                messages.success(request, _("Measures plan saved."))
                return redirect("measures:plan", clinic_id=clinic.pk)
    return render(
        request,
        "measures/plan.html",
        {"clinic": clinic, "form": form, "instruments": instruments.CURRENT.values()},
    )


@role_required("clinic_admin", "therapist")
def figures(request: HttpRequest, clinic_id: int) -> HttpResponse:
    result = figures_for_viewer(request.user, clinic_id, now=timezone.now())
    return render(request, "measures/figures.html", {"figures": result})
