"""A version as a flat document of named fields, and the diff of two versions (what a moderator reads).

The field names are the ones moderators comment on and submission gaps are named by
(``texts.ru.name``, ``category``, ``plans.basic``, ``storefronts``…).
"""

from __future__ import annotations

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from partnerhub.core.formatting import money, number

from .models import ListingVersion

# What each field is called on the page (the code stays beside it: moderators' comments are keyed by it).
LABELS = {
    "category": gettext_lazy("Category"),
    "industries": gettext_lazy("Industries"),
    "technical_requirements": gettext_lazy("Technical requirements"),
    "video_links": gettext_lazy("Video links"),
    "documentation_links": gettext_lazy("Documentation links"),
    "screenshots": gettext_lazy("Screenshots"),
    "provisioning": gettext_lazy("Provisioning"),
    "storefronts": gettext_lazy("Storefronts"),
    "resources": gettext_lazy("Resources"),
    "name": gettext_lazy("Name"),
    "short_description": gettext_lazy("Short description"),
    "long_description": gettext_lazy("Description"),
    "technical_description": gettext_lazy("Technical description"),
}


def field_label(field: str) -> str:
    """``texts.ru.name`` → "Name (RU)", ``plans.basic`` → "Plan basic", ``category`` → "Category"."""
    parts = field.split(".")
    if parts[0] == "texts" and len(parts) == 3:
        return f"{LABELS.get(parts[2], parts[2])} ({parts[1].upper()})"
    if parts[0] == "plans" and len(parts) == 2:
        return _("Plan %(code)s") % {"code": parts[1]}
    return str(LABELS.get(field, field))


def labelled(lines: list[tuple[str, str, str]]) -> list[tuple[str, str, str, str]]:
    """The diff's lines with each field's label: ``(field, label, before, after)``."""
    return [(f, field_label(f), before, after) for f, before, after in lines]


def _price(p) -> str:
    if p.amount is not None:
        return money(p.amount, p.currency)
    steps = "; ".join(
        f"≤{number(t['up_to']) if t['up_to'] else '∞'}: {money(t['unit'], p.currency)} + {money(t['flat'], p.currency)}"
        for t in p.tiers
    )
    return f"{p.currency} {steps}"


def _plan_line(plan) -> str:
    parts = [plan.label, str(plan.get_billing_period_display())]
    if plan.trial_days:
        parts.append(_("trial %(days)s d") % {"days": plan.trial_days})
    for c in plan.charges.all():
        prices = ", ".join(_price(p) for p in c.prices.all())
        resource = f" {c.resource.name(get_language())}" if c.resource_id else ""
        block = f" /{number(c.block_size)}" if c.block_size else ""
        parts.append(f"{c.get_model_display()}{resource}{block}: {prices}")
    return " · ".join(parts)


def document(version: ListingVersion | None) -> dict[str, str]:
    """Every field of ``version`` as text (an empty dict for no version)."""
    if version is None:
        return {}
    doc = {
        "category": str(version.get_category_display()) if version.category else "",
        "industries": ", ".join(sorted(str(i.get_code_display()) for i in version.industries.all())),
        "technical_requirements": version.technical_requirements,
        "video_links": "\n".join(version.video_links),
        "documentation_links": "\n".join(version.documentation_links),
        "screenshots": "\n".join(s.image.name.rsplit("/", 1)[-1] for s in version.screenshots.all()),
        "provisioning": f"{version.get_provisioning_mode_display()} "
        f"{version.provisioning_url or version.provisioning_email}".strip(),
        "storefronts": ", ".join(sorted(str(s) for s in version.storefronts.all())),
        "resources": "\n".join(f"{r.name(get_language())} ({r.unit})" for r in version.resources.all()),
    }
    for t in version.texts.all():
        for key in ("name", "short_description", "long_description", "technical_description"):
            doc[f"texts.{t.language}.{key}"] = getattr(t, key)
    for plan in version.plans.prefetch_related("charges__prices", "charges__resource"):
        doc[f"plans.{plan.code}"] = _plan_line(plan)
    return doc


def diff(old: ListingVersion | None, new: ListingVersion) -> list[tuple[str, str, str]]:
    """``(field, before, after)`` for every field that differs (all of ``new`` when nothing is live)."""
    before, after = document(old), document(new)
    fields = list(after) + [f for f in before if f not in after]
    return [(f, before.get(f, ""), after.get(f, "")) for f in fields if before.get(f, "") != after.get(f, "")]
