"""Quarterly rebates: the programme's ``quarterly_rebate`` tier benefit paid on a quarter's rated sales.

Base: the current ratings of the sales *sold* in the quarter whose rating's tier — the partner's tier on the
sale date, as the engine resolved it — carries a ``quarterly_rebate`` benefit with a percent in the rating's
programme version; summed per partner, reward currency and percent (``Rating.base_amount``: the sale in the
reward currency at its date's rate). Rebate = percent × base, rounded half-up to the kopeck
(``core.money.quantize``) per partner, currency and percent, then summed. Posted as ``rebate`` entries
(Dr vendor expense, Cr partner accrued), with one :class:`Rebate` per partner, quarter and currency.

A quarter is posted once per partner and currency: a second run skips what is posted (runs are serialised
by locking the vendor's organisation row); a sale rated after its quarter was posted for that partner is
settled by finance with an adjustment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.core import audit
from partnerhub.core.money import quantize
from partnerhub.identity.models import Organisation, User
from partnerhub.identity.roles import OrgKind
from partnerhub.programmes.models import Benefit
from partnerhub.rewards.models import JournalEntry, Rating
from partnerhub.rewards.services.ledger import Posting, post_many, require_finance

from ..models import Rebate
from .common import notify_partner


@dataclass
class RebateLine:
    organisation_id: int
    name: str
    currency: str
    base: Decimal = Decimal("0.00")
    amount: Decimal = Decimal("0.00")
    percents: list[Decimal] = field(default_factory=list)
    posted: bool = False


def quarter_bounds(year, quarter) -> tuple[date, date]:
    """First and last day of a quarter; a field error for a year or quarter out of range."""
    errors = {}
    try:
        year = int(year)
        if not 2000 <= year <= 2100:
            raise ValueError
    except (TypeError, ValueError):
        errors["year"] = [_("A year from 2000 to 2100.")]
    try:
        quarter = int(quarter)
        if quarter not in (1, 2, 3, 4):
            raise ValueError
    except (TypeError, ValueError):
        errors["quarter"] = [_("A quarter is 1, 2, 3 or 4.")]
    if errors:
        raise ValidationError(errors)
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
    return start, date.fromordinal(end.toordinal() - 1)


def _lines(year: int, quarter: int) -> list[RebateLine]:
    start, end = quarter_bounds(year, quarter)
    percent = Benefit.objects.filter(kind=Benefit.Kind.QUARTERLY_REBATE, tier__version_id=OuterRef("version_id"),
                                     tier__code=OuterRef("tier_code"), percent__gt=0).order_by("-percent")  # fmt: skip
    rows = (
        Rating.objects.filter(is_current=True, line="own", sale__sold_on__gte=start, sale__sold_on__lte=end)
        .exclude(tier_code="").annotate(percent=Subquery(percent.values("percent")[:1]))
        .filter(percent__isnull=False).order_by()
        .values("organisation_id", "organisation__name", "currency", "percent").annotate(base=Sum("base_amount"))
    )  # fmt: skip
    by: dict[tuple[int, str], RebateLine] = {}
    for r in rows:
        line = by.setdefault((r["organisation_id"], r["currency"]),
                             RebateLine(r["organisation_id"], r["organisation__name"], r["currency"]))  # fmt: skip
        line.base += r["base"]
        line.amount += quantize(r["base"] * r["percent"] / 100)
        line.percents.append(r["percent"])
    posted = set(Rebate.objects.filter(year=year, quarter=quarter).values_list("organisation_id", "currency"))
    for key, line in by.items():
        line.posted = key in posted
    return sorted((x for x in by.values() if x.amount > 0), key=lambda x: (x.name, x.organisation_id, x.currency))


def preview_quarterly_rebates(*, actor: User, year, quarter) -> list[RebateLine]:
    """What posting the quarter would post, per partner and currency (those posted already are marked)."""
    require_finance(actor)
    start, _end = quarter_bounds(year, quarter)
    return _lines(start.year, (start.month + 2) // 3)


@transaction.atomic
def post_quarterly_rebates(*, actor: User, year, quarter) -> list[Rebate]:
    """Finance: post the quarter's rebates not posted yet; returns the new ones (none when run again)."""
    require_finance(actor)
    start, end = quarter_bounds(year, quarter)
    if end >= timezone.localdate():
        raise ValidationError({"quarter": [_("The quarter ends on %(date)s: post its rebates after that.")
                                           % {"date": end.isoformat()}]})  # fmt: skip
    year, quarter = start.year, (start.month + 2) // 3
    list(Organisation.objects.select_for_update().filter(kind=OrgKind.VENDOR).order_by("pk").values("pk"))
    lines = [x for x in _lines(year, quarter) if not x.posted]
    if not lines:
        return []
    entries = post_many(
        kind=JournalEntry.Kind.REBATE, key_prefix=f"rebate:{year}-Q{quarter}", actor=actor,
        postings=[Posting(x.organisation_id, x.currency, x.amount) for x in lines],
        memo=_("Quarterly rebate %(year)s Q%(quarter)s") % {"year": year, "quarter": quarter},
    )  # fmt: skip
    user = actor if getattr(actor, "is_authenticated", False) else None
    rebates = Rebate.objects.bulk_create([
        Rebate(organisation_id=x.organisation_id, year=year, quarter=quarter, currency=x.currency, base=x.base,
               amount=x.amount, entry=entries[(x.organisation_id, x.currency)], posted_by=user)
        for x in lines
    ])  # fmt: skip
    orgs = Organisation.objects.in_bulk([x.organisation_id for x in lines])
    for rebate, line in zip(rebates, lines, strict=True):
        org = orgs[line.organisation_id]
        audit.record(actor=actor, action="rebate.posted", obj=rebate, organisation=org,
                     after={"year": year, "quarter": quarter, "currency": line.currency, "base": line.base,
                            "percents": line.percents, "amount": line.amount, "entry": rebate.entry_id})  # fmt: skip
        notify_partner(organisation=org, url=reverse("earnings", args=[org.pk]),
                       title=_("Quarterly rebate %(year)s Q%(quarter)s") % {"year": year, "quarter": quarter},
                       body=_("%(amount)s %(currency)s is added to your accrued rewards.")
                       % {"amount": line.amount, "currency": line.currency})  # fmt: skip
    return rebates
