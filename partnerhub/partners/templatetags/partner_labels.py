"""``{% load partner_labels %}``: tiers and benefits in words, never by their codes.

``{{ code|tier_name:enrolment }}`` names a tier from the enrolment's latest evaluation (no query);
``{{ benefit|benefit_text }}`` writes a benefit once: its label (or its kind) and only the figures
the label does not already say, so "30 дней" does not become "30 дней — 30 дн.".
"""

from __future__ import annotations

import re

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from partnerhub.core.i18n import localized

register = template.Library()


@register.filter
def tier_name(code, enrolment) -> str:
    if not code:
        return "—"
    for tier in (getattr(enrolment, "explanation", None) or {}).get("tiers") or []:
        if tier.get("code") == code:
            return localized(tier) or code
    return code


def _says(label: str, value) -> bool:
    digits = re.sub(r"\D", "", str(value).split(".")[0])
    return bool(digits) and digits in re.sub(r"\D", " ", label).split()


@register.filter
def benefit_text(benefit) -> str:
    label = localized(benefit, "label") or str(benefit.get_kind_display())
    parts = []
    if benefit.percent is not None and not _says(label, benefit.percent):
        parts.append(f"{number_format(benefit.percent.normalize())}%")
    if benefit.user_cap and not _says(label, benefit.user_cap):
        parts.append(ngettext("up to %(n)s user", "up to %(n)s users", benefit.user_cap) % {"n": benefit.user_cap})
    if benefit.count and not _says(label, benefit.count):
        parts.append(f"× {benefit.count}")
    if benefit.days and not _says(label, benefit.days):
        parts.append(ngettext("%(n)s day", "%(n)s days", benefit.days) % {"n": benefit.days})
    text = " — ".join([label, *parts]) if parts else label
    if benefit.on_request:
        text += f" ({_('on request')})"
    return text


@register.filter
def obligation_label(code) -> str:
    """The translated name of a programme obligation (``renewals_work`` → "Работа с продлениями")."""
    from partnerhub.programmes.models import Requirement

    return str(dict(Requirement.Obligation.choices).get(code, code))
