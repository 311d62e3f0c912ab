"""Your data (export, delete) and the clinic's audit log."""

from __future__ import annotations

from datetime import UTC, datetime, time

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.account_deletion import account_delete, retained_summary
from accounts.audit import audit_record
from accounts.data_export import user_data_zip
from accounts.decorators import role_required
from accounts.security_models import AuditEvent


class DeleteForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.CharField(label="Type DELETE to confirm", max_length=10)

    def __init__(self, user, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your current password.")
        return password

    def clean_confirm(self) -> str:
        if self.cleaned_data["confirm"].strip() != "DELETE":
            raise forms.ValidationError("Type DELETE in capitals to confirm.")
        return "DELETE"


@login_required
def your_data(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/your_data.html",
        {"form": DeleteForm(request.user), "retained": retained_summary(request.user)},
    )


@login_required
@require_POST
def export_download(request: HttpRequest) -> HttpResponse:
    user = request.user
    audit_record(actor=user, action="data.export", obj=user, request=request)
    payload = user_data_zip(user)
    stamp = timezone.now().strftime("%Y%m%d")
    response = HttpResponse(payload, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="duet-data-{stamp}.zip"'
    return response


@login_required
def account_delete_view(request: HttpRequest) -> HttpResponse:
    form = DeleteForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        account_delete(user=request.user, request=request)
        logout(request)
        messages.success(request, "Your account is deleted. Thank you for trusting Duet.")
        return redirect("accounts:login")
    return render(
        request,
        "accounts/your_data.html",
        {"form": form, "retained": retained_summary(request.user)},
        status=400 if request.method == "POST" else 200,
    )


DATE = forms.DateInput(attrs={"type": "date"})


class AuditFilterForm(forms.Form):
    action = forms.CharField(required=False, max_length=60, label="Action starts with")
    actor = forms.CharField(required=False, max_length=254, label="Who (email contains)")
    outcome = forms.ChoiceField(
        required=False, choices=[("", "Any"), *AuditEvent.Outcome.choices], label="Outcome"
    )
    since = forms.DateField(required=False, label="From (UTC)", widget=DATE)
    until = forms.DateField(required=False, label="Until (UTC)", widget=DATE)


@role_required("clinic_admin")
def audit_log(request: HttpRequest) -> HttpResponse:
    from therapists.selectors import clinics_administered_by

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
    return render(request, "accounts/audit_log.html", {"form": form, "events": events})


def _emergency_reasons(events: list[AuditEvent], clinic_ids: list[int]) -> dict[str, str]:
    """The reasons admins gave for emergency access, shown next to those entries."""
    from sessions_app.notes_models import EmergencyAccess

    ids = [e.object_id for e in events if e.object_type == "sessions_app.emergencyaccess"]
    grants = EmergencyAccess.objects.filter(pk__in=ids, note__clinic_id__in=clinic_ids)
    return {str(g.pk): g.reason for g in grants}
