"""Room and tech-check pages (thin: access rules live in selectors, echo peers in techcheck)."""

from __future__ import annotations

import json

from asgiref.sync import sync_to_async
from csp.decorators import csp_update
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST

from intake import selectors as intake
from signaling import protocol, techcheck
from signaling.selectors import RoomRefused, room_access
from signaling.turn import ice_servers_for

# From the "getting started" and "priority" checklists couples are given for online
# therapy: a private space and no interruptions matter as much as the connection.
PRIVATE_SPACE_CHECKLIST = [
    gettext_lazy("Set up a private space: a room with a door, where nobody can overhear you."),
    gettext_lazy(
        "Choose a time when you're least likely to be interrupted (kids, deliveries, roommates)."
    ),
    gettext_lazy("Turn off notifications and put other devices away."),
    gettext_lazy("Agree on “no multitasking” ground rules with your partner."),
    gettext_lazy("Headphones help if others at home might hear."),
    gettext_lazy("Keep your therapy journal and the points you want to raise nearby."),
    gettext_lazy("Plug in your laptop or phone and sit close to your Wi-Fi router."),
]


# Background blur runs MediaPipe's WebAssembly (vendored, same origin): compiling wasm
# needs 'wasm-unsafe-eval'; plain JavaScript eval stays forbidden.
@csp_update({"script-src": ["'wasm-unsafe-eval'"]})
@login_required
def room(request: HttpRequest, room_id: str) -> HttpResponse:
    try:
        access = room_access(room_id=room_id, user=request.user, now=timezone.now())
    except RoomRefused as refused:
        if refused.code == "consent_required":
            # The partner's own signatures are missing: send them to sign.
            return redirect(f"{reverse('intake:home')}?next={request.path}")
        return render(
            request,
            "signaling/refused.html",
            {"refused": refused, "tech_check_url": reverse("signaling:tech_check")},
            status=refused.status,
        )
    booking = access.booking
    # "Where are you right now?" comes before the waiting room, every session.
    if access.role == "partner" and not intake.location_confirmed(
        booking=booking, user=request.user
    ):
        return redirect("intake:where", room_id=booking.room_id)
    panel = (
        intake.room_panel(booking=booking, viewer=request.user, request=request)
        if access.role == "therapist"
        else None
    )
    config = {
        "roomId": booking.room_id,
        "wsPath": f"/ws/rooms/{booking.room_id}/",
        "role": access.role,
        "name": request.user.name,
        "userId": request.user.pk,
        "startsAt": booking.starts_at.isoformat(),
        "endsAt": booking.ends_at.isoformat(),
        "closesAt": access.closes_at.isoformat(),
        "leaveUrl": reverse("dashboard:dashboard"),
        "techCheckUrl": reverse("signaling:tech_check"),
        "closeCodes": protocol.close_codes_config(),
        # MediaPipe's loader fetches its wasm and model next to itself (vendored).
        "blurAssetsUrl": static("vendor/mediapipe-selfie-segmentation/"),
    }
    # The therapist's hand-off after the call: the note for this session.
    note_url = f"{reverse('notes:notes')}?booking={booking.pk}"
    return render(
        request,
        "signaling/room.html",
        {
            "booking": booking,
            "access": access,
            "config": config,
            "note_url": note_url,
            "panel": panel,
            # Who the session is with, as one value for "Session with %(other)s".
            "other": booking.couple if access.role == "therapist" else booking.therapist.name,
        },
    )


@login_required
def tech_check(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "signaling/tech_check.html",
        {
            "checklist": PRIVATE_SPACE_CHECKLIST,
            "config": {
                "offerUrl": reverse("signaling:tech_check_offer"),
                "closeUrl": reverse("signaling:tech_check_close"),
                "maxSeconds": techcheck.max_seconds(),
                "iceServers": ice_servers_for(user_id=request.user.pk, now=timezone.now()),
            },
        },
    )


def _user_id(request: HttpRequest) -> int | None:
    user = request.user
    return user.pk if user.is_authenticated else None


@require_POST
async def tech_check_offer(request: HttpRequest) -> JsonResponse:
    user_id = await sync_to_async(_user_id)(request)
    if user_id is None:
        return JsonResponse(
            {"detail": gettext("Log in first."), "code": "not_authenticated"}, status=401
        )
    try:
        body = json.loads(request.body)
        sdp, kind = body["sdp"], body.get("type", "offer")
        if not isinstance(sdp, str) or kind != "offer" or len(sdp) > 60_000:
            raise ValueError
        if not sdp.startswith("v=0") or "\nm=" not in sdp:
            raise ValueError
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"detail": "Send {sdp, type: 'offer'}.", "code": "invalid"}, status=422)
    try:
        echo_id, answer = await techcheck.echo_answer(sdp=sdp, kind=kind, user_id=user_id)
    except techcheck.EchoBusy as exc:
        return JsonResponse({"detail": str(exc), "code": "busy"}, status=503)
    except Exception:
        return JsonResponse(
            {"detail": gettext("Your browser's offer could not be used."), "code": "bad_offer"},
            status=422,
        )
    return JsonResponse({"echo_id": echo_id, **answer, "max_seconds": techcheck.max_seconds()})


@require_POST
async def tech_check_close(request: HttpRequest) -> JsonResponse:
    user_id = await sync_to_async(_user_id)(request)
    try:
        echo_id = json.loads(request.body)["echo_id"]
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"detail": "Send {echo_id}.", "code": "invalid"}, status=422)
    closed = await techcheck.echo_close(str(echo_id), user_id=user_id)
    return JsonResponse({"closed": closed})
