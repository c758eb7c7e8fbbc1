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
