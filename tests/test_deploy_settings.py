"""Production settings: a cache shared by every app process, HTTPS enforced, `check --deploy` clean."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from django.core.cache.backends.db import DatabaseCache
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from partnerhub.identity import services

pytestmark = pytest.mark.django_db  # (the database cache is cleared after each test)

SETTINGS_FILE = Path(__file__).resolve().parent.parent / "config" / "settings.py"
PRODUCTION_ENV = {
    "SECRET_KEY": "x" * 50 + "production-secret-for-the-check",
    "ALLOWED_HOSTS": "partners.example.com",
    "SITE_URL": "https://partners.example.com",
    "SECURE_COOKIES": "1",
    "BEHIND_TLS_PROXY": "1",
    "PARTNERHUB_SECRET_KEY_ENCRYPTION": "bm90LWEtcmVhbC1rZXktYnV0LTMyLWJ5dGVzLWxvbmc=",
}
# What the deployment checks look at (the rest of the test settings stay as they are).
CHECKED = [
    "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "CACHES", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
    "SECURE_SSL_REDIRECT", "SECURE_REDIRECT_EXEMPT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD", "SECURE_PROXY_SSL_HEADER", "SECRET_ENCRYPTION_KEYS",
]  # fmt: skip


def load_settings(monkeypatch, tmp_path, **env):
    """config/settings.py evaluated afresh under the given environment (as a new process would)."""
    for name in ["DEBUG", "REDIS_URL", "CACHE_URL", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
                 "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SECURE_COOKIES"]:  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PARTNERHUB_DATA_DIR", str(tmp_path))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("config._settings_under_test", SETTINGS_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def apply(settings, module) -> None:
    for name in CHECKED:
        if hasattr(module, name):
            setattr(settings, name, getattr(module, name))


def deploy_check_ids(capsys) -> set[str]:
    try:
        call_command("check", "--deploy", "--fail-level", "WARNING")
    except SystemCheckError as exc:
        return set(re.findall(r"^\?: \(([\w.]+)\)", str(exc), flags=re.MULTILINE))
    finally:
        capsys.readouterr()
    return set()


# --- Login throttling counts in a cache every app process shares.


def test_without_redis_the_cache_is_the_database_shared_by_all_processes(monkeypatch, tmp_path):
    default = load_settings(monkeypatch, tmp_path).CACHES["default"]
    assert default["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    redis = load_settings(monkeypatch, tmp_path, REDIS_URL="redis://127.0.0.1:6379/3").CACHES["default"]
    assert redis["BACKEND"].endswith("RedisCache") and redis["LOCATION"] == "redis://127.0.0.1:6379/3"


def test_failed_sign_ins_in_two_processes_add_up(monkeypatch, tmp_path, settings):
    # Two app processes (gunicorn -w 2) each hold their own cache object over the same table.
    location = load_settings(monkeypatch, tmp_path).CACHES["default"]["LOCATION"]
    first, second = DatabaseCache(location, {}), DatabaseCache(location, {})
    limit = settings.LOGIN_THROTTLE_MAX_FAILURES  # 5 by default
    for attempt in range(limit):
        monkeypatch.setattr(services, "cache", first if attempt % 2 else second)
        assert not services.login_is_throttled(email="victim@a.test")
        services.login_failed(email="Victim@a.test")
    for process in (first, second):
        monkeypatch.setattr(services, "cache", process)
        assert services.login_is_throttled(email="victim@a.test")


# --- `check --deploy` under production settings.


def test_production_settings_pass_the_deploy_check(monkeypatch, tmp_path, settings, capsys):
    production = load_settings(monkeypatch, tmp_path, **PRODUCTION_ENV, REDIS_URL="redis://127.0.0.1:6379/3")
    assert production.SECURE_SSL_REDIRECT is True
    assert production.SECURE_HSTS_SECONDS == 365 * 24 * 3600
    assert production.SECURE_HSTS_INCLUDE_SUBDOMAINS and production.SECURE_HSTS_PRELOAD
    apply(settings, production)
    assert deploy_check_ids(capsys) == set()  # no security.W004 (HSTS), W008 (SSL redirect), …


def test_hsts_and_the_ssl_redirect_are_set_from_the_environment(monkeypatch, tmp_path, settings, capsys):
    production = load_settings(monkeypatch, tmp_path, **PRODUCTION_ENV, SECURE_HSTS_SECONDS="600",
                               SECURE_HSTS_PRELOAD="0", SECURE_SSL_REDIRECT="0")  # fmt: skip
    assert production.SECURE_HSTS_SECONDS == 600 and production.SECURE_HSTS_INCLUDE_SUBDOMAINS
    apply(settings, production)
    assert deploy_check_ids(capsys) == {"security.W008", "security.W021"}  # no redirect, no preload: said so
    development = load_settings(monkeypatch, tmp_path)  # plain http on the developer's machine
    assert not development.SECURE_SSL_REDIRECT and development.SECURE_HSTS_SECONDS == 0


def test_the_deploy_check_warns_of_a_per_process_cache(monkeypatch, tmp_path, settings, capsys):
    apply(settings, load_settings(monkeypatch, tmp_path, **PRODUCTION_ENV, CACHE_URL="locmem://"))
    assert deploy_check_ids(capsys) == {"core.W001"}
    apply(settings, load_settings(monkeypatch, tmp_path, **PRODUCTION_ENV))  # the database cache
    assert deploy_check_ids(capsys) == set()


def test_a_webhook_lease_shorter_than_the_send_timeout_is_refused(monkeypatch, tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="WEBHOOKS_CLAIM_LEASE_SECONDS"):
        load_settings(monkeypatch, tmp_path, WEBHOOKS_CLAIM_LEASE_SECONDS="10", WEBHOOKS_TIMEOUT_SECONDS="10")
    assert load_settings(monkeypatch, tmp_path, WEBHOOKS_CLAIM_LEASE_SECONDS="12").WEBHOOKS_CLAIM_LEASE_SECONDS == 12
