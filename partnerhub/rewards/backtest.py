"""Back-test: what a programme version would have paid over a past period, against what was accrued.

Before publishing a draft, the vendor runs it over a period's sales: every counting sale of the
partners enrolled in the version's programme, sold in the period, goes through the rating engine's
own resolution and rules (:mod:`partnerhub.rewards.rating`) with this version in force over the whole
period — each partner at the tier it had on the sale's date, at this version's rates for that tier,
family and sale type. The result, per partner, tier and currency, stands beside the current ratings
of the same sales (what the versions in force accrued). Nothing is written: no rating, no ledger
entry, no audit row — a back-test is a read.

Sales the version cannot rate (a tier it does not have, a missing rate for a family, a missing
exchange rate) are counted by reason, with the engine's own message.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from partnerhub.core.money import quantize
from partnerhub.core.tenancy import actor_for
from partnerhub.identity.models import Organisation, User
from partnerhub.identity.roles import Role
from partnerhub.programmes.models import ProgrammeVersion

from . import fx as fx_mod
from . import rating as engine
from .models import Rating

MAX_DAYS = 366

SALES_SQL = f"""
  SELECT {engine.SALE_COLUMNS}
  FROM rewards_sale s
  WHERE s.status = 'active' AND s.sold_on >= %(start)s AND s.sold_on <= %(end)s
    AND s.organisation_id IN (SELECT organisation_id FROM partners_enrolment WHERE programme_id = %(programme)s)
"""  # noqa: S608 (fixed SQL)
VERSION_SQL = """
  SELECT v.id, v.programme_id, v.currency, v.referral_reward_percent, %(start)s AS since, CAST(NULL AS DATE) AS until
  FROM programmes_programmeversion v WHERE v.id = %(version)s"""


@dataclass
class Total:
    """What the version would pay beside what was accrued, in one currency."""

    currency: str
    would_pay: Decimal = Decimal("0.00")
    accrued: Decimal = Decimal("0.00")

    @property
    def difference(self) -> Decimal:
        return self.would_pay - self.accrued


@dataclass
class Row(Total):
    """One partner at one tier: its lines, their sales in the reward currency, and the two figures."""

    organisation: Organisation | None = None
    tier_code: str = ""
    tier_label: str = ""
    lines: int = 0
    base: Decimal = Decimal("0.00")
    accrued_lines: int = 0


@dataclass
class Backtest:
    version: ProgrammeVersion
    start: date
    end: date
    rows: list[Row] = field(default_factory=list)
    totals: list[Total] = field(default_factory=list)
    unrated: list[tuple[str, int]] = field(default_factory=list)  # (the engine's message, lines)
    lines: int = 0


def require_designer(actor: User) -> None:
    if not actor_for(actor).vendor_roles & {Role.VENDOR_ADMIN, Role.FINANCE}:
        raise PermissionDenied(_("Only the vendor's administrators and finance run back-tests."))


def check_period(start: date | None, end: date | None) -> None:
    errors: dict[str, list[str]] = {}
    if start is None:
        errors["start"] = [_("Give the first day of the period.")]
    if end is None:
        errors["end"] = [_("Give the last day of the period.")]
    if start and end and end < start:
        errors["end"] = [_("The period ends before it starts.")]
    elif start and end and (end - start).days >= MAX_DAYS:
        errors["end"] = [_("A back-test covers at most %(days)s days.") % {"days": MAX_DAYS}]
    if errors:
        raise ValidationError(errors)


def run_backtest(*, actor: User, version: ProgrammeVersion, start: date, end: date) -> Backtest:
    """Rate the period's sales under ``version`` (read-only) and compare with what was accrued."""
    require_designer(actor)
    check_period(start, end)
    result = Backtest(version=version, start=start, end=end)
    params = {"start": start, "end": end, "programme": version.programme_id, "version": version.pk,
              "max_age": fx_mod.max_age()}  # fmt: skip
    sql = engine.resolution_sql(sales_sql=SALES_SQL, versions_sql=VERSION_SQL, order=False)
    found: dict[tuple[int, str, str], Row] = {}
    unrated: Counter[str] = Counter()
    with connection.cursor() as cur:
        cur.execute(sql, params)
        while chunk := cur.fetchmany(5000):
            for values in chunk:
                outcome = engine.rate_row(dict(zip(engine.COLUMNS, values, strict=True)))
                result.lines += 1
                if isinstance(outcome, engine.Issue):
                    unrated[outcome.message] += 1
                    continue
                row = found.setdefault((outcome.organisation_id, outcome.tier_code, outcome.currency),
                                       Row(outcome.currency, tier_code=outcome.tier_code))  # fmt: skip
                row.lines += 1
                row.base += outcome.base_amount
                row.would_pay += outcome.reward
    accrued = (
        Rating.objects.filter(is_current=True, line="own", sale__status="active", sale__sold_on__gte=start,
                              sale__sold_on__lte=end, organisation__enrolments__programme_id=version.programme_id)
        .values_list("organisation_id", "tier_code", "currency").annotate(total=Sum("reward"), n=Count("id"))
        .order_by()
    )  # fmt: skip
    for org_id, tier_code, currency, total, n in accrued:
        row = found.setdefault((org_id, tier_code, currency), Row(currency, tier_code=tier_code))
        row.accrued, row.accrued_lines = quantize(total), n
    orgs = Organisation.objects.in_bulk({k[0] for k in found})
    names = {t.code: str(t) for t in version.tiers.all()}  # in the reader's language
    totals: dict[str, Total] = {}
    for (org_id, tier_code, currency), row in found.items():
        row.organisation = orgs[org_id]
        row.tier_label = names.get(tier_code, tier_code) if tier_code else _("no tier")
        total = totals.setdefault(currency, Total(currency))
        total.would_pay += row.would_pay
        total.accrued += row.accrued
    result.rows = sorted(found.values(), key=lambda r: (r.organisation.name, r.tier_code, r.currency))
    result.totals = [totals[c] for c in sorted(totals)]
    result.unrated = unrated.most_common()
    return result


def default_period(today: date) -> tuple[date, date]:
    """The last full calendar quarter before ``today``."""
    first_of_quarter = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    end = first_of_quarter - timedelta(days=1)
    return date(end.year, 3 * ((end.month - 1) // 3) + 1, 1), end
