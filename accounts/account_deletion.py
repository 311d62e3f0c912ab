"""Deleting an account: personal data goes, clinical records the clinic must keep stay,
tied to an anonymized account.

The ``User`` row itself stays as an anonymous tombstone ("Deleted user", unusable
password, inactive) so retained records (signed notes, past sessions on the clinic's
books) keep a valid reference without naming anyone. Every other row pointing at the
person is removed (or loses its pointer), found generically from the model graph.
The partner's own data is not touched: the couple, the partner's messages, reflections
and journal stay theirs.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.apps import apps
from django.db import models, transaction
from django.utils.translation import gettext as _

from accounts.models import CoupleMembership, User
from accounts.signals import account_deleting
from core.audit import audit_actor_forget, audit_record


def _retained(model: type[models.Model]) -> bool:
    """Rows that are the clinic's record, not the person's: kept, with their own retention."""
    return getattr(model, "retained_on_account_deletion", False)


def account_delete(*, user: User, request=None, now: datetime) -> None:
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        audit_record(actor=user, action="account.delete", obj=user, request=request)
        CoupleMembership.objects.filter(user=user, left_at__isnull=True).update(left_at=now)
        account_deleting.send(sender=User, user=user, now=now)
        for rel in user._meta.related_objects:
            model = rel.related_model
            label = model._meta.label_lower
            if _retained(model) or not isinstance(rel.field, models.ForeignKey):
                continue
            if label == "accounts.couplemembership":
                continue  # the couple's history stays for the other partner, anonymized
            qs = model._base_manager.filter(**{rel.field.name: user})
            if rel.on_delete is models.CASCADE:
                qs.delete()
            elif rel.on_delete is models.SET_NULL:
                qs.update(**{rel.field.name: None})
        _forget_in_logs(user)
        user.groups.clear()
        user.user_permissions.clear()
        user.email = f"deleted-{uuid.uuid4().hex}@deleted.invalid"
        user.full_name = "Deleted user"
        user.display_name = ""
        user.time_zone = "UTC"
        user.is_staff = user.is_superuser = False
        user.set_unusable_password()
        user.is_active = False  # the receiver ends every session and closes websockets
        user.save()


def _forget_in_logs(user: User) -> None:
    """The page promises no name stays: the audit log keeps the account number only, and
    Django admin's history loses the email wherever it names this person."""
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    audit_actor_forget(actor_id=user.pk)
    label = f"deleted account #{user.pk}"
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
    ).update(object_repr=label)
    LogEntry.objects.filter(object_repr__icontains=user.email).update(object_repr=label)
    LogEntry.objects.filter(change_message__icontains=user.email).update(change_message="[]")


def retained_summary(user: User) -> list[str]:
    """What stays after deletion, for the page that explains it."""
    lines = []
    if apps.is_installed("scheduling"):
        lines.append(
            _(
                "Your past and booked sessions stay on the clinic's calendar and books, "
                "showing 'Deleted user' instead of your name."
            )
        )
    lines.append(
        _(
            "Signed session notes your therapist wrote are clinical records your clinic must "
            "keep for its retention period (typically 7 years); they stay, encrypted, linked "
            "to the anonymized account, and are removed when that period ends."
        )
    )
    lines.append(
        _(
            "The security audit log keeps an entry for each access to health data, with an "
            "account number but no name or content, because clinics are required to keep it."
        )
    )
    return lines
