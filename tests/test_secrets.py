"""Secrets at rest: encrypted with the configured key, readable after a rotation, never stored in clear."""

from __future__ import annotations

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection, models
from django.test.utils import isolate_apps

from partnerhub.core import secrets
from partnerhub.core.secrets import EncryptedTextField, SecretDecryptionError

VENDOR_TOKEN = "vendor-api-token-0123456789"


@pytest.fixture
def keys(settings):
    def use(*configured: str) -> None:
        settings.SECRET_ENCRYPTION_KEYS = list(configured)

    return use


def test_a_secret_round_trips_and_its_token_does_not_contain_it(keys):
    keys(Fernet.generate_key().decode())

    token = secrets.encrypt(VENDOR_TOKEN)

    assert VENDOR_TOKEN not in token
    assert secrets.decrypt(token) == VENDOR_TOKEN
    assert secrets.encrypt(VENDOR_TOKEN) != token  # a fresh token each time: equal secrets do not show


def test_without_configured_keys_a_key_derived_from_secret_key_is_used(keys, settings):
    keys()
    settings.SECRET_KEY = "a" * 50
    token = secrets.encrypt(VENDOR_TOKEN)
    assert secrets.decrypt(token) == VENDOR_TOKEN
    assert secrets.configured_keys() == (secrets.derived_key("a" * 50).decode(),)

    settings.SECRET_KEY = "b" * 50
    with pytest.raises(SecretDecryptionError, match="could not be decrypted"):
        secrets.decrypt(token)


def test_a_tampered_token_is_refused_not_misread(keys):
    keys(Fernet.generate_key().decode())
    token = secrets.encrypt(VENDOR_TOKEN)
    tampered = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]

    with pytest.raises(SecretDecryptionError):
        secrets.decrypt(tampered)


def test_rotation_new_key_first_old_still_reads_then_rotate_and_drop_the_old(keys):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    keys(old)
    stored = secrets.encrypt(VENDOR_TOKEN)

    keys(new, old)
    assert secrets.decrypt(stored) == VENDOR_TOKEN
    rotated = secrets.rotate(stored)

    keys(new)
    assert secrets.decrypt(rotated) == VENDOR_TOKEN
    with pytest.raises(SecretDecryptionError):
        secrets.decrypt(stored)


def test_a_malformed_key_is_a_configuration_error_naming_the_variable(keys):
    keys(Fernet.generate_key().decode(), "not-a-key")

    with pytest.raises(ImproperlyConfigured, match=r"PARTNERHUB_SECRET_KEY_ENCRYPTION: key 2"):
        secrets.encrypt(VENDOR_TOKEN)


@pytest.fixture
def holder_model(db):
    with isolate_apps("partnerhub.core"):

        class SecretHolder(models.Model):
            secret = EncryptedTextField(blank=True)

            class Meta:
                app_label = "core"
                db_table = "test_secret_holder"

            def __str__(self) -> str:
                return f"holder {self.pk}"

        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE test_secret_holder (id INTEGER PRIMARY KEY, secret TEXT NOT NULL)")
        yield SecretHolder


def _raw(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM test_secret_holder WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_the_model_field_stores_ciphertext_and_reads_plain_text(keys, holder_model):
    keys(Fernet.generate_key().decode())

    holder_model.objects.create(id=1, secret=VENDOR_TOKEN)
    holder_model.objects.create(id=2, secret="")

    assert VENDOR_TOKEN not in _raw(1)
    assert secrets.decrypt(_raw(1)) == VENDOR_TOKEN
    assert holder_model.objects.get(id=1).secret == VENDOR_TOKEN
    assert _raw(2) == "" and holder_model.objects.get(id=2).secret == ""


def test_rotating_the_stored_secrets_rewrites_them_under_the_new_key(keys, holder_model):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    keys(old)
    holder_model.objects.create(id=1, secret=VENDOR_TOKEN)
    holder_model.objects.create(id=2, secret="")

    keys(new, old)
    assert secrets.rotate_model_secrets([(holder_model, "secret")]) == 1

    keys(new)
    assert holder_model.objects.get(id=1).secret == VENDOR_TOKEN
    assert _raw(2) == ""


def test_the_rotate_command_reports_what_it_did(db):
    out = StringIO()
    call_command("rotate_secrets", stdout=out)
    assert out.getvalue().startswith("Re-encrypted 0 stored secret(s)")


def test_the_system_checks_refuse_a_malformed_key_and_warn_without_one(keys):
    from partnerhub.core.checks import check_secret_encryption_key_set, check_secret_encryption_keys

    keys("garbage")
    assert [e.id for e in check_secret_encryption_keys(None)] == ["core.E001"]
    keys()
    assert check_secret_encryption_keys(None) == []
    assert [w.id for w in check_secret_encryption_key_set(None)] == ["core.W002"]
    keys(Fernet.generate_key().decode())
    assert check_secret_encryption_key_set(None) == []
