"""Pages for therapist session notes and the admins' emergency access."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from core.errors import DomainError, Forbidden
from core.l10n import format_local
from notes import selectors, services
from notes.models import SessionNote


def _when(local: datetime) -> str:
    """A session's start in the list of sessions to write a note for (reader's clock)."""
    return format_local(local, "D d M Y, H:i T")


class NewNoteForm(forms.Form):
    booking = forms.ChoiceField(label=_("Session"))
    template = forms.ChoiceField(
        label=_("Template"), choices=SessionNote.Template.choices, initial="soap"
    )

    def __init__(self, bookings, *args, tz=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.bookings = {str(b.pk): b for b in bookings}
        self.fields["booking"].choices = [
            (str(b.pk), f"{_when(b.starts_at.astimezone(tz))} · {b.couple}") for b in bookings
        ]


class AddendumForm(forms.Form):
    body = forms.CharField(label=_("Addendum"), widget=forms.Textarea(attrs={"rows": 4}))


class EmergencyForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need to read this note?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required. Kept with the audit record; the therapist's clinic can see it."),
    )


def _load(request: HttpRequest, note_id) -> SessionNote:
    try:
        return selectors.note_for_reader(
            note_id=note_id, user=request.user, request=request, now=timezone.now()
        )
    except Forbidden as exc:
        raise PermissionDenied(exc.detail) from None


@never_cache
@role_required("therapist")
def note_list(request: HttpRequest) -> HttpResponse:
    bookings = list(selectors.therapist_bookings_for_notes(request.user, now=timezone.now()))
    # The room's "Call ended" screen links here with ?booking=<id>: start on that session.
    initial = {"booking": request.GET.get("booking", "")}
    form = NewNoteForm(bookings, request.POST or None, tz=request.user.tz, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            note = services.note_create(
                therapist=request.user,
                booking=form.bookings[form.cleaned_data["booking"]],
                template=form.cleaned_data["template"],
                request=request,
                now=timezone.now(),
            )
        except DomainError as exc:
            form.add_error(None, exc.detail)
        else:
            return redirect("notes:note_detail", note_id=note.pk)
    return render(
        request,
        "notes/list.html",
        {"notes": selectors.notes_for_therapist(request.user), "form": form},
    )


@never_cache
@role_required("therapist", "clinic_admin")
def note_detail(request: HttpRequest, note_id) -> HttpResponse:
    note = _load(request, note_id)
    is_author = note.therapist_id == request.user.pk
    error = None
    if request.method == "POST":
        if not is_author:
            raise PermissionDenied(gettext("Only the author can change a note."))
        values = {key: request.POST.get(key, "") for key, _l, _t in note.sections}
        autosave = request.headers.get("X-Requested-With") == "autosave"
        try:
            note = services.note_update(
                note_id=note.pk,
                therapist=request.user,
                sections=values,
                request=request,
                now=timezone.now(),
            )
        except DomainError as exc:
            if autosave:
                return JsonResponse({"detail": exc.detail, "code": exc.code}, status=409)
            error = exc.detail
        else:
            if autosave:
                local = timezone.localtime(note.updated_at, request.user.tz)
                return JsonResponse(
                    {"saved_at": note.updated_at.isoformat(), "saved_at_local": f"{local:%H:%M}"}
                )
            messages.success(request, gettext("Draft saved."))
            return redirect("notes:note_detail", note_id=note.pk)
    return render(
        request,
        "notes/detail.html",
        {
            "note": note,
            "is_author": is_author,
            "error": error,
            "addenda": note.addenda.select_related("author"),
            "addendum_form": AddendumForm(),
        },
    )


@role_required("therapist")
@require_POST
def note_sign(request: HttpRequest, note_id) -> HttpResponse:
    # Sign what is on screen: the note form posts its sections here.
    keys = [key for key in request.POST if key != "csrfmiddlewaretoken"]
    sections = {key: request.POST[key] for key in keys} if keys else None
    try:
        services.note_sign(
            note_id=note_id,
            therapist=request.user,
            sections=sections,
            request=request,
            now=timezone.now(),
        )
    except Forbidden as exc:
        raise PermissionDenied(exc.detail) from None
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(
            request, gettext("Note signed. It is now locked; later changes are addenda.")
        )
    return redirect("notes:note_detail", note_id=note_id)


@role_required("therapist")
@require_POST
def note_addendum(request: HttpRequest, note_id) -> HttpResponse:
    form = AddendumForm(request.POST)
    body = form.cleaned_data["body"] if form.is_valid() else ""
    try:
        services.note_addendum_add(
            note_id=note_id, author=request.user, body=body, request=request, now=timezone.now()
        )
    except Forbidden as exc:
        raise PermissionDenied(exc.detail) from None
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, gettext("Addendum added."))
    return redirect("notes:note_detail", note_id=note_id)


@never_cache
@role_required("clinic_admin")
def clinic_notes(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "notes/clinic.html",
        {"notes": selectors.notes_for_admin(request.user)},
    )


@never_cache
@role_required("clinic_admin")
def note_emergency(request: HttpRequest, note_id) -> HttpResponse:
    note = selectors.notes_for_admin(request.user).filter(pk=note_id).first()
    if note is None:
        raise PermissionDenied(gettext("Emergency access is only for notes of your own clinic."))
    form = EmergencyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.note_emergency_access(
                note_id=note.pk,
                admin=request.user,
                reason=form.cleaned_data["reason"],
                request=request,
                now=timezone.now(),
            )
        except Forbidden as exc:
            raise PermissionDenied(exc.detail) from None
        except DomainError as exc:
            form.add_error("reason", exc.detail)
        else:
            messages.warning(
                request,
                gettext("Emergency access granted for 60 minutes. This is in the audit log."),
            )
            return redirect("notes:note_detail", note_id=note.pk)
    return render(request, "notes/emergency.html", {"note": note, "form": form})
