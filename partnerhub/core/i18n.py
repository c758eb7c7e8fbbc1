"""Texts that people write in two languages (programme tiers, roles, requirements, benefits, families).

A text is stored as its Russian (default) form in ``<field>`` and its English form in ``<field>_en``.
``localized(obj, "name")`` reads the one for the active language; when the English text is missing
it falls back to the Russian one, so a page never shows an empty name. ``obj`` may be a model
instance, any object with those attributes, or a dict (an evaluation's stored explanation).
"""

from __future__ import annotations

from typing import Any

from django.utils import translation


def english_active() -> bool:
    return (translation.get_language() or "").startswith("en")


def pick(ru: str, en: str) -> str:
    """The English text when English is active and one is given; the Russian (default) text otherwise."""
    if en and english_active():
        return en
    return ru or en or ""


def _get(obj: Any, key: str) -> Any:
    if isinstance(obj, dict):
        return obj.get(key)
    return getattr(obj, key, None)


def localized(obj: Any, field: str = "name") -> str:
    if obj is None:
        return ""
    return pick(str(_get(obj, field) or ""), str(_get(obj, f"{field}_en") or ""))
