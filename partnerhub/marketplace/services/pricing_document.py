"""Step 2 of the wizard: the pricing document (resources and plans) checked whole, then written.

The API takes the document as JSON, the page builds it from its forms; both go through
:func:`parse`, which names every error by its path (``plans.1.charges.0.prices.KZT``) before
anything is written, and :func:`write`, which replaces the working version's pricing.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from partnerhub.core.money import CURRENCIES

from .. import pricing
from ..choices import COUNTED, TIERED, BillingPeriod, ChargeModel
from ..models import Charge, ListingVersion, Plan, Price, Resource

CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
MAX_AMOUNT = Decimal(10) ** (settings.MONEY_MAX_DIGITS - settings.MONEY_DECIMAL_PLACES)


def _text(errors: dict, path: str, value, limit: int) -> str:
    value = str(value or "").strip()
    if not value:
        errors[path] = [ValidationError(_("This field is required."), code="required")]
    elif len(value) > limit:
        errors[path] = [_("At most %(n)s characters.") % {"n": limit}]
    return value


def _code(errors: dict, path: str, value, seen: set) -> str:
    value = str(value or "").strip()
    if not CODE.match(value):
        errors[path] = [_("Use lower-case letters, digits, - and _ (up to 40).")]
    elif value in seen:
        errors[path] = [_("The code %(code)s is used twice.") % {"code": value}]
    seen.add(value)
    return value


def _amount(errors: dict, path: str, value) -> Decimal | None:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        errors[path] = [_("Write the price as a number.")]
        return None
    if not amount.is_finite() or amount < 0 or amount >= MAX_AMOUNT or -amount.as_tuple().exponent > 2:
        errors[path] = [_("Give a price from 0 with at most two decimals.")]
        return None
    return amount


def _prices(errors: dict, path: str, model: str, raw) -> list[dict]:
    out = []
    if not isinstance(raw, list) or not raw:
        errors[path] = [ValidationError(_("Give a price in at least one currency."), code="required")]
        return out
    seen: set[str] = set()
    for i, price in enumerate(raw):
        at = f"{path}.{i}"
        if not isinstance(price, dict):
            errors[at] = [_("Give a currency and a price.")]
            continue
        currency = str(price.get("currency", ""))
        if currency not in CURRENCIES:
            errors[f"{at}.currency"] = [_("Unknown currency %(code)s.") % {"code": currency}]
            continue
        if currency in seen:
            errors[f"{at}.currency"] = [_("The currency %(code)s is priced twice.") % {"code": currency}]
        seen.add(currency)
        if model in TIERED:
            try:
                tiers = pricing.parse_tiers(price.get("tiers") or [], field=f"{at}.tiers")
            except ValidationError as exc:
                errors.update(exc.message_dict)
                continue
            if any(max(t.unit, t.flat) >= MAX_AMOUNT for t in tiers):
                errors[f"{at}.tiers"] = [_("A tier's price is too large.")]
            out.append({"currency": currency, "amount": None, "tiers": [
                {"up_to": None if t.up_to is None else str(t.up_to), "unit": str(t.unit), "flat": str(t.flat)}
                for t in tiers]})  # fmt: skip
        else:
            amount = _amount(errors, f"{at}.amount", price.get("amount"))
            out.append({"currency": currency, "amount": amount, "tiers": []})
    return out


def parse(document: dict) -> dict:
    """The pricing document checked: ``{"resources": [...], "plans": [...]}``; every error at once."""
    errors: dict[str, list] = {}
    resources, plans = [], []
    codes: set[str] = set()
    for i, r in enumerate(document.get("resources") or []):
        at = f"resources.{i}"
        r = r if isinstance(r, dict) else {}
        resources.append({"code": _code(errors, f"{at}.code", r.get("code"), codes),
                          "name_ru": _text(errors, f"{at}.name_ru", r.get("name_ru"), 120),
                          "name_en": _text(errors, f"{at}.name_en", r.get("name_en"), 120),
                          "unit": _text(errors, f"{at}.unit", r.get("unit"), 30)})  # fmt: skip
    plan_codes: set[str] = set()
    raw_plans = document.get("plans") or []  # none yet is a draft; submission asks for one
    for i, p in enumerate(raw_plans):
        at = f"plans.{i}"
        p = p if isinstance(p, dict) else {}
        period = p.get("billing_period") or BillingPeriod.MONTHLY
        if period not in BillingPeriod.values:
            errors[f"{at}.billing_period"] = [_("Choose monthly or annual.")]
        trial = p.get("trial_days")
        if trial not in (None, "", 0) and (not isinstance(trial, int) or not 1 <= trial <= 365):
            errors[f"{at}.trial_days"] = [_("A trial lasts from 1 to 365 days.")]
        charges = []
        raw_charges = p.get("charges") or []
        if trial and raw_charges:
            errors[f"{at}.charges"] = [_("A trial plan is free: it carries no charges.")]
        if not trial and not raw_charges:
            errors[f"{at}.charges"] = [ValidationError(_("A paid plan needs at least one charge."), code="required")]
        for j, c in enumerate(raw_charges):
            cat = f"{at}.charges.{j}"
            c = c if isinstance(c, dict) else {}
            model = c.get("model")
            if model not in ChargeModel.values:
                errors[f"{cat}.model"] = [_("Choose a charge model.")]
                continue
            resource = c.get("resource") or None
            if model in COUNTED and resource not in codes:
                errors[f"{cat}.resource"] = [_("Choose one of the listing's resources.")]
            if model not in COUNTED:
                resource = None
            block = c.get("block_size")
            if model == ChargeModel.PACKAGE and (not isinstance(block, int) or block < 1):
                errors[f"{cat}.block_size"] = [_("Give the number of units in a block.")]
            charges.append({"model": model, "resource": resource,
                            "block_size": block if model == ChargeModel.PACKAGE else None,
                            "prices": _prices(errors, f"{cat}.prices", model, c.get("prices"))})  # fmt: skip
        plans.append({"code": _code(errors, f"{at}.code", p.get("code"), plan_codes),
                      "name_ru": _text(errors, f"{at}.name_ru", p.get("name_ru"), 120),
                      "name_en": _text(errors, f"{at}.name_en", p.get("name_en"), 120),
                      "billing_period": period, "trial_days": trial or None, "charges": charges})  # fmt: skip
    if errors:
        raise ValidationError(errors)
    return {"resources": resources, "plans": plans}


def write(version: ListingVersion, document: dict) -> None:
    """Replace the version's resources and plans with a parsed document."""
    Plan.objects.filter(version=version).delete()
    Resource.objects.filter(version=version).delete()
    resources = {r["code"]: Resource.objects.create(version=version, **r) for r in document["resources"]}
    for position, p in enumerate(document["plans"]):
        plan = Plan.objects.create(version=version, position=position,
                                   **{k: v for k, v in p.items() if k != "charges"})  # fmt: skip
        for cpos, c in enumerate(p["charges"]):
            resource = resources.get(c["resource"]) if c["resource"] else None
            charge = Charge.objects.create(plan=plan, model=c["model"], block_size=c["block_size"], position=cpos,
                                           resource=resource)  # fmt: skip
            Price.objects.bulk_create([Price(charge=charge, **price) for price in c["prices"]])


def read(version: ListingVersion) -> dict:
    """The version's pricing in the document's form (what :func:`parse` takes back)."""
    resources = [{"code": r.code, "name_ru": r.name_ru, "name_en": r.name_en, "unit": r.unit}
                 for r in version.resources.all()]  # fmt: skip
    plans = []
    for plan in version.plans.prefetch_related("charges__prices", "charges__resource"):
        charges = [{"model": c.model, "resource": c.resource.code if c.resource else None,
                    "block_size": c.block_size,
                    "prices": [{"currency": p.currency, "amount": p.amount, "tiers": p.tiers}
                               for p in c.prices.all()]} for c in plan.charges.all()]  # fmt: skip
        plans.append({"code": plan.code, "name_ru": plan.name_ru, "name_en": plan.name_en,
                      "billing_period": plan.billing_period, "trial_days": plan.trial_days,
                      "charges": charges})  # fmt: skip
    return {"resources": resources, "plans": plans}
