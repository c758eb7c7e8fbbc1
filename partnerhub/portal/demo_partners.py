"""Demo partners in the shipped programmes, with sales, certified staff and obligations, so that
after one evaluation they stand in different tiers. Idempotent: partners already enrolled are
left alone.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from partnerhub.enablement import services as enablement
from partnerhub.identity.models import Organisation, User
from partnerhub.partners import obligations, services
from partnerhub.partners.models import Enrolment
from partnerhub.partners.tiers import evaluate_programme
from partnerhub.programmes.models import Programme
from partnerhub.rewards import services as rewards

# partner name -> (programme code, role, sales this year [(amount, currency, family)], certified staff, obligations)
PLAN = {
    "Альфа Интеграция": ("security-partners", "reseller", [("700000", "RUB", "software")] * 2, 2,
                         ("reviews", "monthly_reports", "vendor_info_on_site", "joint_promotion", "renewals_work")),
    "Бета Софт": ("security-partners", "reseller", [("320000", "RUB", "software"), ("250000", "RUB", "appliance")], 1,
                  ("reviews", "monthly_reports", "vendor_info_on_site")),
    "Гамма Сервис": ("security-partners", "reseller", [("180000", "RUB", "hardware")], 0,
                     ("reviews", "monthly_reports", "vendor_info_on_site")),
    "Дельта Дистрибуция": ("marketplace-vendors", "vendor", [("3200", "USD", "marketplace-services")] * 25, 0, ()),
}  # fmt: skip


@transaction.atomic
def load_demo_partners() -> int:
    finance = User.objects.filter(email="finance@vendor.demo").first()
    if finance is None:
        return 0
    today = timezone.localdate()
    start = date(today.year, 1, 1)
    enrolled = 0
    programmes = set()
    for name, (code, role, sales, certified, duties) in PLAN.items():
        org = Organisation.objects.filter(kind="partner", name=name).first()
        programme = Programme.objects.filter(code=code).first()
        if org is None or programme is None or Enrolment.objects.filter(organisation=org, programme=programme).exists():
            continue
        manager = org.partner_manager or User.objects.filter(email="admin@vendor.demo").first()
        services.enrol(actor=None, organisation=org, programme=programme, role_code=role, joined_on=start,
                       active=True)  # fmt: skip
        for n, (amount, currency, family) in enumerate(sales):
            sold_on = min(today, start + timedelta(days=3 * n))
            rewards.record_sale(actor=finance, organisation=org, customer_name=f"Клиент {n + 1}",
                                product_family=family, amount=Decimal(amount), currency=currency,
                                sold_on=sold_on, reference=f"demo-{org.pk}-{n}")  # fmt: skip
        for n in range(certified):
            s = enablement.specialist_create(actor=manager, organisation=org, full_name=f"Инженер {n + 1} ({name})")
            enablement.certification_add(actor=manager, specialist=s, type_code="security-engineer",
                                         issued_on=start, expires_on=start + timedelta(days=730))  # fmt: skip
        for duty in duties:
            record = obligations.submit_evidence(actor=manager, organisation=org, obligation=duty, valid_from=start,
                                                 note="Подтверждено менеджером (демо)")  # fmt: skip
            if record.status != record.Status.ACCEPTED:
                obligations.review(actor=manager, record=record, accept=True)
        programmes.add(programme)
        enrolled += 1
    for programme in programmes:
        evaluate_programme(programme=programme, on=today)
    return enrolled
