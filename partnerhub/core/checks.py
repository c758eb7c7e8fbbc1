"""System checks of the deployment (`manage.py check --deploy`)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register

# Backends that keep their data in one process: each app process would count on its own.
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register(Tags.caches, deploy=True)
def check_shared_cache(app_configs, **kwargs) -> list[Warning]:
    """Login throttling and the rate limits count in the cache: it must be shared by all app processes."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend not in PER_PROCESS_CACHES:
        return []
    return [
        Warning(
            f"The cache ({backend.rsplit('.', 1)[-1]}) is kept in each process: with several app processes "
            "login throttling and rate limits count per process, so they do not hold.",
            hint="Set REDIS_URL (or CACHE_URL) to Redis, or leave both unset to use the database cache "
            "(run `manage.py createcachetable`).",
            id="core.W001",
        )
    ]


@register(Tags.security)
def check_secret_encryption_keys(app_configs, **kwargs) -> list:
    """A malformed PARTNERHUB_SECRET_KEY_ENCRYPTION stops the start, instead of the first save of a secret."""
    from django.core.checks import Error
    from django.core.exceptions import ImproperlyConfigured

    from .secrets import configured_keys, validate_keys

    try:
        validate_keys(configured_keys())
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="core.E001")]
    return []


@register(Tags.security, deploy=True)
def check_secret_encryption_key_set(app_configs, **kwargs) -> list[Warning]:
    """Without its own key, stored secrets are bound to SECRET_KEY: changing that makes them unreadable."""
    if getattr(settings, "SECRET_ENCRYPTION_KEYS", None):
        return []
    return [
        Warning(
            "Secrets at rest (vendor API tokens) are encrypted with a key derived from SECRET_KEY.",
            hint="Set PARTNERHUB_SECRET_KEY_ENCRYPTION to a Fernet key, then run `manage.py rotate_secrets`.",
            id="core.W002",
        )
    ]
