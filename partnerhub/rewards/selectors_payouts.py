"""Reads of periods, settlements and payouts: each takes the actor.

Payout runs are the vendor's: finance and the vendor's administrators read every run; a partner manager
reads the runs holding a payout of one of its partners, and only those payouts; partners and everyone else
get 404. A partner reads its own payouts (``partner_payouts``)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from partnerhub.core.tenancy import actor_for
from partnerhub.identity.models import Organisation, User
from partnerhub.identity.roles import Role

from .models import Account, JournalEntry, LedgerLine, PayoutItem, PayoutRun
from .periods import month_end, parse_month
from .selectors import require_earnings_reader

FINANCE = {Role.VENDOR_ADMIN, Role.FINANCE}


def require_finance_reader(actor: User) -> None:
    """Finance and the vendor's administrators; other vendor staff 403; anyone else 404 (not theirs to know)."""
    who = actor_for(actor)
    if who.vendor_roles & FINANCE:
        return
    if who.is_vendor_staff:
        raise PermissionDenied(_("Only the vendor's finance and administrators close periods and pay rewards."))
    raise Http404


def is_finance(actor: User) -> bool:
    return bool(actor_for(actor).vendor_roles & FINANCE)


def payout_runs(*, actor: User, status: str = "", currency: str = "") -> QuerySet[PayoutRun]:
    who = actor_for(actor)
    if not who.is_vendor_staff:
        raise Http404
    qs = PayoutRun.objects.all()
    if not who.vendor_roles & FINANCE:
        mine = PayoutItem.objects.visible_to(actor).filter(run=OuterRef("pk"))
        qs = qs.filter(Exists(mine))
    if status:
        qs = qs.filter(status=status)
    if currency:
        qs = qs.filter(currency=currency)
    return (
        qs.select_related("prepared_by", "approved_by", "paid_by")
        .annotate(item_count=Count("items"))
        .order_by("-prepared_at", "-id")
    )


def payout_run(*, actor: User, pk: int) -> PayoutRun:
    try:
        return payout_runs(actor=actor).get(pk=pk)
    except (PayoutRun.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def run_items(*, actor: User, run: PayoutRun) -> QuerySet[PayoutItem]:
    return (
        PayoutItem.objects.visible_to(actor)
        .filter(run=run)
        .select_related("organisation")
        .order_by("organisation__name", "id")
    )


def partner_payouts(*, actor: User, organisation: Organisation) -> QuerySet[PayoutItem]:
    """A partner's payouts (every run it is in, newest first): for its administrators and sales, vendor staff."""
    require_earnings_reader(actor, organisation)
    return (
        PayoutItem.objects.visible_to(actor).filter(organisation=organisation).select_related("run")
        .order_by("-run__prepared_at", "-id")
    )  # fmt: skip


def statement_settlement(*, actor: User, organisation: Organisation, period: str) -> list[dict]:
    """What the month's close moved for the partner, per currency: released to payable, put on or taken off
    hold (amounts as the partner sees them); empty while the month is open."""
    require_earnings_reader(actor, organisation)
    start = parse_month(period)
    K = JournalEntry.Kind
    rows = (
        LedgerLine.objects.visible_to(actor)
        .filter(organisation=organisation, entry__posted_on__gte=start, entry__posted_on__lte=month_end(start),
                entry__key__startswith="period:")
        .values("currency")
        .annotate(released=Sum("amount", filter=Q(entry__kind=K.RELEASE, account=Account.PAYABLE)),
                  held=Sum("amount", filter=Q(entry__kind=K.HOLD, account=Account.HELD)),
                  unheld=Sum("amount", filter=Q(entry__kind=K.UNHOLD, account=Account.HELD)))
        .order_by("currency")
    )  # fmt: skip
    return [{"currency": r["currency"], "released": -(r["released"] or 0),
             "held": -((r["held"] or 0) + (r["unheld"] or 0))} for r in rows]  # fmt: skip
