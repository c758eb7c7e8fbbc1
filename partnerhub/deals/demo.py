"""Demo deals: a protected deal, a conflict waiting for the BDM, a pending one and a direct customer.

Idempotent: nothing is created when the demo deals exist. Runs after the demo organisations
and programmes (it needs a product family to put on the deal lines).
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from partnerhub.identity.models import Organisation, User
from partnerhub.programmes.models import ProductFamily

from . import services
from .models import Claim

MARKER = "[demo]"


@transaction.atomic
def load_demo_deals() -> int:
    if Claim.objects.filter(description__startswith=MARKER).exists():
        return 0
    family = ProductFamily.objects.filter(code="software").first() or ProductFamily.objects.order_by("code").first()
    partners = {o.name: o for o in Organisation.objects.filter(kind="partner")}
    alpha, beta, gamma = (partners.get(n) for n in ("Альфа Интеграция", "Бета Софт", "Гамма Сервис"))
    if family is None or not (alpha and beta and gamma):
        return 0
    user = {u.email: u for u in User.objects.filter(email__endswith=".demo")}
    close = timezone.localdate() + timedelta(days=60)

    def line(amount: str) -> list[dict]:
        return [{"product_family": family.code, "product": family.name, "amount": amount}]

    bank = services.register_claim(
        actor=user["sales@alpha.demo"], organisation=alpha, title="Защита периметра для Северного Банка",
        customer_name="ПАО «Северный Банк»", customer_inn="1655000998", customer_domain="severny-bank.example",
        customer_region="Республика Татарстан", customer_city="Казань", lines=line("2400000.00"),
        expected_close_on=close, contact_name="Жанна Продажина", description=f"{MARKER} protected deal",
    )  # fmt: skip
    services.approve(actor=user["bdm@vendor.demo"], claim=bank, reason="Первая регистрация")
    bank.refresh_from_db()
    services.move_stage(actor=user["sales@alpha.demo"], claim=bank, stage="qualified", note="Пилот согласован")
    services.register_claim(
        actor=user["sales@beta.demo"], organisation=beta, title="Severny Bank firewall",
        customer_name="Severny Bank PJSC", customer_inn="1655000998", customer_region="Республика Татарстан",
        lines=line("1900000.00"), expected_close_on=close, description=f"{MARKER} conflict for the BDM",
    )  # fmt: skip
    services.register_claim(
        actor=user["admin@gamma.demo"], organisation=gamma, title="Рабочие места для Сибирской Логистики",
        customer_name="ООО «Сибирская Логистика»", customer_inn="5406000152", customer_region="Новосибирская область",
        customer_city="Новосибирск", lines=line("650000.00"), expected_close_on=close,
        description=f"{MARKER} awaiting approval",
    )  # fmt: skip
    services.register_direct(
        actor=user["admin@vendor.demo"], title="Прямой контракт", customer_name="АО «Уральский Завод»",
        customer_inn="6671000176", customer_region="Свердловская область", description=f"{MARKER} direct customer",
    )  # fmt: skip
    return 4
