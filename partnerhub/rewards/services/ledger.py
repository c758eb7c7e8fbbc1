"""The ledger: append-only, double-entry postings per partner and currency.

Every entry's lines sum to zero (debit positive, credit negative). Partner accounts (accrued, on hold,
payable, paid) are the vendor's liabilities and carry credit balances; the vendor's reward expense
carries the debit side. A balance is the sum of its lines, nothing else; nothing is ever updated.

* accrual: Dr vendor expense, Cr partner accrued — rated sales, one entry per partner, currency and run;
* reversal: the mirror of the accrual, at the reversed ratings' own figures;
* adjustment: Dr/Cr vendor expense against partner accrued, by finance with a reason;
* rebate, incentive: like an accrual (Dr vendor expense, Cr partner accrued), posted by the incentives context;
* release: Dr accrued, Cr payable; hold/unhold move between accrued and on hold; payout: Dr payable, Cr paid.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.core import request_context
from partnerhub.core.bulk import insert_many
from partnerhub.core.models import AuditEntry
from partnerhub.core.money import CURRENCIES, quantize
from partnerhub.core.tenancy import actor_for
from partnerhub.identity.models import Organisation, User
from partnerhub.identity.roles import OrgKind, Role

from ..models import Account, JournalEntry, LedgerLine
from ..periods import open_date

A = Account
K = JournalEntry.Kind

# (debit account, credit account) of each kind of posting, for a positive amount.
SIDES = {
    K.ACCRUAL: (A.VENDOR_EXPENSE, A.ACCRUED),
    K.REVERSAL: (A.ACCRUED, A.VENDOR_EXPENSE),
    K.ADJUSTMENT: (A.VENDOR_EXPENSE, A.ACCRUED),
    K.RELEASE: (A.ACCRUED, A.PAYABLE),
    K.HOLD: (A.ACCRUED, A.HELD),
    K.UNHOLD: (A.HELD, A.ACCRUED),
    K.PAYOUT: (A.PAYABLE, A.PAID),
    K.REBATE: (A.VENDOR_EXPENSE, A.ACCRUED),
    K.INCENTIVE: (A.VENDOR_EXPENSE, A.ACCRUED),
    K.FUND_CLAIM: (A.VENDOR_EXPENSE, A.PAYABLE),  # partnerhub.funds: an approved claim, payable at once
}


@dataclass
class Posting:
    organisation_id: int
    currency: str
    amount: Decimal  # positive: the kind's direction; an adjustment may be negative


def post_many(*, kind: str, postings: Iterable[Posting], key_prefix: str, actor=None, memo: str = "",
              on: date | None = None) -> dict[tuple[int, str], JournalEntry]:  # fmt: skip
    """Post one balanced entry per (partner, currency); returns them by that pair. Idempotent by key.

    A date in a closed (locked) period becomes the first open day after it (:func:`periods.open_date`)."""
    on = open_date(on or timezone.localdate())
    debit, credit = SIDES[kind]
    user = actor if getattr(actor, "is_authenticated", False) else None
    postings = list(postings)
    entries = [JournalEntry(organisation_id=p.organisation_id, kind=kind, currency=p.currency, posted_on=on,
                            memo=memo, key=f"{key_prefix}:{p.organisation_id}:{p.currency}", actor=user)
               for p in postings]  # fmt: skip
    JournalEntry.objects.bulk_create(entries, batch_size=2000)
    lines = []
    for p, e in zip(postings, entries, strict=True):
        amount = quantize(p.amount)
        lines.append(LedgerLine(entry=e, organisation_id=p.organisation_id, account=debit, currency=p.currency,
                                amount=amount))  # fmt: skip
        lines.append(LedgerLine(entry=e, organisation_id=p.organisation_id, account=credit, currency=p.currency,
                                amount=-amount))  # fmt: skip
    LedgerLine.objects.bulk_create(lines, batch_size=4000)
    audit_postings(actor=actor, kind=kind, on=on, entries=[(e, quantize(p.amount)) for p, e in zip(postings, entries,
                                                                                         strict=True)])  # fmt: skip
    return {(e.organisation_id, e.currency): e for e in entries}


def audit_postings(*, actor, kind: str, on: date, entries: list[tuple[JournalEntry, Decimal]]) -> None:
    """One audit row per posted entry, written in one statement (a run posts one per partner and currency)."""
    ctx = request_context.current()
    user = actor if getattr(actor, "is_authenticated", False) else None
    debit, credit = SIDES[kind]
    now = timezone.now()
    rows = [
        AuditEntry(at=now, actor=user, actor_label=user.email if user else (ctx.via or "system"),
                   organisation_id=e.organisation_id, action=f"ledger.{kind}", object_type=e._meta.label_lower,
                   object_id=str(e.pk), object_repr=f"{JournalEntry.Kind(kind).label} #{e.pk} {e.currency}"[:300],
                   before=None, after={"amount": amount, "currency": e.currency, "debit": debit, "credit": credit,
                                       "posted_on": on},
                   reason="", via=ctx.via or "job", request_id=ctx.request_id, ip=ctx.ip)
        for e, amount in entries
    ]  # fmt: skip
    insert_many(AuditEntry, rows)


def balances(organisation_ids: Iterable[int] | None = None) -> dict[tuple[int, str], dict[str, Decimal]]:
    """Every partner account's balance as the partner sees it (credits positive), per (partner, currency)."""
    qs = LedgerLine.objects.exclude(account=A.VENDOR_EXPENSE)
    if organisation_ids is not None:
        qs = qs.filter(organisation_id__in=list(organisation_ids))
    out: dict[tuple[int, str], dict[str, Decimal]] = {}
    for row in qs.values("organisation_id", "currency", "account").annotate(total=Sum("amount")).order_by():
        key = (row["organisation_id"], row["currency"])
        out.setdefault(key, {a: Decimal("0.00") for a in (A.ACCRUED, A.HELD, A.PAYABLE, A.PAID)})
        out[key][row["account"]] = quantize(-row["total"])
    return out


def require_finance(actor: User) -> None:
    if not actor_for(actor).vendor_roles & {Role.VENDOR_ADMIN, Role.FINANCE}:
        raise PermissionDenied(_("Only the vendor's administrators and finance post to the ledger."))


MOVES = {K.RELEASE: A.ACCRUED, K.HOLD: A.ACCRUED, K.UNHOLD: A.HELD}


@transaction.atomic
def post_by_hand(*, actor: User, organisation: Organisation, kind: str, currency: str, amount, reason: str,
                 key: str = "") -> JournalEntry:  # fmt: skip
    """Finance: an adjustment (signed), or a release, hold or unhold of part of a balance, with a reason."""
    require_finance(actor)
    errors: dict[str, list[str]] = {}
    if organisation.kind != OrgKind.PARTNER:
        errors["organisation"] = [_("Only partners have reward accounts.")]
    if kind not in (K.ADJUSTMENT, *MOVES):
        errors["kind"] = [_("Choose an adjustment, a release, a hold or an unhold.")]
    currency = (currency or "").upper()
    if currency not in CURRENCIES:
        errors["currency"] = [_("Unknown currency %(code)s.") % {"code": currency}]
    try:
        value = Decimal(str(amount).replace(",", "."))
        if not value.is_finite() or value != quantize(value) or value == 0 or abs(value) >= Decimal(10) ** 15:
            raise ValueError
    except (ArithmeticError, ValueError):
        errors["amount"] = [_("A non-zero amount with at most two decimal places.")]
        value = None
    if value is not None and kind != K.ADJUSTMENT and value < 0:
        errors["amount"] = [_("The amount must be positive.")]
    if not (reason or "").strip():
        errors["reason"] = [_("Give the reason.")]
    if errors:
        raise ValidationError(errors)
    if kind in MOVES:
        LedgerLine.objects.select_for_update().filter(organisation=organisation).exists()  # serialise moves per partner
        available = balances([organisation.pk]).get((organisation.pk, currency), {}).get(MOVES[kind], Decimal(0))
        if value > available:
            raise ValidationError({"amount": [_("Only %(available)s %(currency)s is there to move.")
                                              % {"available": available, "currency": currency}]})  # fmt: skip
    key = key or f"{kind}:{timezone.now().isoformat()}:{actor.pk}"
    if JournalEntry.objects.filter(key=f"{key}:{organisation.pk}:{currency}").exists():
        return JournalEntry.objects.get(key=f"{key}:{organisation.pk}:{currency}")
    entries = post_many(kind=kind, postings=[Posting(organisation.pk, currency, value)], key_prefix=key, actor=actor,
                        memo=reason.strip())  # fmt: skip
    return entries[(organisation.pk, currency)]
