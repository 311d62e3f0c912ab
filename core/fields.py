"""``EncryptedTextField``: a text field whose database column only ever holds ciphertext.

Code reads and writes the attribute as a plain ``str``. The value is sealed in
``pre_save`` with the row's identity (``app_label.model:pk:field``) as associated data,
so the model needs a primary key before saving — use a client-generated one
(``UUIDField(primary_key=True, default=uuid.uuid4)``). Reading decrypts lazily on first
access, when the primary key is known. ``QuerySet.update()`` and filtering on the field
are refused: they would bypass encryption or compare ciphertext.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, TypeVar

from django.core import checks
from django.db import models
from django.db.models.query_utils import DeferredAttribute
from django.utils.translation import gettext_lazy as _

from core import crypto


class Sealed(str):
    """A ciphertext token as loaded from the database (not yet decrypted)."""


class _EncryptedDescriptor(DeferredAttribute):
    """Loads deferred values like Django's own descriptor, then decrypts on first read."""

    field: EncryptedTextField

    def __get__(self, instance: models.Model | None, owner: type | None = None) -> Any:
        if instance is None:
            return self
        value = super().__get__(instance, owner)
        if isinstance(value, Sealed):
            plain = crypto.decrypt(value, identity=self.field.identity(instance))
            instance.__dict__[self.field.attname] = plain
            instance.__dict__[self.field.sealed_attname] = value
            return plain
        return value

    def __set__(self, instance: models.Model, value: Any) -> None:
        if isinstance(value, Sealed):
            instance.__dict__[self.field.sealed_attname] = value
        else:
            instance.__dict__.pop(self.field.sealed_attname, None)
        instance.__dict__[self.field.attname] = value


class EncryptedTextField(models.TextField):
    """``identity_field`` names a client-generated unique field (a UUID with a default)
    to bind ciphertexts to, for a model whose primary key the database assigns."""

    description = "Text encrypted at rest with AES-GCM"
    descriptor_class = _EncryptedDescriptor

    def __init__(self, *args: Any, identity_field: str | None = None, **kwargs: Any) -> None:
        self.identity_field = identity_field
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.identity_field:
            kwargs["identity_field"] = self.identity_field
        return name, path, args, kwargs

    def _identity_source(self) -> models.Field | None:
        if self.identity_field:
            field = self.model._meta.get_field(self.identity_field)
            return field if isinstance(field, models.Field) else None
        return self.model._meta.pk

    @property
    def sealed_attname(self) -> str:
        return f"_{self.attname}_sealed"

    def identity(self, instance: models.Model) -> str:
        key = getattr(instance, self.identity_field) if self.identity_field else instance.pk
        if key is None:
            raise ValueError(
                f"{self.model._meta.label}.{self.name}: the row needs a primary key before "
                "its encrypted fields are sealed (use a client-generated UUID primary key)"
            )
        return f"{self.model._meta.label_lower}:{key}:{self.name}"

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        pk = self._identity_source()
        if pk is not None and pk.get_default() is None:
            errors.append(
                checks.Error(
                    "Models with EncryptedTextField need a primary key with a default "
                    "(e.g. UUIDField(primary_key=True, default=uuid.uuid4)).",
                    obj=self,
                    id="duet.E001",
                )
            )
        return errors

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        return None if value is None else Sealed(value)

    def to_python(self, value: Any) -> Any:
        return value

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        plain = getattr(model_instance, self.attname)
        if plain is None:
            return None
        sealed = model_instance.__dict__.get(self.sealed_attname)
        if sealed is not None and not getattr(model_instance, "_reseal", False):
            return sealed  # unchanged since loaded: keep the stored token as is
        token = crypto.encrypt(str(plain), identity=self.identity(model_instance))
        model_instance.__dict__[self.sealed_attname] = Sealed(token)
        return Sealed(token)

    def get_prep_value(self, value: Any) -> Any:
        if value is None or isinstance(value, Sealed):
            return value
        raise TypeError(
            f"{self.model._meta.label}.{self.name} is encrypted: write it through "
            "Model.save(), never QuerySet.update() or a filter"
        )

    def value_to_string(self, obj: models.Model) -> str:
        # Serialisation (dumpdata) keeps the ciphertext, never the plaintext.
        return obj.__dict__.get(self.sealed_attname) or ""


def encrypted_fields(model: type[models.Model]) -> list[EncryptedTextField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]


UNREADABLE = _("This entry could not be read. Your clinic's operator has been told.")
M = TypeVar("M", bound=models.Model)

_log = logging.getLogger("duet.encryption")


def unreadable_marked(rows: Iterable[M]) -> list[M]:
    """Decrypt each row's encrypted fields now; a row whose ciphertext cannot be
    authenticated (damaged, moved, key missing) gets ``unreadable = True`` and empty
    fields instead of breaking the whole page, and the operator gets a log line naming
    the row (never any content). Its stored ciphertext is kept as it is if the row is
    saved again, so a repaired key can still open it."""
    out = list(rows)
    for row in out:
        row.unreadable = False  # type: ignore[attr-defined]
        for field in encrypted_fields(type(row)):
            try:
                getattr(row, field.attname)
            except crypto.DecryptionError as exc:
                row.__dict__[field.sealed_attname] = row.__dict__[field.attname]
                row.__dict__[field.attname] = ""
                row.unreadable = True  # type: ignore[attr-defined]
                _log.error("Unreadable encrypted value %s: %s", field.identity(row), exc)
    return out
