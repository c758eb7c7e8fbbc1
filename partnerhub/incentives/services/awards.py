"""Awarding a finished contest or SPIF: prizes to the top ranks, bonuses to those over the target, posted to
the ledger (kind ``incentive``), one :class:`Award` per partner. Awarded twice, it pays once: the incentive row
is locked and ``awarded_at`` is set in the same transaction; the entries' keys and ``Award``'s unique
(incentive, partner) are the database's guarantee."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.core import audit
from partnerhub.core.money import quantize
from partnerhub.core.problems import Conflict
from partnerhub.identity.models import Organisation, User
from partnerhub.rewards.models import JournalEntry
from partnerhub.rewards.services.ledger import Posting, post_many, require_finance

from .. import standings
from ..models import Award, Incentive
from .common import notify_partner


def winners(incentive: Incentive) -> list[dict]:
    """Who would be paid what: ``{organisation_id, rank, figure, amount, currency}`` per winner."""
    out = []
    rows = list(standings.ranked(incentive))
    if incentive.kind == Incentive.Kind.CONTEST:
        prizes = {p.rank: p for p in incentive.prizes.all()}
        for row in rows:
            prize = prizes.get(row["rank"])
            if prize is not None:
                out.append({"organisation_id": row["organisation_id"], "rank": row["rank"],
                            "figure": standings.as_decimal(row["figure"]), "amount": prize.amount,
                            "currency": prize.currency})  # fmt: skip
        return out
    for row in rows:
        figure = standings.as_decimal(row["figure"])
        if incentive.target is None or figure < incentive.target:
            continue
        if incentive.bonus_kind == Incentive.BonusKind.PERCENT:
            amount = quantize(figure * incentive.bonus_percent / 100)
        else:
            amount = incentive.bonus_amount
        if amount and amount > 0:
            out.append({"organisation_id": row["organisation_id"], "rank": row["rank"], "figure": figure,
                        "amount": amount, "currency": incentive.currency})  # fmt: skip
    return out


@transaction.atomic
def award_incentive(*, actor: User, incentive: Incentive) -> list[Award]:
    """Finance: pay a finished incentive's winners. Returns the awards (the existing ones when already paid)."""
    require_finance(actor)
    incentive = Incentive.objects.select_for_update().get(pk=incentive.pk)
    if incentive.awarded_at is not None:
        return list(incentive.awards.order_by("rank", "organisation_id"))
    if incentive.ends_on >= timezone.localdate():
        raise Conflict(_("The incentive runs until %(date)s; award it once it has ended.")
                       % {"date": incentive.ends_on.isoformat()})  # fmt: skip
    paid = winners(incentive)
    entries = post_many(
        kind=JournalEntry.Kind.INCENTIVE, key_prefix=f"incentive:{incentive.pk}", actor=actor,
        postings=[Posting(w["organisation_id"], w["currency"], w["amount"]) for w in paid],
        memo=_("%(name)s: prize or bonus") % {"name": incentive.name},
    )  # fmt: skip
    awards = Award.objects.bulk_create([
        Award(incentive=incentive, organisation_id=w["organisation_id"], rank=w["rank"], figure=w["figure"],
              amount=w["amount"], currency=w["currency"], entry=entries[(w["organisation_id"], w["currency"])])
        for w in paid
    ])  # fmt: skip
    incentive.awarded_at = timezone.now()
    incentive.awarded_by = actor if getattr(actor, "is_authenticated", False) else None
    incentive.save(update_fields=["awarded_at", "awarded_by"])
    audit.record(actor=actor, action="incentive.awarded", obj=incentive,
                 after={"winners": [[w["organisation_id"], w["rank"], str(w["amount"]), w["currency"]]
                                    for w in paid]})  # fmt: skip
    names = Organisation.objects.in_bulk([w["organisation_id"] for w in paid])
    url = reverse("incentive-detail", args=[incentive.pk])
    for w in paid:
        org = names[w["organisation_id"]]
        audit.record(actor=actor, action="incentive.award_posted", obj=incentive, organisation=org,
                     after={"rank": w["rank"], "figure": w["figure"], "amount": w["amount"],
                            "currency": w["currency"]})  # fmt: skip
        notify_partner(organisation=org, url=url,
                       title=_("You won in “%(name)s”") % {"name": incentive.name},
                       body=_("%(amount)s %(currency)s is added to your accrued rewards.")
                       % {"amount": w["amount"], "currency": w["currency"]})  # fmt: skip
    return awards
