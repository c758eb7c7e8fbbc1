"""Demo incentives: a sales contest running this month, this year's SPIF for Privileged partners, and the
last finished quarter's rebates posted. Idempotent: each part looks for its own marker first."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from partnerhub.identity.models import User
from partnerhub.programmes.models import Programme

from . import services
from .models import Incentive, Rebate

PROGRAMME = "security-partners"
CONTEST = "Гонка продаж месяца"
SPIF = "Годовой SPIF для Privileged"


@transaction.atomic
def load_demo_incentives(today: date | None = None) -> int:
    today = today or timezone.localdate()
    admin = User.objects.filter(email="admin@vendor.demo").first()
    finance = User.objects.filter(email="finance@vendor.demo").first()
    if admin is None or finance is None or not Programme.objects.filter(code=PROGRAMME).exists():
        return 0
    made = 0
    if not Incentive.objects.filter(name=CONTEST).exists():
        services.save_incentive(
            actor=admin, kind="contest", name=CONTEST, name_en="Sales race of the month", programme=PROGRAMME,
            description="Три лучших партнёра по объёму продаж за месяц получают призы.", metric="sales_volume",
            currency="RUB", starts_on=today.replace(day=1), ends_on=today.replace(day=1) + timedelta(days=40),
            prizes=[{"rank": 1, "amount": "150000", "label": "Первое место"},
                    {"rank": 2, "amount": "75000", "label": "Второе место"},
                    {"rank": 3, "amount": "30000", "label": "Третье место"}],
        )  # fmt: skip
        made += 1
    if not Incentive.objects.filter(name=SPIF).exists():
        services.save_incentive(
            actor=admin, kind="spif", name=SPIF, name_en="Annual SPIF for Privileged partners", programme=PROGRAMME,
            description="3% от годового объёма продаж каждому партнёру Privileged, продавшему на 1,5 млн ₽.",
            metric="sales_volume", currency="RUB", starts_on=date(today.year, 1, 1), ends_on=date(today.year, 12, 31),
            tiers=["privileged"], target="1500000", bonus_kind="percent", bonus_percent="3", show_amounts=True,
        )  # fmt: skip
        made += 1
    last_quarter_end = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1) - timedelta(days=1)
    year, quarter = last_quarter_end.year, (last_quarter_end.month + 2) // 3
    if not Rebate.objects.filter(year=year, quarter=quarter).exists():
        made += len(services.post_quarterly_rebates(actor=finance, year=year, quarter=quarter))
    return made
