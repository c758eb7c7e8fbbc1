"""Regional storefronts, managed by the vendor's administrators."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from partnerhub.core import audit
from partnerhub.core.money import validate_currency
from partnerhub.identity.models import User
from partnerhub.identity.roles import Perm

from ..choices import Language
from ..models import Storefront
from .access import require_vendor_perm


@transaction.atomic
def storefront_save(
    *, actor: User | None, code: str, name: str, language: str, currency: str, country: str,
    vat_rate: Decimal, legal_entity: str, is_active: bool = True,
) -> Storefront:  # fmt: skip
    """Create the storefront ``code`` or change it (its code never changes)."""
    vendor = require_vendor_perm(actor=actor, perm=Perm.STOREFRONTS_MANAGE) if actor is not None else None
    errors: dict[str, list] = {}
    if language not in Language.values:
        errors["language"] = [_("Choose Russian or English.")]
    try:
        validate_currency(currency)
    except ValidationError as exc:
        errors["currency"] = exc.messages
    if not (len(country) == 2 and country.isalpha() and country.isupper()):
        errors["country"] = [_("Give the two-letter country code, e.g. RU.")]
    if vat_rate is None or not Decimal(vat_rate).is_finite() or not 0 <= Decimal(vat_rate) <= 100:
        errors["vat_rate"] = [_("Give a rate from 0 to 100.")]
    for field, value in (("code", code), ("name", name), ("legal_entity", legal_entity)):
        if not (value or "").strip():
            errors[field] = [_("This field is required.")]
    if errors:
        raise ValidationError(errors)
    fields = {"name": name.strip(), "language": language, "currency": currency, "country": country,
              "vat_rate": vat_rate, "legal_entity": legal_entity.strip(), "is_active": is_active}  # fmt: skip
    sf = Storefront.objects.select_for_update().filter(code=code).first()
    if sf is not None and all(getattr(sf, key) == value for key, value in fields.items()):
        return sf  # nothing changes: nothing written, nothing audited
    before = audit.snapshot(sf) if sf else None
    if sf is None:
        sf = Storefront(code=code, **fields)
    else:
        for key, value in fields.items():
            setattr(sf, key, value)
    sf.full_clean()
    sf.save()
    audit.record(actor=actor, action="storefront.saved", obj=sf, organisation=vendor, before=before,
                 after=audit.snapshot(sf))  # fmt: skip
    return sf
