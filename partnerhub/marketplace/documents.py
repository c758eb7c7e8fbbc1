"""A version as a flat document of named fields, and the diff of two versions (what a moderator reads).

The field names are the ones moderators comment on and submission gaps are named by
(``texts.ru.name``, ``category``, ``plans.basic``, ``storefronts``…).
"""

from __future__ import annotations

from .models import ListingVersion


def _plan_line(plan) -> str:
    parts = [f"{plan.name_en} / {plan.name_ru}", plan.billing_period]
    if plan.trial_days:
        parts.append(f"trial {plan.trial_days} d")
    for c in plan.charges.all():
        prices = ", ".join(
            f"{p.currency} {p.amount}" if p.amount is not None
            else f"{p.currency} " + "; ".join(f"≤{t['up_to'] or '∞'}: {t['unit']}+{t['flat']}" for t in p.tiers)
            for p in c.prices.all()
        )  # fmt: skip
        resource = f" {c.resource.code}" if c.resource_id else ""
        block = f" /{c.block_size}" if c.block_size else ""
        parts.append(f"{c.model}{resource}{block}: {prices}")
    return " · ".join(parts)


def document(version: ListingVersion | None) -> dict[str, str]:
    """Every field of ``version`` as text (an empty dict for no version)."""
    if version is None:
        return {}
    doc = {
        "category": version.category,
        "industries": ", ".join(sorted(i.code for i in version.industries.all())),
        "technical_requirements": version.technical_requirements,
        "video_links": "\n".join(version.video_links),
        "documentation_links": "\n".join(version.documentation_links),
        "screenshots": "\n".join(s.image.name.rsplit("/", 1)[-1] for s in version.screenshots.all()),
        "provisioning": f"{version.provisioning_mode} {version.provisioning_url or version.provisioning_email}".strip(),
        "storefronts": ", ".join(sorted(s.code for s in version.storefronts.all())),
        "resources": "\n".join(f"{r.code}: {r.name_en} / {r.name_ru} ({r.unit})" for r in version.resources.all()),
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
