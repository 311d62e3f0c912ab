"""Signal receivers for sessions, audit and revocation (connected in AccountsConfig.ready)."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_delete, post_init, post_save
from django.dispatch import receiver
from django.utils import timezone

from accounts.models import CoupleMembership, User
from accounts.session_control import session_started, user_sessions_revoke
from core.audit import audit_record


@receiver(user_logged_in)
def _on_login(sender, request, user, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    session_started(request=request, user=user, now=timezone.now())
    audit_record(actor=user, action="auth.login", obj=user, request=request)


# A credential a query did not load (``.only()`` lists of names): reading it here would
# load it, and that load would run this receiver again, without end.
NOT_LOADED = object()


def _credentials(instance: User) -> tuple:
    loaded = instance.__dict__
    return (loaded.get("password", NOT_LOADED), loaded.get("is_active", NOT_LOADED))


@receiver(post_init, sender=User)
def _remember_credentials(sender, instance: User, **kwargs) -> None:
    instance._duet_loaded = _credentials(instance)


@receiver(post_save, sender=User)
def _revoke_on_credential_change(sender, instance: User, created: bool, **kwargs) -> None:
    before = getattr(instance, "_duet_loaded", None)
    instance._duet_loaded = _credentials(instance)
    if created or before is None:
        return
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and set(update_fields) == {"password"}:
        return  # Django re-hashing on login with stronger parameters, not a change
    old_password, was_active = before
    password, is_active = instance._duet_loaded
    # A credential set on an instance that never loaded it counts as changed: the old
    # value is unknown, and signing out once too often is the safe side.
    if is_active is False and was_active is not False:
        user_sessions_revoke(user=instance, reason="deactivated")
    elif password is not NOT_LOADED and old_password != password:
        user_sessions_revoke(user=instance, reason="password_changed")


@receiver(post_save, sender=CoupleMembership)
def _couple_roster_saved(sender, instance, created: bool, **kwargs) -> None:
    audit_record(
        actor=instance.user,
        action="couple.member_join" if created else "couple.member_change",
        obj=instance,
    )


def connect_roster_signals() -> None:
    """Clinic roster changes (memberships added, deactivated, removed)."""
    from therapists.models import ClinicMembership

    def saved(sender, instance, created, **kwargs):
        audit_record(
            actor=None,
            action="roster.add" if created else "roster.change",
            obj=instance,
            clinic_id=instance.clinic_id,
        )

    def deleted(sender, instance, **kwargs):
        audit_record(actor=None, action="roster.remove", obj=instance, clinic_id=instance.clinic_id)

    post_save.connect(saved, sender=ClinicMembership, weak=False, dispatch_uid="audit_roster")
    post_delete.connect(
        deleted, sender=ClinicMembership, weak=False, dispatch_uid="audit_roster_del"
    )


def _on_admin_log(sender, instance, created: bool, **kwargs) -> None:
    """Every change made through Django admin (add, change, delete, a password set for
    someone) lands in the app's audit log too, where clinics and operators look."""
    if not created:
        return
    kind = {1: "add", 2: "change", 3: "delete"}.get(instance.action_flag, "other")
    ct = instance.content_type
    audit_record(
        actor=instance.user,
        action=f"admin.{kind}",
        object_type=f"{ct.app_label}.{ct.model}" if ct else "",
        object_id=str(instance.object_id or ""),
    )


def connect_admin_audit() -> None:
    from django.contrib.admin.models import LogEntry

    post_save.connect(_on_admin_log, sender=LogEntry, dispatch_uid="duet_admin_audit")
