"""Reward rates of roles without tiers (agents rate by their role's own rates)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from partnerhub.core import audit
from partnerhub.identity.models import User
from partnerhub.programmes.models import ProductFamily, ProgrammeRole, ProgrammeVersion

from ..models import RoleRate
from .catalogue import require_catalogue_manager


@transaction.atomic
def set_role_rates(*, actor: User, programme: str, version: int, role_code: str, rates: list[dict]) -> list[RoleRate]:
    """Replace the rates of one role without tiers in one programme version (all or nothing)."""
    require_catalogue_manager(actor)
    v = ProgrammeVersion.objects.filter(programme__code=programme, number=version).first()
    if v is None:
        raise ValidationError({"version": [_("No such programme version.")]})
    role = ProgrammeRole.objects.filter(version=v, code=role_code).first()
    if role is None:
        raise ValidationError({"role_code": [_("The programme has no role %(code)s.") % {"code": role_code}]})
    if role.has_tiers:
        raise ValidationError({"role_code": [_("This role has tiers: its rates are the tiers' reward rates.")]})
    families = {f.code: f for f in ProductFamily.objects.all()}
    errors: dict[str, list[str]] = {}
    new, seen = [], set()
    for n, r in enumerate(rates, start=1):
        fam_code, sale_type = (r.get("product_family") or "").strip(), (r.get("sale_type") or "").strip()
        if fam_code and fam_code not in families:
            errors[f"rates[{n}].product_family"] = [_("Unknown product family %(code)s.") % {"code": fam_code}]
        if sale_type not in ("", "new", "renewal"):
            errors[f"rates[{n}].sale_type"] = [_("Use new, renewal or leave it empty.")]
        try:
            percent = Decimal(str(r.get("percent")).replace(",", "."))
            if not percent.is_finite() or not 0 <= percent <= 100 or percent != percent.quantize(Decimal("0.01")):
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors[f"rates[{n}].percent"] = [_("A percent from 0 to 100, at most two decimal places.")]
            continue
        if (fam_code, sale_type) in seen:
            errors[f"rates[{n}]"] = [_("This family and sale type appear twice.")]
        seen.add((fam_code, sale_type))
        new.append(RoleRate(version=v, role_code=role_code, product_family=families.get(fam_code),
                            sale_type=sale_type, percent=percent))  # fmt: skip
    if errors:
        raise ValidationError(errors)
    old = RoleRate.objects.filter(version=v, role_code=role_code)
    before = [str(r) for r in old]
    old.delete()
    RoleRate.objects.bulk_create(new)
    audit.record(actor=actor, action="role_rates.set", obj=v, before={"rates": before},
                 after={"role": role_code, "rates": [str(r) for r in new]})  # fmt: skip
    return list(RoleRate.objects.filter(version=v, role_code=role_code).select_related("product_family"))
