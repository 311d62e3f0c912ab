"""Writes for accounts and couples. Keyword-only, ``<entity>_<action>``."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.invitations import invitation_email_queue
from accounts.models import Couple, CoupleMembership, PartnerInvitation, User
from accounts.selectors import active_couple_for
from accounts.signals import partner_left_couple
from accounts.tokens import InvalidLink, invitation_from_link, make_link_token, read_link_token
from core.errors import Conflict, DomainError, Forbidden
from core.mail import email_queue


def user_create(
    *,
    email: str,
    password: str | None,
    full_name: str,
    time_zone: str = "UTC",
    display_name: str = "",
    role: str = User.Role.CLIENT,
    language: str = "",
) -> User:
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise Conflict(_("An account with this email already exists."), code="email_taken")
    try:
        return User.objects.create_user(
            email=email,
            password=password,
            full_name=full_name.strip(),
            display_name=display_name.strip(),
            time_zone=time_zone,
            role=role,
            language=language or settings.LANGUAGE_CODE,
        )
    except IntegrityError:  # a concurrent sign-up with the same email won the race
        raise Conflict(
            _("An account with this email already exists."), code="email_taken"
        ) from None


SIGNUP_KIND = "signup"
SIGNUP_LINK_MAX_AGE = timedelta(days=3)


def signup_request(
    *,
    email: str,
    password: str,
    full_name: str,
    time_zone: str,
    display_name: str = "",
    next_url: str | None = None,
    language: str = "",
) -> None:
    """Sign-up answers the same whether or not the email has an account:
    a new address gets an inactive account and a link that confirms it; the owner of an
    existing account gets an email saying someone tried, with sign-in and reset links.
    The page after either says "check your email", like password reset."""
    email = User.objects.normalize_email(email).lower()
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None and not _signup_pending(existing):
        context = {
            "user": existing,
            "login_url": settings.SITE_URL + reverse("accounts:login"),
            "reset_url": settings.SITE_URL + reverse("accounts:password_reset"),
        }
        _mail_on_commit(
            gettext_lazy("Someone tried to create a Duet account with your email"),
            "emails/signup_exists.txt",
            context,
            existing.email,
            language=existing.language,
        )
        return
    if existing is None:
        try:
            existing = user_create(
                email=email,
                password=password,
                full_name=full_name,
                display_name=display_name,
                time_zone=time_zone,
                language=language,
            )
        except Conflict:  # a concurrent sign-up won: answer the same way, mail nothing new
            return
        existing.is_active = False
        existing.save(update_fields=["is_active"])
    link = settings.SITE_URL + reverse(
        "accounts:signup_confirm", args=[make_link_token(SIGNUP_KIND, existing.pk)]
    )
    if next_url:
        link += "?" + urlencode({"next": next_url})
    context = {"user": existing, "link": link, "days": SIGNUP_LINK_MAX_AGE.days}
    _mail_on_commit(
        gettext_lazy("Confirm your Duet account"),
        "emails/signup_confirm.txt",
        context,
        email,
        language=existing.language,
    )


def _signup_pending(user: User) -> bool:
    """Signed up, never confirmed (inactive and never signed in)."""
    return not user.is_active and user.last_login is None


def signup_confirm(*, token: str) -> User:
    """The emailed link: activates the account it was made for, once."""
    pk = read_link_token(SIGNUP_KIND, token, max_age=SIGNUP_LINK_MAX_AGE)
    user = User.objects.filter(pk=pk).first()
    if user is None or not _signup_pending(user):
        raise InvalidLink(
            _("This link was already used. Sign in with your email and password."),
            code="used",
            status=410,
        )
    user.is_active = True
    user.save(update_fields=["is_active"])
    return user


def _mail_on_commit(
    subject: str | Promise, template: str, context: dict, to: str, *, language: str
) -> None:
    """Through the outbox: it leaves after commit, never from the request. Written in
    ``language``, the recipient account's (a lazy ``subject`` is translated into it)."""
    with translation.override(language or None):
        message = EmailMultiAlternatives(
            subject=str(subject), body=render_to_string(template, context), to=[to]
        )
    # Each sign-up attempt is its own email (a new link, or a new warning to the owner).
    email_queue(key=f"signup-{uuid.uuid4().hex}", message=message, now=timezone.now())


def user_update_profile(
    *, user: User, full_name: str, display_name: str, time_zone: str, language: str = ""
) -> User:
    user.full_name = full_name.strip()
    user.display_name = display_name.strip()
    user.time_zone = time_zone
    user.language = language or user.language
    user.full_clean(exclude=["password"])
    user.save(update_fields=["full_name", "display_name", "time_zone", "language"])
    return user


def user_set_language(*, user: User, language: str) -> User:
    """The footer's switcher: the account keeps the choice for every device and email."""
    if language not in dict(settings.LANGUAGES):
        raise DomainError(_("This language is not offered."), code="bad_language")
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user


def couple_create(*, user: User, now: datetime) -> Couple:
    if not user.is_client:
        raise Forbidden(_("Only clients can start a couple."), code="not_a_client")
    with transaction.atomic():
        User.objects.select_for_update().get(pk=user.pk)
        if active_couple_for(user) is not None:
            raise Conflict(
                _("You are already in a couple. Leave it first."), code="already_in_couple"
            )
        couple = Couple.objects.create(created_by=user, created_at=now)
        CoupleMembership.objects.create(couple=couple, user=user, seat=1, joined_at=now)
    return couple


def partner_invitation_create(
    *, couple: Couple, invited_by: User, email: str, now: datetime
) -> PartnerInvitation:
    email = User.objects.normalize_email(email).lower()
    if invited_by.pk not in {p.pk for p in couple.partners}:
        raise Forbidden(
            _("You can only invite a partner to your own couple."), code="not_your_couple"
        )
    if email == invited_by.email:
        raise DomainError(_("Invite your partner's email address, not your own."), code="own_email")
    if len(couple.partners) >= 2:
        raise Conflict(_("Your couple already has two partners."), code="couple_full")
    with transaction.atomic():
        # One pending invitation at a time: a new one replaces the old link.
        PartnerInvitation.objects.filter(
            couple=couple, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=now)
        invitation = PartnerInvitation.objects.create(
            couple=couple,
            email=email,
            invited_by=invited_by,
            created_at=now,
            expires_at=now + timedelta(days=settings.INVITATION_MAX_AGE_DAYS),
        )
        invitation_email_queue(
            invitation=invitation,
            # Called in the invitee's language (accounts.invitations).
            subject=lambda: _("%(name)s invited you to Duet") % {"name": invited_by.name},
            template="emails/partner_invitation",
            context={"inviter": invited_by},
            now=now,
        )
    return invitation


def partner_invitation_check(*, token: str, user: User | None, now: datetime) -> PartnerInvitation:
    """The invitation behind ``token`` if ``user`` may accept it now; else a DomainError."""
    return invitation_from_link(
        token=token,
        queryset=PartnerInvitation.objects.select_related("couple", "invited_by"),
        user=user,
        now=now,
        sender="your partner",
    )


def partner_invitation_accept(*, token: str, user: User, now: datetime) -> Couple:
    with transaction.atomic():
        invitation = partner_invitation_check(token=token, user=user, now=now)
        # Lock, re-check, write: two tabs accepting at once get one membership.
        invitation = PartnerInvitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None:
            raise InvalidLink(_("This invitation has already been used."), code="used", status=410)
        if not user.is_client:
            raise Forbidden(
                _("Therapist and clinic accounts cannot join a couple."), code="not_a_client"
            )
        if active_couple_for(user) is not None:
            raise Conflict(
                _("You are already in a couple. Leave it before accepting this invitation."),
                code="already_in_couple",
            )
        couple = invitation.couple
        taken = set(
            CoupleMembership.objects.filter(couple=couple, left_at__isnull=True).values_list(
                "seat", flat=True
            )
        )
        free = [seat for seat in (1, 2) if seat not in taken]
        if not free:
            raise Conflict(_("This couple already has two partners."), code="couple_full")
        try:
            with transaction.atomic():
                CoupleMembership.objects.create(
                    couple=couple, user=user, seat=free[0], joined_at=now
                )
        except IntegrityError:
            raise Conflict(
                _("This couple changed while you were accepting. Try again."),
                code="couple_changed",
            ) from None
        invitation.accepted_at = now
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return couple


def couple_leave(*, user: User, now: datetime) -> None:
    with transaction.atomic():
        membership = (
            CoupleMembership.objects.select_for_update()
            .filter(user=user, left_at__isnull=True)
            .first()
        )
        if membership is None:
            raise DomainError(_("You are not in a couple."), code="not_in_couple")
        membership.left_at = now
        membership.save(update_fields=["left_at"])
        partner_left_couple.send(sender=User, couple=membership.couple, user=user, now=now)
        PartnerInvitation.objects.filter(
            couple_id=membership.couple_id, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=now)
