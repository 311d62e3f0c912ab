"""The clinic's audit log, with the reasons given for emergency access to notes."""

from __future__ import annotations

from datetime import UTC, datetime, time

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from accounts.decorators import role_required
from core.audit import audit_record
from core.models import AuditEvent
from notes.models import EmergencyAccess
from therapists.selectors import clinics_administered_by

DATE = forms.DateInput(attrs={"type": "date"})


class AuditFilterForm(forms.Form):
    action = forms.CharField(required=False, max_length=60, label=_("Action starts with"))
    actor = forms.CharField(required=False, max_length=254, label=_("Who (email contains)"))
    outcome = forms.ChoiceField(
        required=False, choices=[("", _("Any")), *AuditEvent.Outcome.choices], label=_("Outcome")
    )
    since = forms.DateField(required=False, label=_("From (UTC)"), widget=DATE)
    until = forms.DateField(required=False, label=_("Until (UTC)"), widget=DATE)


@role_required("clinic_admin")
def audit_log(request: HttpRequest) -> HttpResponse:
    clinic_ids = [c.pk for c in clinics_administered_by(request.user)]
    events = AuditEvent.objects.filter(clinic_id__in=clinic_ids)
    form = AuditFilterForm(request.GET or None)
    if form.is_valid():
        data = form.cleaned_data
        if data["action"]:
            events = events.filter(action__startswith=data["action"])
        if data["actor"]:
            events = events.filter(actor_label__icontains=data["actor"])
        if data["outcome"]:
            events = events.filter(outcome=data["outcome"])
        if data["since"]:
            events = events.filter(at__gte=datetime.combine(data["since"], time.min, UTC))
        if data["until"]:
            events = events.filter(at__lte=datetime.combine(data["until"], time.max, UTC))
    audit_record(actor=request.user, action="audit.view", request=request)
    events = list(events[:300])
    reasons = _emergency_reasons(events, clinic_ids)
    for event in events:
        event.reason = reasons.get(event.object_id, "")
    return render(request, "dashboard/audit_log.html", {"form": form, "events": events})


def _emergency_reasons(events: list[AuditEvent], clinic_ids: list[int]) -> dict[str, str]:
    """The reasons admins gave for emergency access, shown next to those entries."""
    ids = [e.object_id for e in events if e.object_type == EmergencyAccess._meta.label_lower]
    grants = EmergencyAccess.objects.filter(pk__in=ids, note__clinic_id__in=clinic_ids)
    return {str(g.pk): g.reason for g in grants}
