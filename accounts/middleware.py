"""Security middleware: session policy, forced 2FA enrolment, no-store, 403 auditing."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import session_control

ENROL_REQUIRED = "_duet_mfa_enrol_required"


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


class SessionPolicyMiddleware:
    """Idle timeout and absolute lifetime, checked on the server at every request;
    therapists and clinic admins who have no second factor yet can only enrol."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Make django-csp put this request's nonce in the policy even when the page has
        # no inline script, so script-src is always 'self' + nonce, never a bare 'self'.
        if hasattr(request, "_csp_nonce") or hasattr(request, "csp_nonce"):
            str(request.csp_nonce)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            reason = session_control.session_expiry_reason(request, now=timezone.now())
            if reason is not None:
                return self._expire(request, reason)
            if request.session.get(ENROL_REQUIRED) and not self._enrol_allowed(request):
                if _is_api(request):
                    return JsonResponse(
                        {"detail": _("Set up two-step sign-in first."), "code": "2fa_required"},
                        status=403,
                    )
                return redirect("accounts:twofactor_setup")
        response = self.get_response(request)
        if (user is not None and user.is_authenticated) or _is_api(request):
            # Pages for a signed-in person may hold health data: never cache them.
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response

    @staticmethod
    def _enrol_allowed(request: HttpRequest) -> bool:
        allowed = (
            reverse("accounts:twofactor_setup"),
            reverse("accounts:logout"),
            reverse("accounts:set_language"),
            reverse("javascript-catalog"),
        )
        return request.path in allowed or request.path.startswith("/static/")

    @staticmethod
    def _expire(request: HttpRequest, reason: str) -> HttpResponse:
        session_control.session_forget(request.session.session_key)
        logout(request)
        text = (
            _("You were signed out after a period of inactivity.")
            if reason == "idle"
            else _("Your session reached its maximum length. Please sign in again.")
        )
        if _is_api(request):
            return JsonResponse({"detail": text, "code": "session_expired"}, status=401)
        messages.info(request, text)
        return redirect(f"{reverse('accounts:login')}?next={request.path}")


class AuditMiddleware:
    """Makes the request known to audit receivers; every 403, from a page or the API,
    lands in the audit log."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from core.audit import audit_record, current_request

        token = current_request.set(request)
        try:
            response = self.get_response(request)
        finally:
            current_request.reset(token)
        user = getattr(request, "user", None)
        if request.path.startswith("/admin/") and user is not None and user.is_authenticated:
            # Operators' every Django admin request, reads included, is on the record.
            audit_record(
                actor=user,
                action="admin.request",
                request=request,
                outcome="ok" if response.status_code < 400 else "denied",
                object_type="url",
                object_id="",
            )
        if response.status_code == 403:
            audit_record(
                actor=getattr(request, "user", None),
                action="authz.denied",
                request=request,
                outcome="denied",
                object_type="url",
                object_id="",
            )
        return response


class UserLanguageMiddleware(LocaleMiddleware):
    """A signed-in person reads Duet in their account's language, whatever device or
    browser they use; everyone else gets the cookie, then Accept-Language (Django's
    LocaleMiddleware, which also sets Content-Language and Vary)."""

    def process_request(self, request: HttpRequest) -> None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
            return
        super().process_request(request)
