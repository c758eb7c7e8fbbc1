"""Secrets at rest: vendor API tokens, webhook secrets and the like, encrypted with Fernet.

Keys come from ``PARTNERHUB_SECRET_KEY_ENCRYPTION`` (or the file named by
``PARTNERHUB_SECRET_KEY_ENCRYPTION_FILE``): Fernet keys, comma-separated, newest first. The first
key encrypts; every key decrypts, so a key is rotated by putting a new one in front, running
``rotate`` over the stored values (``rotate_model_secrets`` does it for every
``EncryptedTextField``), then dropping the old key. Without the variable (the embedded default)
one key is derived from ``SECRET_KEY`` with HKDF-SHA256, so a fresh checkout works; changing
``SECRET_KEY`` then makes the stored secrets unreadable, which is why production sets the variable.

A Fernet token is authenticated (AES-128-CBC with HMAC-SHA256): a value tampered with in the
database fails to decrypt instead of decrypting to something else.
"""

from __future__ import annotations

import base64
import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

HKDF_INFO = b"partnerhub secrets at rest v1"
HKDF_SALT = b"partnerhub.core.secrets"


class SecretDecryptionError(Exception):
    """A stored secret cannot be decrypted with any configured key (key lost, or value tampered with)."""


def derived_key(secret_key: str) -> bytes:
    """The Fernet key of the embedded default: HKDF-SHA256 of SECRET_KEY, for this purpose only."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=HKDF_SALT, info=HKDF_INFO)
    return base64.urlsafe_b64encode(hkdf.derive(secret_key.encode("utf-8")))


def configured_keys() -> tuple[str, ...]:
    keys = tuple(getattr(settings, "SECRET_ENCRYPTION_KEYS", ()) or ())
    if keys:
        return keys
    return (derived_key(settings.SECRET_KEY).decode("ascii"),)


@functools.lru_cache(maxsize=8)
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key.encode("ascii") if isinstance(key, str) else key))
        except (ValueError, TypeError, UnicodeEncodeError) as exc:
            raise ImproperlyConfigured(
                f"PARTNERHUB_SECRET_KEY_ENCRYPTION: key {position} is not a Fernet key "
                "(32 url-safe base64-encoded bytes; make one with "
                "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`)"
            ) from exc
    return MultiFernet(fernets)


def validate_keys(keys: tuple[str, ...]) -> None:
    """ImproperlyConfigured naming the first key that is not a Fernet key."""
    _fernet_for(tuple(keys))


def _fernet() -> MultiFernet:
    return _fernet_for(configured_keys())


def encrypt(plain: str) -> str:
    """The token for ``plain``, made with the first configured key (a different token every time)."""
    return _fernet().encrypt(plain.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError) as exc:
        raise SecretDecryptionError(
            "A stored secret could not be decrypted with the configured keys: the key it was encrypted with "
            "is no longer in PARTNERHUB_SECRET_KEY_ENCRYPTION (or SECRET_KEY changed), or the value was altered."
        ) from exc


def rotate(token: str) -> str:
    """The same secret re-encrypted with the first key (for rotation); fails like ``decrypt``."""
    try:
        return _fernet().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError) as exc:
        raise SecretDecryptionError("A stored secret could not be decrypted for rotation.") from exc


def hint(plain: str, shown: int = 4) -> str:
    """The first characters of a secret, for a person to tell secrets apart (never the whole)."""
    return plain[:shown] + "…" if plain else ""


class EncryptedTextField(models.TextField):
    """Text kept encrypted in the database and plain in Python.

    The column holds the Fernet token; a blank value stays blank (so ``blank=True`` works and an
    unset secret is visible as such). The token differs on every save, so the column cannot be
    filtered on or made unique: look rows up by something else.
    """

    description = "Text encrypted at rest"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))


def encrypted_fields() -> list[tuple[type[models.Model], str]]:
    """Every (model, field name) holding an EncryptedTextField, across the installed apps."""
    from django.apps import apps

    return [
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField)
    ]


def rotate_model_secrets(fields: list[tuple[type[models.Model], str]] | None = None) -> int:
    """Re-encrypt every stored secret (of ``fields``, default all) with the first key; returns how many
    values were rewritten. Run it after putting a new key first, before dropping the old one.

    Reads and writes the raw column in SQL (going through the field would decrypt and re-encrypt with
    the same result, but also run model code), one transaction per table."""
    from django.db import connection, transaction

    rewritten = 0
    for model, name in encrypted_fields() if fields is None else fields:
        column = model._meta.get_field(name).column
        table = model._meta.db_table
        pk_column = model._meta.pk.column
        quote = connection.ops.quote_name
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT {quote(pk_column)}, {quote(column)} FROM {quote(table)}")  # noqa: S608
            rows = cursor.fetchall()
            for pk, token in rows:
                if not token:
                    continue
                cursor.execute(
                    f"UPDATE {quote(table)} SET {quote(column)} = %s WHERE {quote(pk_column)} = %s",  # noqa: S608
                    [rotate(token), pk],
                )
                rewritten += 1
    return rewritten
