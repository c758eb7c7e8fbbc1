"""Typed readers for environment variables.

Each reader rejects malformed values with a message that names the variable, so a
misconfigured deployment fails at start-up instead of misbehaving later. Secrets can
also be read from a file named by ``<NAME>_FILE`` (Docker/Kubernetes secrets).
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_secret(name: str, default: str = "") -> str:
    """Read a secret from ``NAME`` or from the file named by ``NAME_FILE``."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            with open(file_name, encoding="utf-8") as fh:
                return fh.read().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE points to an unreadable file: {exc}") from exc
    return os.environ.get(name, default)


def with_schedules(schedule: dict, overrides: list[str]) -> dict:
    """The beat schedule with some entries moved: ``name=<crontab: 5 fields>`` or ``name=<seconds>``."""
    from datetime import timedelta

    from celery.schedules import crontab
    from celery.schedules import schedule as every

    result = {name: dict(entry) for name, entry in schedule.items()}
    for item in filter(str.strip, overrides):
        name, _, when = item.partition("=")
        name, when = name.strip(), when.strip()
        if name not in result:
            raise ImproperlyConfigured(f"JOB_SCHEDULES: no job named {name!r} (known: {', '.join(result)})")
        fields = when.split()
        if len(fields) == 1 and fields[0].isdigit() and int(fields[0]) > 0:
            result[name]["schedule"] = every(timedelta(seconds=int(fields[0])))
        elif len(fields) == 5:
            minute, hour, day_of_month, month_of_year, day_of_week = fields
            try:
                result[name]["schedule"] = crontab(minute, hour, day_of_week, day_of_month, month_of_year)
            except ValueError as exc:
                raise ImproperlyConfigured(f"JOB_SCHEDULES: {item!r}: {exc}") from exc
        else:
            raise ImproperlyConfigured(f"JOB_SCHEDULES: {item!r} is neither 5 crontab fields nor a number of seconds")
    return result
