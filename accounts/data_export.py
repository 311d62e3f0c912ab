""" "Download my data": everything Duet holds about one person, as readable JSON in a zip.

Rows are found generically: every model with a foreign key to the user contributes the
rows pointing at them, so models added by other apps are included without registration.
A model can narrow or widen what it exports with a classmethod
``export_queryset(user) -> QuerySet`` (messages use it to include messages received).
Secrets (password hash, 2FA secrets, recovery-code hashes, session keys) never leave.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.apps import apps
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fields import UNREADABLE, EncryptedTextField, unreadable_marked

NEVER_EXPORTED = {
    "accounts.totpdevice",
    "accounts.recoverycode",
    "accounts.usersession",
    "accounts.authfailure",
    "accounts.auditevent",
    "admin.logentry",
    "sessions.session",
}
SECRET_FIELDS = {"password", "secret", "code_hash", "session_key", "room_id"}

README = _(
    """Your Duet data
==============

Exported %(now)s (UTC) for %(email)s.

Each .json file holds one kind of record (file name = app.kind). Times are UTC in
ISO 8601. Texts you wrote that Duet stores encrypted are decrypted here, because they
are yours. Ids link records to each other (for example a message's "thread").

Not included: your password (Duet keeps only a hash), your two-step sign-in secret and
recovery codes, and your therapist's private session notes (clinical records the clinic
keeps; ask your clinic for access to your record).
"""
)


def _value(obj: models.Model, field: models.Field) -> Any:
    if isinstance(field, models.ForeignKey):
        return getattr(obj, field.attname)
    value = getattr(obj, field.attname)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID | Decimal):
        return str(value)
    if isinstance(field, EncryptedTextField):
        return str(value) if value is not None and not getattr(obj, "unreadable", False) else None
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or None
    return value


def _row(obj: models.Model) -> dict[str, Any]:
    row = {f.name: _value(obj, f) for f in obj._meta.concrete_fields if f.name not in SECRET_FIELDS}
    if getattr(obj, "unreadable", False):
        row["unreadable"] = UNREADABLE
    return row


def _user_querysets(user) -> list[tuple[str, models.QuerySet]]:
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    out: list[tuple[str, models.QuerySet]] = []
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in NEVER_EXPORTED or model is user_model:
            continue
        custom = getattr(model, "export_queryset", None)
        if callable(custom):
            out.append((label, custom(user)))
            continue
        q = models.Q()
        for field in model._meta.concrete_fields:
            if isinstance(field, models.ForeignKey) and field.related_model is user_model:
                q |= models.Q(**{field.name: user})
        if q:
            out.append((label, model._default_manager.filter(q)))
    # Sessions of the couple(s) this person is or was in, whoever booked them.
    booking = apps.get_model("scheduling", "Booking")
    out = [(label, qs) for label, qs in out if label != "scheduling.booking"]
    out.append(
        (
            "scheduling.booking",
            booking.objects.filter(couple__memberships__user=user).distinct(),
        )
    )
    return out


def user_data(user) -> dict[str, list[dict[str, Any]]]:
    data: dict[str, list[dict[str, Any]]] = {"accounts.user": [_row(user)]}
    for label, qs in _user_querysets(user):
        rows = [_row(obj) for obj in unreadable_marked(qs.order_by("pk"))]
        if rows:
            data[label] = rows
    return data


def user_data_zip(user, now: datetime) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", str(README) % {"now": now.isoformat(), "email": user.email})
        for label, rows in user_data(user).items():
            archive.writestr(
                f"{label}.json",
                json.dumps(rows, indent=2, ensure_ascii=False, cls=DjangoJSONEncoder),
            )
    return buffer.getvalue()
