"""Secure messaging pages: inbox with unread counts, a thread, opening a thread."""

from __future__ import annotations

from django import forms
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.models import Couple, User
from core.errors import DomainError, Forbidden
from messaging import selectors, services


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=services.MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


@never_cache
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (user.is_client or user.is_therapist):
        raise PermissionDenied(gettext("Messages are between couples and their therapists."))
    return render(
        request,
        "messaging/inbox.html",
        {"threads": selectors.threads_with_unread(user), "contacts": selectors.contacts_for(user)},
    )


@login_required
@require_POST
def thread_start(request: HttpRequest) -> HttpResponse:
    user = request.user
    therapist = couple = None
    wanted = request.POST.get("therapist" if user.is_client else "couple", "")
    if not (wanted.isascii() and wanted.isdigit()) or len(wanted) > 18:
        raise Http404("No such conversation partner.")
    if user.is_client:
        therapist = User.objects.filter(pk=int(wanted), role=User.Role.THERAPIST).first()
    elif user.is_therapist:
        couple = Couple.objects.filter(pk=int(wanted)).first()
    try:
        thread = services.thread_open(
            user=user,
            therapist=therapist,
            couple=couple,
            private=request.POST.get("kind") == "private",
        )
    except Forbidden as exc:
        raise PermissionDenied(exc.detail) from None
    return redirect("messaging:thread", thread_id=thread.pk)


@never_cache
@login_required
def thread(request: HttpRequest, thread_id) -> HttpResponse:
    user = request.user
    try:
        conversation = selectors.thread_for_participant(thread_id=thread_id, user=user)
    except Forbidden as exc:
        raise PermissionDenied(exc.detail) from None
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.message_post(
                thread=conversation,
                author=user,
                body=form.cleaned_data["body"],
                request=request,
                now=timezone.now(),
            )
        except Forbidden as exc:
            raise PermissionDenied(exc.detail) from None
        except DomainError as exc:
            form.add_error("body", exc.detail)
        else:
            flash.success(request, gettext("Message sent."))
            return redirect("messaging:thread", thread_id=conversation.pk)
    items = selectors.messages_for_reader(thread=conversation, user=user, request=request)
    services.thread_mark_read(thread=conversation, user=user, now=timezone.now())
    readers = conversation.participants()
    return render(
        request,
        "messaging/thread.html",
        {"thread": conversation, "items": items, "form": form, "readers": readers},
    )
