"""Demo partners in the shipped programmes, with sales, certified staff and obligations, so that
after one evaluation they stand in different tiers, and a multi-level network: a reseller attached to a
distributor and recruited by another partner. Idempotent: partners already enrolled, and links already
set, are left alone.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from partnerhub.enablement import services as enablement
from partnerhub.identity.models import Organisation, User
from partnerhub.partners import network as services_network
from partnerhub.partners import obligations, services
from partnerhub.partners.models import Enrolment
from partnerhub.partners.tiers import evaluate_programme
from partnerhub.programmes.models import Programme
from partnerhub.programmes.selectors import version_in_force
from partnerhub.rewards import services as rewards
from partnerhub.rewards.models import Sale

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


def _entry_tier(programme: Programme, role: str, on: date) -> str | None:
    """The tier a partner starts in (rank 1), for a role that carries tiers: its sales from the first day rate at
    that tier until an evaluation moves it."""
    version = version_in_force(programme=programme, on=on)
    if version is None or not version.roles.filter(code=role, has_tiers=True).exists():
        return None
    entry = version.tiers.order_by("rank").first()
    return entry.code if entry else None


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
                       starting_tier_code=_entry_tier(programme, role, start), active=True)  # fmt: skip
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


# reseller -> (its distributor, its recruiter), in the 002 programme; both links from the start of the year
NETWORK = {"Гамма Сервис": ("Альфа Интеграция", "Бета Софт")}


@transaction.atomic
def load_demo_network() -> int:
    """Attach the demo's reseller to its distributor and name its recruiter, then rate the overrides its sales
    give them (the demo's 002 version pays both: ``programmes.services.DEMO_REWARDS``). Returns the new lines."""
    admin = User.objects.filter(email="admin@vendor.demo").first()
    if admin is None:
        return 0
    start = date(timezone.localdate().year, 1, 1)
    sale_ids: list[int] = []
    for name, (distributor, recruiter) in NETWORK.items():
        e = Enrolment.objects.select_related("organisation", "programme").filter(
            organisation__name=name, programme__code="security-partners").first()  # fmt: skip
        orgs = {o.name: o for o in Organisation.objects.filter(kind="partner", name__in=(distributor, recruiter))}
        if e is None or len(orgs) < 2:
            continue
        if e.distributor_id is None and e.recruited_by_id is None:
            services_network.set_network(actor=admin, enrolment=e, distributor=orgs[distributor],
                                         distributor_since=start, recruited_by=orgs[recruiter], recruited_on=start,
                                         reason="Договор дистрибуции (демо)")  # fmt: skip
        sale_ids += list(Sale.objects.filter(organisation=e.organisation).values_list("pk", flat=True))
    return rewards.rate_pending(sale_ids=sale_ids).network if sale_ids else 0
