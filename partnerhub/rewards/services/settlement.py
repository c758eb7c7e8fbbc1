"""Closing a reward period: holds, releases, the settlement preview and the lock. The hold rules live here.

**Hold rule.** A rated sale's reward waits (on hold) until the customer has paid (``Sale.paid_on``) or
N days have passed since the sale date, whichever comes first; a sale without payment information waits
the N days. N is the hold of the programme version that rated the line (``reward_hold_days``, YAML
``rewards.hold_days``) or, when the version sets none, ``REWARDS_HOLD_DAYS`` (setting, default 30). A reward
is releasable at a month's end when ``paid_on <= end`` or ``sold_on + N days <= end``. Before that, partial
payments (``SalePayment``) release their share: ``round_half_up(reward × paid by the end / amount)``, the
cumulative share, so the final payment carries the remainder (services/payments.py).

**Closing a month** (months close in order; only a month that has ended) posts, per partner and currency,
dated the month's last day:

* hold/unhold: the partner's automatic hold (what earlier closes put on hold) becomes the sum of the
  rewards accrued by the month's end, not reversed by then, and not releasable yet — the difference is moved
  between accrued and on hold (holds put by finance by hand are left alone);
* release: what is then left accrued (if positive) becomes payable.

A reversal of a held reward therefore nets to zero at the next close (the reversal takes it from accrued,
the unhold puts it back), and a negative accrued balance (a clawback larger than new earnings) is carried
forward, never released. The preview computes the same figures without posting anything. Closing writes
the period row last: the month is locked from then on (``periods.open_date``), and a statement-ready
webhook is published for every partner with postings in the month or a balance at its end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.core import audit
from partnerhub.core.money import quantize
from partnerhub.identity.models import Organisation, User
from partnerhub.programmes.models import ProgrammeVersion
from partnerhub.webhooks.services import publish_event

from .. import periods
from ..models import Account, JournalEntry, LedgerLine, Rating, RewardPeriod, Sale
from .ledger import Posting, post_many, require_finance
from .payments import released_part

LOCK_KEY = 7_311_003  # the advisory lock of period closes
AUTO_HOLD = "period:"  # the key prefix of postings made by closes
ZERO = Decimal("0.00")


@transaction.atomic
def record_customer_payment(*, actor: User, sale: Sale, paid_on: date | None) -> Sale:
    """Finance records when the customer paid a sale (``None`` clears it): the next close releases its reward
    if it still waits. A fact about the sale, audited; nothing is posted."""
    require_finance(actor)
    sale = Sale.objects.select_for_update().get(pk=sale.pk)
    if sale.status != Sale.Status.ACTIVE:
        raise ValidationError({"sale": [_("Only a sale that counts takes a payment date.")]})
    if paid_on is not None and paid_on > timezone.localdate():
        raise ValidationError({"paid_on": [_("A payment date cannot be in the future.")]})
    before = {"paid_on": sale.paid_on}
    Sale.objects.filter(pk=sale.pk).update(paid_on=paid_on)
    sale.paid_on = paid_on
    audit.record(actor=actor, action="sale.paid", obj=sale, organisation=sale.organisation, before=before,
                 after={"paid_on": paid_on})  # fmt: skip
    return sale


def hold_days() -> int:
    return int(getattr(settings, "REWARDS_HOLD_DAYS", 30))


def releasable(end: date) -> Q:
    """Ratings whose sale no longer waits at ``end``: the customer paid, or the hold days of the programme
    version that rated it (the platform's when it sets none) have passed. One condition per distinct hold."""
    q = Q(sale__paid_on__lte=end) | Q(version__reward_hold_days=None,
                                      sale__sold_on__lte=end - timedelta(days=hold_days()))  # fmt: skip
    custom = ProgrammeVersion.objects.exclude(reward_hold_days=None).values_list("reward_hold_days", flat=True)
    for days in sorted(set(custom)):
        q |= Q(version__reward_hold_days=days, sale__sold_on__lte=end - timedelta(days=days))
    return q


def _released_by_partial_payments(waiting, end: date) -> dict[tuple[int, str], Decimal]:
    """Of the rewards still waiting at ``end``, the part partial payments made by then release, per partner
    and currency (only lines whose sale has a payment are read)."""
    rows = (
        waiting.annotate(paid=Sum("sale__payments__amount", filter=Q(sale__payments__paid_on__lte=end)))
        .filter(paid__gt=0).values_list("organisation_id", "currency", "reward", "paid", "sale__amount")
    )  # fmt: skip
    out: dict[tuple[int, str], Decimal] = {}
    for org_id, currency, reward, paid, total in rows:
        part = released_part(reward=quantize(reward), paid=quantize(paid), total=quantize(total))
        out[(org_id, currency)] = out.get((org_id, currency), ZERO) + part
    return out


@dataclass
class Settlement:
    """What closing the month posts for one partner and currency (amounts as the partner sees them)."""

    organisation_id: int
    name: str
    currency: str
    accrued: Decimal  # accrued at the month's end, before the close
    held_before: Decimal  # on automatic hold before the close
    held_after: Decimal  # rewards still waiting at the month's end
    release: Decimal  # accrued becoming payable

    @property
    def hold(self) -> Decimal:
        """Positive: put on hold; negative: released from hold."""
        return self.held_after - self.held_before

    @property
    def carried(self) -> Decimal:
        """What stays accrued after the close (negative: a clawback carried forward)."""
        return self.accrued - self.hold - self.release


def preview(*, month: date) -> list[Settlement]:
    """The settlement a close of ``month`` would post, per partner and currency (nothing is written)."""
    end = periods.month_end(month)
    by: dict[tuple[int, str], dict[str, Decimal]] = {}
    balances = (
        LedgerLine.objects.filter(entry__posted_on__lte=end, account__in=[Account.ACCRUED, Account.HELD])
        .values("organisation_id", "currency")
        .annotate(accrued=Sum("amount", filter=Q(account=Account.ACCRUED)),
                  held=Sum("amount", filter=Q(account=Account.HELD, entry__key__startswith=AUTO_HOLD)))
        .order_by()
    )  # fmt: skip
    for row in balances:
        by[(row["organisation_id"], row["currency"])] = {"accrued": -(row["accrued"] or 0), "held": -(row["held"] or 0)}
    lines = (
        Rating.objects.filter(entry__posted_on__lte=end)
        .filter(Q(reversal=None) | Q(reversal__posted_on__gt=end))
        .exclude(releasable(end))
    )  # fmt: skip
    waiting = lines.values("organisation_id", "currency").annotate(total=Sum("reward")).order_by()
    for row in waiting:
        by.setdefault((row["organisation_id"], row["currency"]), {"accrued": ZERO, "held": ZERO})["waiting"] = row[
            "total"
        ]
    for key, part in _released_by_partial_payments(lines, end).items():
        by[key]["waiting"] = by[key]["waiting"] - part
    names = dict(Organisation.objects.filter(pk__in={k[0] for k in by}).values_list("pk", "name"))
    out = []
    for (org_id, currency), f in by.items():
        accrued, held_before = quantize(f["accrued"]), quantize(f["held"])
        held_after = quantize(f.get("waiting") or ZERO)
        left = accrued - (held_after - held_before)
        s = Settlement(org_id, names.get(org_id, ""), currency, accrued, held_before, held_after, max(left, ZERO))
        if s.accrued or s.held_before or s.held_after:
            out.append(s)
    return sorted(out, key=lambda s: (s.name, s.organisation_id, s.currency))


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def check_closable(month: date) -> None:
    """Months close in order, once, and only when they have ended."""
    if RewardPeriod.objects.filter(month=month).exists():
        raise ValidationError({"period": [_("%(period)s is closed already.") % {"period": periods.label(month)}]})
    if periods.month_end(month) >= timezone.localdate():
        raise ValidationError({"period": [_("%(period)s has not ended yet.") % {"period": periods.label(month)}]})
    last = periods.last_closed()
    if last is not None and month < last:
        raise ValidationError({"period": [_("A later month is closed already.")]})
    if last is not None and month != periods.next_month(last):
        first = periods.label(periods.next_month(last))
        raise ValidationError({"period": [_("Months close in order: close %(period)s first.") % {"period": first}]})


@transaction.atomic
def close_period(*, actor: User, month: date) -> RewardPeriod:
    """Post the month's holds and releases (dated its last day), lock it and announce the statements."""
    require_finance(actor)
    _lock()
    check_closable(month)
    end, name = periods.month_end(month), periods.label(month)
    rows = preview(month=month)
    holds = [Posting(s.organisation_id, s.currency, s.hold) for s in rows if s.hold > 0]
    unholds = [Posting(s.organisation_id, s.currency, -s.hold) for s in rows if s.hold < 0]
    releases = [Posting(s.organisation_id, s.currency, s.release) for s in rows if s.release > 0]
    memo = _("Close of %(period)s") % {"period": name}
    for kind, postings in ((JournalEntry.Kind.HOLD, holds), (JournalEntry.Kind.UNHOLD, unholds),
                           (JournalEntry.Kind.RELEASE, releases)):  # fmt: skip
        if postings:
            post_many(kind=kind, postings=postings, key_prefix=f"{AUTO_HOLD}{name}:{kind}", actor=actor, memo=memo,
                      on=end)  # fmt: skip
    period = RewardPeriod.objects.create(month=month, closed_by=actor)
    totals: dict[str, dict[str, Decimal]] = {}
    for s in rows:
        t = totals.setdefault(s.currency, {"released": ZERO, "held": ZERO})
        t["released"] += s.release
        t["held"] += s.held_after
    audit.record(actor=actor, action="period.closed", obj=period, after={"period": name, "totals": totals})
    _announce(month=month, rows=rows)
    return period


def _announce(*, month: date, rows: list[Settlement]) -> None:
    """statement.ready for each partner with postings in the month or a balance at its end (its own figures)."""
    start, end, name = month, periods.month_end(month), periods.label(month)
    earned = (
        LedgerLine.objects.filter(account=Account.VENDOR_EXPENSE, entry__posted_on__gte=start,
                                  entry__posted_on__lte=end)
        .values("organisation_id", "currency").annotate(total=Sum("amount")).order_by()
    )  # fmt: skip
    by: dict[int, dict[str, dict[str, Decimal]]] = {}
    for row in earned:
        by.setdefault(row["organisation_id"], {}).setdefault(row["currency"], {})["earned"] = quantize(row["total"])
    for s in rows:
        cur = by.setdefault(s.organisation_id, {}).setdefault(s.currency, {})
        cur.update({"released": s.release, "held": s.held_after})
    for org_id, currencies in sorted(by.items()):
        payload = {
            "organisation_id": org_id, "period": name,
            "currencies": [{"currency": c, "earned": f.get("earned", ZERO), "released": f.get("released", ZERO),
                            "on_hold": f.get("held", ZERO)} for c, f in sorted(currencies.items())],
            "statement": f"/api/v1/organisations/{org_id}/statements/{name}",
            "pdf": f"/api/v1/organisations/{org_id}/statements/{name}/pdf",
        }  # fmt: skip
        publish_event(event_type="statement.ready", organisation_ids=[org_id], payload=payload)


def period_list(*, months: int = 12) -> list[dict]:
    """The last ``months`` months, newest first, with their state and quarter (closed when its months are)."""
    today = timezone.localdate()
    start = periods.month_start(today)
    starts = []
    for _i in range(months):
        starts.append(start)
        start = periods.month_start(start - timedelta(days=1))
    closed = {p.month: p for p in RewardPeriod.objects.filter(month__gte=starts[-1]).select_related("closed_by")}
    return [{"month": m, "label": periods.label(m), "quarter": periods.quarter_of(m), "closed": closed.get(m),
             "ended": periods.month_end(m) < today} for m in starts]  # fmt: skip


def quarter_closed(*, year: int, quarter: int) -> bool:
    first = date(year, 3 * quarter - 2, 1)
    months = [first, periods.next_month(first), periods.next_month(periods.next_month(first))]
    return RewardPeriod.objects.filter(month__in=months).count() == 3
