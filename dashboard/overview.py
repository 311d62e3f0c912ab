"""The clinic overview: twelve weeks of sessions, attendance, cancellations and ratings."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.decorators import role_required
from dashboard import charts
from dashboard.metrics import clinic_weekly_metrics
from measures.selectors import outcome_figures
from therapists.selectors import clinics_administered_by


def _percent(rate: float) -> float:
    return round(rate * 100, 1)


def clinic_panels(clinic, *, now) -> dict:
    weeks = clinic_weekly_metrics(clinic, now=now)
    labels = [w.week_start for w in weeks]
    panels = [
        (
            "held",
            _("Sessions held per week"),
            charts.build([w.held for w in weeks], labels),
            _("Confirmed or completed sessions whose time has passed, without no-shows."),
        ),
        (
            "no_show",
            _("No-show rate"),
            charts.build(
                [_percent(w.no_show_rate) for w in weeks],
                labels,
                kind="line",
                unit="percent",
                max_value=100,
            ),
            _("Past sessions where no partner joined the room, of all past sessions."),
        ),
        (
            "cancelled",
            _("Cancellation rate"),
            charts.build(
                [_percent(w.cancellation_rate) for w in weeks],
                labels,
                kind="line",
                unit="percent",
                max_value=100,
            ),
            _("Cancelled in time, of all sessions on the calendar that week."),
        ),
        (
            "late_cancelled",
            _("Late-cancellation rate"),
            charts.build(
                [_percent(w.late_cancellation_rate) for w in weeks],
                labels,
                kind="line",
                unit="percent",
                max_value=100,
            ),
            _("Cancelled within %(hours)s h of the start, of all sessions.")
            % {"hours": clinic.late_cancel_hours},
        ),
        (
            "dropout",
            _("Couples who dropped out"),
            charts.build([w.dropouts for w in weeks], labels),
            _(
                "At each week's end: couples seen in the two months before, with no session in "
                "30 days and nothing booked."
            ),
        ),
        (
            "rating",
            _("Average post-session rating"),
            charts.build(
                [w.average_rating for w in weeks], labels, kind="line", unit="rating", max_value=5
            ),
            _("Partners' ratings from 1 to 5 after each session; gaps are weeks nobody rated."),
        ),
    ]
    latest = weeks[-1]
    totals = {
        "held": sum(w.held for w in weeks),
        "scheduled": sum(w.scheduled for w in weeks),
        "ratings": sum(w.ratings for w in weeks),
        "average_rating": (
            round(sum(w.rating_sum for w in weeks) / sum(w.ratings for w in weeks), 2)
            if any(w.ratings for w in weeks)
            else None
        ),
        "dropouts_now": latest.dropouts,
    }
    panels = [
        (key, title, chart, note, chart.spec(title=title)) for key, title, chart, note in panels
    ]
    return {
        "clinic": clinic,
        "weeks": weeks,
        "panels": panels,
        "totals": totals,
        "outcomes": outcome_figures(clinic, now=now),
    }


@role_required("clinic_admin")
def overview(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    clinics = [clinic_panels(c, now=now) for c in clinics_administered_by(request.user)]
    return render(request, "dashboard/overview.html", {"clinics": clinics})
