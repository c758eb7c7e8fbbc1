"""Defining a contest or SPIF: validated whole before anything is written, in one transaction, audited."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from partnerhub.core import audit
from partnerhub.core.money import CURRENCIES
from partnerhub.core.problems import Conflict
from partnerhub.identity.models import Organisation, User
from partnerhub.partners.models import Enrolment
from partnerhub.programmes.models import Programme, Tier

from ..models import Incentive, Prize
from .common import money_value, require_incentive_manager

I = Incentive  # noqa: E741


def _currency(value: str, field: str, errors: dict) -> str:
    code = (value or "").strip().upper()
    if code not in CURRENCIES:
        errors.setdefault(field, []).append(_("Unknown currency %(code)s.") % {"code": code or "—"})
    return code


def _prizes(prizes: Iterable[dict], currency: str, errors: dict) -> list[Prize]:
    out, ranks = [], set()
    for i, p in enumerate(prizes):
        try:
            rank = int(p.get("rank") or 0)
        except (TypeError, ValueError):
            rank = 0
        if rank < 1:
            errors.setdefault(f"prizes.{i}.rank", []).append(_("A rank is a whole number from 1."))
        elif rank in ranks:
            errors.setdefault(f"prizes.{i}.rank", []).append(_("Rank %(rank)s has a prize already.") % {"rank": rank})
        ranks.add(rank)
        amount = money_value(p.get("amount"), field=f"prizes.{i}.amount", errors=errors)
        code = _currency(p.get("currency") or currency, f"prizes.{i}.currency", errors)
        label = (p.get("label") or "").strip()
        if len(label) > 200:
            errors.setdefault(f"prizes.{i}.label", []).append(_("At most 200 characters."))
        out.append(Prize(rank=rank, amount=amount or Decimal(0), currency=code, label=label))
    return out


def _tiers(programme: Programme | None, codes: Iterable[str], errors: dict) -> str:
    codes = sorted({c.strip() for c in codes if c and c.strip()})
    if codes and programme is not None:
        known = set(Tier.objects.filter(version__programme=programme, code__in=codes).values_list("code", flat=True))
        unknown = [c for c in codes if c not in known]
        if unknown:
            errors.setdefault("tiers", []).append(
                _("The programme has no tier %(codes)s.") % {"codes": ", ".join(unknown)})  # fmt: skip
    text = f",{','.join(codes)}," if codes else ""
    if len(text) > 500:
        errors.setdefault("tiers", []).append(_("Too many tiers."))
    return text


def _partners(programme: Programme | None, ids: Iterable[int], errors: dict) -> list[int]:
    ids = sorted({int(i) for i in ids})
    if ids and programme is not None:
        enrolments = Enrolment.objects.filter(
            programme=programme, organisation_id__in=ids, organisation__kind="partner"
        )
        enrolled = set(enrolments.values_list("organisation_id", flat=True))
        missing = [str(i) for i in ids if i not in enrolled]
        if missing:
            errors.setdefault("partners", []).append(
                _("Not partners of this programme: %(ids)s.") % {"ids": ", ".join(missing)})  # fmt: skip
    return ids


@transaction.atomic
def save_incentive(
    *, actor: User, incentive: Incentive | None = None, kind: str, name: str, programme: str, metric: str,
    starts_on: date | None, ends_on: date | None, currency: str = "RUB", name_en: str = "", description: str = "",
    tiers: Iterable[str] = (), partners: Iterable[int] = (), prizes: Iterable[dict] = (), target=None,
    bonus_kind: str = "", bonus_percent=None, bonus_amount=None, show_amounts: bool = False,
) -> Incentive:  # fmt: skip
    """Create (``incentive=None``) or replace the definition of a contest or SPIF."""
    require_incentive_manager(actor)
    if incentive is not None:
        incentive = Incentive.objects.select_for_update().get(pk=incentive.pk)
        if incentive.awarded_at:
            raise Conflict(_("This incentive has been awarded; its definition can no longer change."))
    errors: dict[str, list[str]] = {}
    if kind not in I.Kind.values:
        errors["kind"] = [_("Choose a sales contest or a SPIF.")]
    if metric not in I.Metric.values:
        errors["metric"] = [_("Unknown metric %(metric)s: choose sales volume, won deals or the largest sale.")
                            % {"metric": metric}]  # fmt: skip
    name, name_en = (name or "").strip(), (name_en or "").strip()
    if not name:
        errors["name"] = [_("Give the incentive a name.")]
    prog = Programme.objects.filter(code=programme).first()
    if prog is None:
        errors["programme"] = [_("Unknown programme %(code)s.") % {"code": programme}]
    if starts_on is None:
        errors["starts_on"] = [_("This field is required.")]
    if ends_on is None:
        errors["ends_on"] = [_("This field is required.")]
    elif starts_on is not None and ends_on < starts_on:
        errors["ends_on"] = [_("The end date is before the start date.")]
    currency = _currency(currency, "currency", errors)
    tier_text = _tiers(prog, tiers, errors)
    partner_ids = _partners(prog, partners, errors)
    prize_rows: list[Prize] = []
    values: dict = {"target": None, "bonus_kind": "", "bonus_percent": None, "bonus_amount": None}
    if kind == I.Kind.CONTEST:
        prize_rows = _prizes(prizes, currency, errors)
        if not prize_rows:
            errors.setdefault("prizes", []).append(_("A contest needs at least one prize."))
    elif kind == I.Kind.SPIF:
        if list(prizes):
            errors["prizes"] = [_("A SPIF pays a bonus to everyone over the target, not prizes by rank.")]
        values["target"] = money_value(target, field="target", errors=errors)
        values["bonus_kind"] = bonus_kind
        if bonus_kind == I.BonusKind.PERCENT:
            try:
                percent = Decimal(str(bonus_percent).replace(",", "."))
                if not percent.is_finite() or not 0 < percent <= 100 or percent != percent.quantize(Decimal("0.01")):
                    raise ValueError
                values["bonus_percent"] = percent
            except (InvalidOperation, ValueError, TypeError):
                errors["bonus_percent"] = [_("A percent above 0 and at most 100, with at most two decimals.")]
            if metric not in I.MONEY_METRICS:
                errors.setdefault("bonus_kind", []).append(
                    _("A percent of the figure needs a money metric; pay a fixed amount for won deals."))  # fmt: skip
        elif bonus_kind == I.BonusKind.FIXED:
            values["bonus_amount"] = money_value(bonus_amount, field="bonus_amount", errors=errors)
        else:
            errors["bonus_kind"] = [_("Choose a percent of the figure or a fixed amount.")]
    if errors:
        raise ValidationError(errors)

    before = audit.snapshot(incentive) if incentive is not None else None
    obj = incentive or Incentive(created_by=actor)
    for field, value in {"kind": kind, "name": name, "name_en": name_en, "description": (description or "").strip(),
                         "programme": prog, "metric": metric, "currency": currency, "starts_on": starts_on,
                         "ends_on": ends_on, "tiers": tier_text, "show_amounts": bool(show_amounts),
                         **values}.items():  # fmt: skip
        setattr(obj, field, value)
    obj.save()
    obj.partners.set(Organisation.objects.filter(pk__in=partner_ids))
    obj.prizes.all().delete()
    for p in prize_rows:
        p.incentive = obj
    Prize.objects.bulk_create(prize_rows)
    prizes_after = [[p.rank, str(p.amount), p.currency, p.label] for p in prize_rows]
    after = audit.snapshot(obj) | {"partners": partner_ids, "prizes": prizes_after}
    audit.record(actor=actor, action="incentive.updated" if before else "incentive.created", obj=obj,
                 before=before, after=after)  # fmt: skip
    return obj
