"""Build small programmes directly with the ORM for engine tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from partnerhub.enablement.models import Certification, CertificationType, Specialist
from partnerhub.programmes.models import (
    Benefit,
    ProductFamily,
    Programme,
    ProgrammeRole,
    ProgrammeVersion,
    Requirement,
    RewardRate,
    Tier,
)
from partnerhub.rewards.models import Sale


def family(code="software") -> ProductFamily:
    return ProductFamily.objects.get_or_create(code=code, defaults={"name": code.title()})[0]


def security_programme(
    *, code="sec", effective_from=date(2026, 1, 1), certified_threshold=Decimal("500000"), number=1, programme=None
) -> ProgrammeVersion:
    """The 002 structure in miniature: Authorized / Certified / Privileged."""
    programme = programme or Programme.objects.create(code=code, name="Security partners")
    v = ProgrammeVersion.objects.create(
        programme=programme, number=number, status="published", effective_from=effective_from, name=programme.name,
        currency="RUB", evaluation_period="calendar_year", downgrade_grace_days=30,
    )  # fmt: skip
    ProgrammeRole.objects.create(version=v, code="reseller", name="Reseller", kind="resale", has_tiers=True)
    ProgrammeRole.objects.create(version=v, code="agent", name="Agent", kind="agency", has_tiers=False)
    CertificationType.objects.get_or_create(code="tech", defaults={"name": "Technical specialist"})
    sw = family()
    tiers = {}
    for rank, (tcode, name) in enumerate([("authorized", "Authorized"), ("certified", "Certified"),
                                          ("privileged", "Privileged")], start=1):  # fmt: skip
        tiers[tcode] = Tier.objects.create(version=v, code=tcode, name=name, rank=rank)
        Requirement.objects.create(
            tier=tiers[tcode], code="contract", obligation="signed_contract", checked_by="manager"
        )
        RewardRate.objects.create(tier=tiers[tcode], product_family=sw, sale_type="new", percent=[25, 30, 35][rank - 1])
    Requirement.objects.create(
        tier=tiers["authorized"], code="reports", obligation="monthly_reports", checked_by="evidence",
        condition="if_had_sales",
    )  # fmt: skip
    for tcode, threshold in [("certified", certified_threshold), ("privileged", Decimal("1000000"))]:
        Requirement.objects.create(tier=tiers[tcode], code="sales", metric="sales_volume", threshold=threshold,
                                   currency="RUB", period="calendar_year")  # fmt: skip
        Requirement.objects.create(tier=tiers[tcode], code="staff", metric="certified_staff", threshold=1,
                                   certification="tech")  # fmt: skip
    Requirement.objects.create(tier=tiers["privileged"], code="promo", obligation="joint_promotion",
                               checked_by="manager")  # fmt: skip
    Benefit.objects.create(tier=tiers["privileged"], kind="payment_deferral", code="deferral", days=30)
    Benefit.objects.create(tier=tiers["certified"], kind="vendor_leads", code="leads")
    return v


def sell(org, amount, on, *, currency="RUB", family_code="software", ref=""):
    return Sale.objects.create(
        organisation=org, customer_name="Customer", product_family=family(family_code), amount=Decimal(amount),
        currency=currency, sold_on=on, external_ref=ref,
    )  # fmt: skip


def certify(org, *, issued=date(2025, 6, 1), expires=None, type_code="tech", name="Engineer"):
    ctype = CertificationType.objects.get_or_create(code=type_code, defaults={"name": type_code})[0]
    spec = Specialist.objects.create(organisation=org, full_name=name)
    return Certification.objects.create(specialist=spec, type=ctype, issued_on=issued, expires_on=expires)
