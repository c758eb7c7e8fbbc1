"""Rating sales and posting their rewards: the set-based job, the rating of a sale as it arrives, and
corrections, refunds and cancellations (reversal at the original rating, then a fresh accrual).

Idempotent by construction: only active sales without a current rating are rated, a partial unique index
allows one current rating per sale, runs are serialised (a PostgreSQL advisory lock; SQLite serialises
writers), and a reversal flips a rating from current with a guarded UPDATE, so a clawback is never
subtracted twice.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop  # memos kept in English, shown translated

from partnerhub.core import audit
from partnerhub.core.bulk import insert_many
from partnerhub.identity.models import User

from .. import network
from .. import rating as engine
from ..fx import max_age as fx_max_age
from ..models import JournalEntry, Rating, RatingIssue, Sale
from ..periods import open_date
from .ledger import Posting, audit_postings, post_many, require_finance
from .payments import carry_payments
from .rows import Lookups, check_row

LOCK_KEY = 7_311_002  # the advisory lock of rating runs


@dataclass
class RatingRun:
    rated: int = 0
    network: int = 0  # distributors' and recruiters' lines
    issues: int = 0
    entries: int = 0
    totals: dict[str, Decimal] = field(default_factory=dict)


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


@transaction.atomic
def rate_pending(*, actor: User | None = None, sale_ids: list[int] | None = None, on: date | None = None) -> RatingRun:
    """Rate every active sale without a current rating (or just ``sale_ids``) and post the accruals."""
    _lock()
    if connection.vendor == "postgresql":
        run = _rate_pending_in_sql(actor=actor, sale_ids=sale_ids, on=open_date(on or timezone.localdate()))
    else:
        run = _rate_pending_in_python(actor=actor, sale_ids=sale_ids, on=on)
    _rate_network(run=run, actor=actor, sale_ids=sale_ids, on=on)
    return run


def _rate_network(*, run: RatingRun, actor, sale_ids: list[int] | None, on: date | None) -> None:
    """The distributors' and recruiters' lines of the own ratings that have none yet (:mod:`..network`)."""
    lines = network.pending_lines(sale_ids=sale_ids)
    if not lines:
        return
    sums: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for n in lines:
        sums[(n.beneficiary_id, n.currency)] += n.reward
    entries = post_many(kind=JournalEntry.Kind.ACCRUAL, key_prefix=f"accrual:network:{uuid.uuid4().hex}",
                        actor=actor, memo=gettext_noop("Network overrides"), on=on,
                        postings=[Posting(org, cur, total) for (org, cur), total in sorted(sums.items())])  # fmt: skip
    now = timezone.now()
    insert_many(Rating, [
        Rating(sale_id=n.sale_id, organisation_id=n.beneficiary_id, line=n.line, source_organisation_id=n.source_id,
               version_id=n.version_id, role_code=n.role_code, tier_code=n.tier_code, basis=Rating.Basis.OVERRIDE,
               rule=n.rule, rate_percent=n.percent, uplift_percent=Decimal(0), share_percent=Decimal(100),
               sale_amount=n.sale_amount, sale_currency=n.sale_currency, fx_rate=n.fx_rate,
               base_amount=n.base_amount, currency=n.currency, reward=n.reward, is_current=True,
               entry_id=entries[(n.beneficiary_id, n.currency)].pk, reversal_id=None, rated_at=now)
        for n in lines
    ], batch_size=5000)  # fmt: skip
    run.network, run.entries = len(lines), run.entries + len(entries)
    for (_org, cur), total in sums.items():
        run.totals[cur] = run.totals.get(cur, Decimal(0)) + total


def _rate_pending_in_python(*, actor, sale_ids: list[int] | None, on: date | None) -> RatingRun:
    """SQLite: resolution in SQL, the arithmetic per line in Python (:func:`engine.rate_row`)."""
    run = RatingRun()
    outcomes: list[engine.Outcome] = []
    issues: list[engine.Issue] = []
    for row in engine.resolve(sale_ids=sale_ids):
        result = engine.rate_row(row)
        (outcomes if isinstance(result, engine.Outcome) else issues).append(result)
    processed = [o.sale_id for o in outcomes] + [i.sale_id for i in issues]
    if processed:
        for chunk in range(0, len(processed), 5000):
            RatingIssue.objects.filter(sale_id__in=processed[chunk : chunk + 5000]).delete()
    _store_issues(issues)
    run.issues = len(issues)
    if not outcomes:
        return run
    sums: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for o in outcomes:
        sums[(o.organisation_id, o.currency)] += o.reward
    entries = post_many(kind=JournalEntry.Kind.ACCRUAL, key_prefix=f"accrual:{uuid.uuid4().hex}", actor=actor,
                        postings=[Posting(org, cur, total) for (org, cur), total in sorted(sums.items())],
                        memo=gettext_noop("Rated sales"), on=on)  # fmt: skip
    now = timezone.now()
    insert_many(Rating, [
        Rating(sale_id=o.sale_id, organisation_id=o.organisation_id, line=Rating.Line.OWN,
               source_organisation_id=o.organisation_id, version_id=o.version_id, role_code=o.role_code,
               tier_code=o.tier_code, basis=o.basis, rule=o.rule, rate_percent=o.rate_percent,
               uplift_percent=o.uplift_percent, share_percent=o.share_percent, sale_amount=o.sale_amount,
               sale_currency=o.sale_currency, fx_rate=o.fx_rate, base_amount=o.base_amount, currency=o.currency,
               reward=o.reward, is_current=True, entry_id=entries[(o.organisation_id, o.currency)].pk,
               reversal_id=None, rated_at=now)
        for o in outcomes
    ], batch_size=5000)  # fmt: skip
    run.rated, run.entries = len(outcomes), len(entries)
    for (_org, cur), total in sums.items():
        run.totals[cur] = run.totals.get(cur, Decimal(0)) + total
    return run


def _store_issues(issues: list[engine.Issue]) -> None:
    RatingIssue.objects.bulk_create(
        [RatingIssue(sale_id=i.sale_id, organisation_id=i.organisation_id, code=i.code, message=i.message)
         for i in issues], batch_size=2000,
    )  # fmt: skip


# The resolved rows are kept (materialised) with just the columns the writes need: a million rows of every
# resolution column spilled to disk and cost twice as much as the writes themselves.
SINGLE_STATEMENT_SQL = """
WITH resolved AS MATERIALIZED (
  SELECT sale_id, organisation_id, version_id, role_code, tier, basis, rule, rate, uplift_eff, share, amount,
         currency, fx, base, reward_currency, reward, issue
  FROM ({rated}) x
),
rated AS NOT MATERIALIZED (SELECT * FROM resolved WHERE issue IS NULL),
sums AS (SELECT organisation_id, reward_currency AS currency, SUM(reward) AS total FROM rated GROUP BY 1, 2),
entries AS (
  INSERT INTO rewards_journalentry (organisation_id, kind, currency, posted_on, posted_at, memo, key, actor_id)
  SELECT organisation_id, 'accrual', currency, %(on)s, %(now)s, %(memo)s,
         %(prefix)s || ':' || organisation_id || ':' || currency, %(actor)s
  FROM sums
  RETURNING id, organisation_id, currency
), lines AS (
  INSERT INTO rewards_ledgerline (entry_id, organisation_id, account, currency, amount)
  SELECT e.id, e.organisation_id, a.account, e.currency,
         CASE WHEN a.account = 'vendor_expense' THEN s.total ELSE -s.total END
  FROM entries e JOIN sums s ON s.organisation_id = e.organisation_id AND s.currency = e.currency
  CROSS JOIN (VALUES ('vendor_expense'), ('accrued')) AS a(account)
  RETURNING 1
), ratings AS (
  INSERT INTO rewards_rating (sale_id, organisation_id, line, source_organisation_id, version_id, role_code, tier_code,
    basis, rule, rate_percent, uplift_percent, share_percent, sale_amount, sale_currency, fx_rate, base_amount,
    currency, reward, is_current, entry_id, reversal_id, rated_at)
  SELECT r.sale_id, r.organisation_id, 'own', r.organisation_id, r.version_id, r.role_code, r.tier, r.basis, r.rule,
         r.rate, r.uplift_eff, r.share, r.amount, r.currency, r.fx, r.base, r.reward_currency, r.reward, true, e.id,
         NULL, %(now)s
  FROM rated r JOIN entries e ON e.organisation_id = r.organisation_id AND e.currency = r.reward_currency
  RETURNING 1
)
SELECT (SELECT COUNT(*) FROM ratings), (SELECT COUNT(*) FROM entries),
       (SELECT COALESCE(array_agg(sale_id ORDER BY sale_id), '{{}}') FROM resolved WHERE issue IS NOT NULL)
"""


def _rate_pending_in_sql(*, actor, sale_ids: list[int] | None, on: date) -> RatingRun:
    """PostgreSQL: the same rating, computed and written by the database in one statement.

    Resolution and rating (:func:`engine.rated_sql`) feed, in one pass, the accruals (one entry per partner
    and currency, its two lines from the sum) and one rating per line pointing at its entry. The sales left
    pending are the ones that cannot be rated; the statement returns their ids, and just those are resolved
    again and explained by :func:`engine.rate_row`. All inside the caller's transaction.
    """
    run = RatingRun()
    sale_filter = ""
    if sale_ids is not None:
        ids = sorted({int(i) for i in sale_ids}) or [0]
        sale_filter = f"AND s.id IN ({', '.join(str(i) for i in ids)})"
    prefix = f"accrual:{uuid.uuid4().hex}"
    user = actor if getattr(actor, "is_authenticated", False) else None
    params = {"max_age": fx_max_age(), "on": on, "now": timezone.now(), "memo": gettext_noop("Rated sales"),
              "prefix": prefix, "actor": user.pk if user else None}  # fmt: skip
    resolution = engine.resolution_sql(sale_filter=sale_filter, order=False)
    with connection.cursor() as cur:
        cur.execute("SET LOCAL work_mem = '256MB'")
        cur.execute(SINGLE_STATEMENT_SQL.format(rated=engine.rated_sql(resolution)), params)
        run.rated, run.entries, unrated = cur.fetchone()
        cur.execute("DELETE FROM rewards_ratingissue i WHERE EXISTS (SELECT 1 FROM rewards_rating r "
                    "WHERE r.sale_id = i.sale_id AND r.line = 'own' AND r.is_current)")  # fmt: skip
        left = []
        if unrated:  # the statement named the sales it could not rate: resolve just those again, to say why
            only = engine.resolution_sql(sale_filter=f"AND s.id IN ({', '.join(str(int(i)) for i in unrated)})")
            cur.execute(only, {"max_age": fx_max_age()})
            left = [engine.rate_row(dict(zip(engine.COLUMNS, row, strict=True))) for row in cur.fetchall()]
        issues = [i for i in left if isinstance(i, engine.Issue)]
        RatingIssue.objects.filter(sale_id__in=[i.sale_id for i in issues]).delete()
        _store_issues(issues)
        run.issues = len(issues)
        cur.execute(
            "SELECT e.id, l.amount FROM rewards_journalentry e JOIN rewards_ledgerline l "
            "ON l.entry_id = e.id AND l.account = 'vendor_expense' WHERE e.key LIKE %s",
            [f"{prefix}:%"],
        )
        posted = dict(cur.fetchall())
    entries = list(JournalEntry.objects.filter(pk__in=posted))
    audit_postings(actor=actor, kind=JournalEntry.Kind.ACCRUAL, on=on, entries=[(e, posted[e.pk]) for e in entries])
    for e in entries:
        run.totals[e.currency] = run.totals.get(e.currency, Decimal(0)) + posted[e.pk]
    return run


def rate_sales(*, sales: list[Sale], actor: User | None = None) -> RatingRun:
    """Rate sales as they arrive (a recorded sale, an import, a won deal); what cannot be rated yet waits
    with its reason for the job."""
    return rate_pending(actor=actor, sale_ids=[s.pk for s in sales])


def _reverse(*, sale: Sale, actor, reason: str) -> JournalEntry | None:
    """Reverse every current line of the sale (the seller's own and its distributor's and recruiter's), each
    at its own figures to its own partner; returns the own line's reversal."""
    own = None
    for current in Rating.objects.select_for_update().filter(sale=sale, is_current=True).order_by("id"):
        entries = post_many(kind=JournalEntry.Kind.REVERSAL, key_prefix=f"reversal:rating-{current.pk}",
                            actor=actor, postings=[Posting(current.organisation_id, current.currency, current.reward)],
                            memo=reason)  # fmt: skip
        entry = entries[(current.organisation_id, current.currency)]
        flipped = Rating.objects.filter(pk=current.pk, is_current=True).update(is_current=False, reversal=entry)
        if flipped != 1:  # pragma: no cover - the row lock above makes this unreachable
            raise ValidationError(_("This sale's rating was reversed meanwhile."))
        if current.line == Rating.Line.OWN:
            own = entry
    return own


CORRECTABLE = ("amount", "sold_on", "sale_type", "product_family", "currency", "customer_name", "customer_inn")


@transaction.atomic
def correct_sale(*, actor: User, sale: Sale, reason: str, **changes) -> Sale:
    """Replace a sale's figures: its rating is reversed at the original figures (in today's period) and the
    corrected sale, a new row pointing at the old one, is rated afresh. The old statement stays as it was."""
    require_finance(actor)
    sale = Sale.objects.select_for_update().select_related("organisation", "product_family").get(pk=sale.pk)
    if sale.status != Sale.Status.ACTIVE:
        raise ValidationError({"sale": [_("Only a sale that counts can be corrected.")]})
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give the reason.")]})
    unknown = set(changes) - set(CORRECTABLE)
    if unknown:
        raise ValidationError({f: [_("This field cannot be corrected.")] for f in sorted(unknown)})
    row = {
        "partner_inn": sale.organisation.inn, "partner_kpp": sale.organisation.kpp,
        "customer_name": sale.customer_name, "customer_inn": sale.customer_inn,
        "product_family": sale.product_family.code, "product": sale.product, "sale_type": sale.sale_type,
        "amount": str(sale.amount), "currency": sale.currency, "sold_on": sale.sold_on.isoformat(),
        **{k: (v.isoformat() if isinstance(v, date) else v) for k, v in changes.items() if v is not None},
    }  # fmt: skip
    new, errs = check_row(1, row, Lookups.load([row], partners={sale.organisation.inn: [sale.organisation]}))
    if errs:
        raise ValidationError({e["field"].split(".", 1)[1]: [e["message"]] for e in errs})
    before = audit.snapshot(sale, ("amount", "currency", "sold_on", "sale_type", "product_family_id", "status"))
    Sale.objects.filter(pk=sale.pk).update(status=Sale.Status.CORRECTED)
    new.organisation, new.source, new.corrects = sale.organisation, sale.source, sale
    new.invoice_number, new.invoice_line, new.item_id = sale.invoice_number, sale.invoice_line, sale.item_id
    new.uplift_percent, new.share_percent = sale.uplift_percent, sale.share_percent
    new.cooperation_model, new.quantity, new.unit_price = sale.cooperation_model, sale.quantity, sale.unit_price
    new.paid_on = new.paid_on or sale.paid_on
    new.save()
    carry_payments(old=sale, new=new)
    _reverse(sale=sale, actor=actor, reason=reason.strip())
    audit.record(actor=actor, action="sale.corrected", obj=new, organisation=sale.organisation, before=before,
                 after={"amount": new.amount, "currency": new.currency, "sold_on": new.sold_on,
                        "sale_type": new.sale_type, "product_family_id": new.product_family_id, "corrects": sale.pk},
                 reason=reason.strip())  # fmt: skip
    rate_sales(sales=[new], actor=actor)
    return new


@transaction.atomic
def end_sale(*, actor: User, sale: Sale, status: str, reason: str) -> Sale:
    """A refund or a cancellation: the sale stops counting and its rating is reversed once."""
    require_finance(actor)
    if status not in (Sale.Status.REFUNDED, Sale.Status.CANCELLED):
        raise ValidationError({"status": [_("Use refunded or cancelled.")]})
    sale = Sale.objects.select_for_update().get(pk=sale.pk)
    if sale.status != Sale.Status.ACTIVE:
        raise ValidationError({"status": [_("This sale no longer counts.")]})
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give the reason.")]})
    Sale.objects.filter(pk=sale.pk).update(status=status)
    _reverse(sale=sale, actor=actor, reason=reason.strip())
    RatingIssue.objects.filter(sale=sale).delete()
    audit.record(actor=actor, action=f"sale.{status}", obj=sale, organisation=sale.organisation,
                 before={"status": Sale.Status.ACTIVE}, after={"status": status}, reason=reason.strip())  # fmt: skip
    sale.status = status
    return sale
