from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.refusals import form_error
from sessions_app.forms import ReminderSettingsForm
from sessions_app.selectors import notifications_for, reminder_preference
from sessions_app.services.notifications import (
    notification_mark_read,
    notifications_mark_all_read,
)
from sessions_app.services.reminders import reminder_preference_update


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "sessions_app/notifications.html",
        {"notifications": notifications_for(request.user)},
    )


@login_required
@require_POST
def notification_open(request: HttpRequest, notification_id) -> HttpResponse:
    try:
        note = notification_mark_read(
            user=request.user, notification_id=notification_id, now=timezone.now()
        )
    except DomainError:
        return redirect("sessions_app:notifications")
    target = note.url or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("sessions_app:notifications")


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    notifications_mark_all_read(user=request.user, now=timezone.now())
    return redirect("sessions_app:notifications")


@login_required
def reminder_settings(request: HttpRequest) -> HttpResponse:
    pref = reminder_preference(request.user)
    if request.method == "POST":
        form = ReminderSettingsForm(request.POST)
        if form.is_valid():
            try:
                reminder_preference_update(
                    user=request.user, now=timezone.now(), **form.cleaned_data
                )
            except DomainError as exc:
                form_error(form, exc)
            else:
                from django.contrib import messages

                messages.success(request, gettext("Reminder settings saved."))
                return redirect("sessions_app:reminder_settings")
    else:
        form = ReminderSettingsForm(
            initial={
                "enabled": pref.enabled,
                "offsets_minutes": pref.offsets_minutes,
                "email": pref.email,
                "homework_reminders": pref.homework_reminders,
            }
        )
    return render(request, "sessions_app/reminder_settings.html", {"form": form})
