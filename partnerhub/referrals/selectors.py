"""Reads of the referrals context, scoped to the acting user.

Statistics count clicks that are neither bots nor repeats, sign-ups and purchases credited to
the partner (or waiting for review) and rewards of credited purchases, per currency.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.core.money import quantize
from partnerhub.core.tenancy import actor_for
from partnerhub.identity.models import Organisation, User
from partnerhub.identity.roles import OrgKind

from .models import Conversion, ReferralClick, ReferralLink

COUNTED_CONVERSIONS = (Conversion.Status.ATTRIBUTED, Conversion.Status.HELD)
INTERVALS = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}


def links(*, actor: User, organisation: Organisation, active: bool | None = None) -> QuerySet[ReferralLink]:
    qs = ReferralLink.objects.visible_to(actor).filter(organisation=organisation).select_related("organisation")
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs


def link(*, actor: User, pk: int) -> ReferralLink:
    return ReferralLink.objects.select_related("organisation", "created_by").get_visible_or_404(actor, pk=pk)


def conversions(
    *, actor: User, organisation: Organisation | None = None, kind: str = "", link_id: int | None = None
) -> QuerySet[Conversion]:
    qs = Conversion.objects.visible_to(actor).select_related(
        "organisation", "customer", "attribution__link", "product_family", "version"
    )
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    if kind:
        qs = qs.filter(kind=kind)
    if link_id:
        qs = qs.filter(attribution__link_id=link_id)
    return qs


# ---------------------------------------------------------------------------- statistics


@dataclass
class Period:
    since: date
    until: date  # inclusive

    @classmethod
    def of(cls, since: date | None = None, until: date | None = None) -> Period:
        until = until or timezone.localdate()
        return cls(since=since or until - timedelta(days=29), until=until)

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.since, time.min))

    @property
    def end(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.until + timedelta(days=1), time.min))


@dataclass
class Stats:
    clicks: int = 0
    signups: int = 0
    purchases: int = 0
    rewards: dict[str, Decimal] = field(default_factory=dict)

    @property
    def conversion_rate(self) -> Decimal | None:
        """Sign-ups per hundred counted clicks (None without clicks)."""
        if not self.clicks:
            return None
        return (Decimal(self.signups * 100) / Decimal(self.clicks)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def reward_list(self) -> list[dict]:
        return [{"currency": c, "amount": a} for c, a in sorted(self.rewards.items())]

    def add(self, other: Stats) -> None:
        self.clicks += other.clicks
        self.signups += other.signups
        self.purchases += other.purchases
        for currency, amount in other.rewards.items():
            self.rewards[currency] = self.rewards.get(currency, Decimal(0)) + amount


def _counted_clicks(actor: User) -> QuerySet[ReferralClick]:
    return ReferralClick.objects.visible_to(actor).filter(is_bot=False, is_duplicate=False)


def stats_by_link(*, actor: User, organisation: Organisation, period: Period) -> tuple[dict[int | None, Stats], Stats]:
    """Per link (None: conversions without a link) and in total, for one period."""
    per: dict[int | None, Stats] = defaultdict(Stats)
    clicks = (
        _counted_clicks(actor)
        .filter(link__organisation=organisation, at__gte=period.start, at__lt=period.end)
        .values("link_id")
        .annotate(n=Count("id"))
    )
    for row in clicks:
        per[row["link_id"]].clicks = row["n"]
    conv = conversions(actor=actor, organisation=organisation).filter(
        occurred_on__gte=period.since, occurred_on__lte=period.until
    )
    counted = conv.filter(status__in=COUNTED_CONVERSIONS).values("attribution__link_id", "kind").annotate(n=Count("id"))
    for row in counted.order_by():
        s = per[row["attribution__link_id"]]
        if row["kind"] == Conversion.Kind.SIGNUP:
            s.signups = row["n"]
        else:
            s.purchases = row["n"]
    rewards = (
        conv.filter(kind=Conversion.Kind.PURCHASE, status=Conversion.Status.ATTRIBUTED)
        .values("attribution__link_id", "currency")
        .annotate(total=Sum("reward_amount"))
        .order_by()
    )
    for row in rewards:
        per[row["attribution__link_id"]].rewards[row["currency"]] = quantize(row["total"])
    total = Stats()
    for s in per.values():
        total.add(s)
    return dict(per), total


def link_stats(*, actor: User, link: ReferralLink, period: Period) -> Stats:
    per, _total = stats_by_link(actor=actor, organisation=link.organisation, period=period)
    return per.get(link.pk, Stats())


def series(
    *, actor: User, organisation: Organisation, period: Period, interval: str = "day", link_id: int | None = None
) -> list[dict]:
    """Clicks, sign-ups and purchases per day, week or month of the period."""
    trunc = INTERVALS.get(interval, TruncDay)
    clicks = _counted_clicks(actor).filter(link__organisation=organisation, at__gte=period.start, at__lt=period.end)
    conv = conversions(actor=actor, organisation=organisation).filter(
        status__in=COUNTED_CONVERSIONS, occurred_on__gte=period.since, occurred_on__lte=period.until
    )
    if link_id:
        clicks, conv = clicks.filter(link_id=link_id), conv.filter(attribution__link_id=link_id)
    rows: dict[date, dict] = {}

    def row(day) -> dict:
        key = day.date() if isinstance(day, datetime) else day
        return rows.setdefault(key, {"period": key, "clicks": 0, "signups": 0, "purchases": 0})

    tz = timezone.get_current_timezone()
    for r in clicks.annotate(p=trunc("at", tzinfo=tz)).values("p").annotate(n=Count("id")).order_by():
        row(r["p"])["clicks"] = r["n"]
    for r in conv.annotate(p=trunc("occurred_on")).values("p", "kind").annotate(n=Count("id")).order_by():
        row(r["p"])["signups" if r["kind"] == Conversion.Kind.SIGNUP else "purchases"] = r["n"]
    return [rows[k] for k in sorted(rows)]


# ---------------------------------------------------------------------------- the vendor's traffic report


@dataclass
class TrafficRow:
    organisation: Organisation
    clicks: int
    previous_clicks: int
    signups: int
    purchases: int
    active_links: int

    @property
    def change_percent(self) -> Decimal | None:
        if not self.previous_clicks:
            return None
        change = Decimal((self.clicks - self.previous_clicks) * 100) / Decimal(self.previous_clicks)
        return change.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    def falling(self, threshold: int) -> bool:
        change = self.change_percent
        return change is not None and -change > threshold


@dataclass
class TrafficReport:
    period_days: int
    threshold: int
    current_since: date
    previous_since: date
    rows: list[TrafficRow]

    @property
    def falling(self) -> list[TrafficRow]:
        return [r for r in self.rows if r.falling(self.threshold)]


def traffic(*, actor: User, threshold: int | None = None, now: datetime | None = None) -> TrafficReport:
    """Every visible partner with referral links: clicks of the last period against the one before."""
    if not actor_for(actor).is_vendor_staff:
        raise PermissionDenied(_("The referral traffic report is for the vendor's staff."))
    threshold = settings.REFERRAL_FALLING_THRESHOLD_PERCENT if threshold is None else threshold
    days = settings.REFERRAL_TRAFFIC_PERIOD_DAYS
    now = now or timezone.now()
    current_start, previous_start = now - timedelta(days=days), now - timedelta(days=2 * days)
    partners = Organisation.objects.visible_to(actor).filter(
        kind=OrgKind.PARTNER, pk__in=ReferralLink.objects.values("organisation_id")
    )
    counted = Q(referral_links__clicks__is_bot=False, referral_links__clicks__is_duplicate=False)
    rows = {
        o.pk: o
        for o in partners.annotate(
            current=Count(
                "referral_links__clicks",
                filter=counted & Q(referral_links__clicks__at__gt=current_start, referral_links__clicks__at__lte=now),
            ),
            previous=Count(
                "referral_links__clicks",
                filter=counted
                & Q(referral_links__clicks__at__gt=previous_start, referral_links__clicks__at__lte=current_start),
            ),
        ).order_by("name", "id")
    }
    active_links = dict(
        ReferralLink.objects.filter(organisation_id__in=rows, is_active=True)
        .values("organisation_id")
        .annotate(n=Count("id"))
        .values_list("organisation_id", "n")
    )
    conv: dict[tuple[int, str], int] = {
        (r["organisation_id"], r["kind"]): r["n"]
        for r in Conversion.objects.filter(
            organisation_id__in=rows, status__in=COUNTED_CONVERSIONS, occurred_on__gt=timezone.localdate(current_start)
        )
        .values("organisation_id", "kind")
        .annotate(n=Count("id"))
        .order_by()
    }
    report_rows = [
        TrafficRow(
            organisation=o,
            clicks=o.current,
            previous_clicks=o.previous,
            active_links=active_links.get(pk, 0),
            signups=conv.get((pk, Conversion.Kind.SIGNUP), 0),
            purchases=conv.get((pk, Conversion.Kind.PURCHASE), 0),
        )
        for pk, o in rows.items()
    ]
    return TrafficReport(
        period_days=days,
        threshold=threshold,
        current_since=timezone.localdate(current_start),
        previous_since=timezone.localdate(previous_start),
        rows=report_rows,
    )
