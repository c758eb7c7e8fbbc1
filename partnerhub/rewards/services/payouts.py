"""Payout runs: prepare (payable balances of one currency at or over a minimum), approve (four-eyes: another
finance user than the preparer), export for accounting, mark paid (payout entries: Dr payable, Cr paid).

Idempotent by construction: a run has a unique key (preparing with the same key returns the same run);
preparations are serialised (a PostgreSQL advisory lock; SQLite serialises writers) and a partner already in
an unpaid run of the currency is not selected again; marking paid locks the run row (``select_for_update``)
and posts with the key ``payout:run-<id>`` under the entries' unique index, so a run started twice — even
concurrently — pays once.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.core import audit
from partnerhub.core.money import CURRENCIES, quantize
from partnerhub.core.problems import Conflict, Problem
from partnerhub.identity.models import User
from partnerhub.webhooks.services import publish_event

from ..models import Account, JournalEntry, LedgerLine, PayoutItem, PayoutRun
from .ledger import Posting, post_many, require_finance

LOCK_KEY = 7_311_004  # the advisory lock of payout preparations
S = PayoutRun.Status


class FourEyes(Problem):
    status = 403
    code = "four_eyes"
    title = "Four eyes"


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def _minimum(value) -> Decimal:
    try:
        amount = Decimal(str(value if value not in (None, "") else "0").replace(",", ".").replace(" ", ""))
        if not amount.is_finite() or amount < 0 or amount != quantize(amount) or amount >= Decimal(10) ** 15:
            raise ValueError
    except (ArithmeticError, ValueError):
        raise ValidationError({"minimum": [_("A non-negative amount with at most two decimal places.")]}) from None
    return amount


@transaction.atomic
def prepare_run(*, actor: User, currency: str, minimum="0", key: str = "") -> PayoutRun:
    """Select every partner's payable balance in ``currency`` of at least ``minimum`` (and above zero) that is
    in no other unpaid run. The same ``key`` returns the run prepared with it."""
    require_finance(actor)
    currency = (currency or "").upper()
    if currency not in CURRENCIES:
        raise ValidationError({"currency": [_("Unknown currency %(code)s.") % {"code": currency}]})
    amount = _minimum(minimum)
    key = (key or "").strip()[:120] or uuid.uuid4().hex
    _lock()
    existing = PayoutRun.objects.filter(key=key).first()
    if existing is not None:
        return existing
    busy = PayoutItem.objects.filter(currency=currency, run__status__in=[S.PREPARED, S.APPROVED])
    rows = (
        LedgerLine.objects.filter(account=Account.PAYABLE, currency=currency)
        .exclude(organisation_id__in=busy.values("organisation_id"))
        .values("organisation_id").annotate(total=Sum("amount")).order_by("organisation_id")
    )  # fmt: skip
    payable = [(r["organisation_id"], quantize(-r["total"])) for r in rows]
    payable = [(org, value) for org, value in payable if value > 0 and value >= amount]
    if not payable:
        raise ValidationError({"minimum": [_("No partner has a payable balance of at least %(minimum)s %(currency)s "
                                             "outside another unpaid run.") % {"minimum": amount,
                                                                              "currency": currency}]})  # fmt: skip
    run = PayoutRun.objects.create(key=key, currency=currency, minimum=amount, prepared_by=actor,
                                   total=sum((v for _o, v in payable), Decimal("0.00")))  # fmt: skip
    PayoutItem.objects.bulk_create(
        [PayoutItem(run=run, organisation_id=org, currency=currency, amount=value) for org, value in payable]
    )
    audit.record(actor=actor, action="payout_run.prepared", obj=run, after={**audit.snapshot(run),
                                                                              "partners": len(payable)})  # fmt: skip
    return run


@transaction.atomic
def approve_run(*, actor: User, run: PayoutRun) -> PayoutRun:
    """Another finance user approves a prepared run; its preparer cannot (four-eyes)."""
    require_finance(actor)
    run = PayoutRun.objects.select_for_update().get(pk=run.pk)
    if run.prepared_by_id == actor.pk:
        raise FourEyes(_("Four eyes: the finance user who prepared a payout run cannot approve it; "
                         "another finance user must."))  # fmt: skip
    if run.status != S.PREPARED:
        raise Conflict(_("Only a prepared run can be approved; this one is %(status)s.")
                       % {"status": run.get_status_display()})  # fmt: skip
    before = audit.snapshot(run)
    run.status, run.approved_by, run.approved_at = S.APPROVED, actor, timezone.now()
    run.save(update_fields=["status", "approved_by", "approved_at"])
    audit.record(actor=actor, action="payout_run.approved", obj=run, before=before, after=audit.snapshot(run))
    return run


@transaction.atomic
def mark_paid(*, actor: User, run: PayoutRun) -> PayoutRun:
    """Post the payouts of an approved run (Dr payable, Cr paid) and announce them. Paid once: a second call,
    even concurrent, finds the run paid and returns it."""
    require_finance(actor)
    run = PayoutRun.objects.select_for_update().get(pk=run.pk)
    if run.status == S.PAID:
        return run
    if run.status != S.APPROVED:
        raise Conflict(_("Approve the run before marking it paid."))
    items = list(run.items.order_by("organisation_id"))
    today = timezone.localdate()
    entries = post_many(kind=JournalEntry.Kind.PAYOUT, key_prefix=f"payout:run-{run.pk}", actor=actor,
                        postings=[Posting(i.organisation_id, i.currency, i.amount) for i in items],
                        memo=_("Payout run #%(id)s") % {"id": run.pk}, on=today)  # fmt: skip
    for item in items:
        item.entry = entries[(item.organisation_id, item.currency)]
    PayoutItem.objects.bulk_update(items, ["entry"])
    before = audit.snapshot(run)
    run.status, run.paid_by, run.paid_on = S.PAID, actor, today
    run.save(update_fields=["status", "paid_by", "paid_on"])
    audit.record(actor=actor, action="payout_run.paid", obj=run, before=before, after=audit.snapshot(run))
    for item in items:
        publish_event(event_type="payout.paid", organisation_ids=[item.organisation_id],
                      payload={"organisation_id": item.organisation_id, "payout_id": item.pk, "run_id": run.pk,
                               "amount": item.amount, "currency": item.currency, "paid_on": today,
                               "entry_id": item.entry.pk})  # fmt: skip
    return run


@transaction.atomic
def cancel_run(*, actor: User, run: PayoutRun, reason: str) -> PayoutRun:
    """Finance drops a prepared or approved run (nothing was posted); its partners may go into a new run."""
    require_finance(actor)
    run = PayoutRun.objects.select_for_update().get(pk=run.pk)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give the reason.")]})
    if run.status not in (S.PREPARED, S.APPROVED):
        raise Conflict(_("A paid run cannot be cancelled; reverse a payout by an adjustment instead.")
                       if run.status == S.PAID else _("This run is cancelled already."))  # fmt: skip
    before = audit.snapshot(run)
    run.status = S.CANCELLED
    run.save(update_fields=["status"])
    audit.record(actor=actor, action="payout_run.cancelled", obj=run, before=before, after=audit.snapshot(run),
                 reason=reason.strip())  # fmt: skip
    return run
