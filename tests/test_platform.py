"""Health, configuration, the audit log's append-only guarantee, demo data."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from config.env import env_bool, env_int, env_secret
from partnerhub.core.models import AppendOnlyError, AuditEntry
from partnerhub.identity.models import Membership, Organisation, User
from partnerhub.identity.validators import is_valid_inn


@pytest.mark.django_db
def test_healthz_reports_database(client, settings):
    settings.CELERY_BROKER_URL = ""
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json()["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_healthz_fails_when_broker_is_down(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    r = client.get("/healthz")
    assert r.status_code == 503 and r.json()["checks"]["broker"].startswith("error")


@pytest.mark.django_db
def test_healthz_checks_a_live_broker(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"
    r = client.get("/healthz")
    assert r.json()["checks"]["broker"] == "ok"


def test_env_readers_reject_malformed_values(monkeypatch, tmp_path):
    monkeypatch.setenv("X_BOOL", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_BOOL"):
        env_bool("X_BOOL")
    monkeypatch.setenv("X_INT", "ten")
    with pytest.raises(ImproperlyConfigured, match="X_INT"):
        env_int("X_INT", 1)
    secret = tmp_path / "s"
    secret.write_text("from-file\n")
    monkeypatch.setenv("X_SECRET_FILE", str(secret))
    assert env_secret("X_SECRET") == "from-file"


def test_passwords_are_hashed_with_argon2():
    from django.conf import settings as real

    # The test suite swaps in a fast hasher; production settings put Argon2 first.
    import config.settings as conf

    assert conf.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert real.AUTH_USER_MODEL == "identity.User"


@pytest.mark.django_db
def test_audit_entries_cannot_be_changed(world):
    entry = AuditEntry.objects.first()
    entry.action = "tampered"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="tampered")
    assert AuditEntry.objects.get(pk=entry.pk).action != "tampered"
    assert connection.vendor in {"sqlite", "postgresql"}


@pytest.mark.django_db
def test_demo_data_is_idempotent_and_valid(capsys):
    call_command("load_demo")
    counts = (
        Organisation.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        AuditEntry.objects.count(),
    )
    call_command("load_demo")
    assert counts == (
        Organisation.objects.count(), User.objects.count(), Membership.objects.count(), AuditEntry.objects.count()
    )  # fmt: skip
    assert all(is_valid_inn(inn) for inn in Organisation.objects.values_list("inn", flat=True))
    roles = set(Membership.objects.values_list("role", flat=True))
    from partnerhub.identity.roles import Role

    assert roles == set(Role.values)
    assert "admin@vendor.demo" in capsys.readouterr().out
