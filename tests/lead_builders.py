"""Partners with profiles and tiers, and leads, for the leads and locator tests."""

from __future__ import annotations

from datetime import date

from partnerhub.identity.roles import Role
from partnerhub.leads import services
from partnerhub.partners.models import PartnerProfile
from partnerhub.partners.services import enrol
from partnerhub.programmes.models import Benefit, Tier

from .factories import MembershipFactory, OrganisationFactory, UserFactory
from .programme_builders import family, security_programme


def leads_programme(code="sec"):
    """The 002 programme in miniature; vendor leads for Certified (as built) and Privileged."""
    version = security_programme(code=code)
    Benefit.objects.create(tier=Tier.objects.get(version=version, code="privileged"), kind="vendor_leads", code="leads")
    family("software")
    family("hardware")
    return version


def partner(
    programme, name, *, region="Москва", city="Москва", tier="certified", competences=(), regions=(), families=(),
    listed=True, manager=None, active=True, org=None,
):  # fmt: skip
    """A partner organisation (or ``org``) with a profile, an enrolment at ``tier`` and an administrator."""
    if org is None:
        org = OrganisationFactory(name=name, region=region, city=city, website=f"https://{name.lower()}.example",
                                  partner_manager=manager)  # fmt: skip
        admin = UserFactory(email=f"admin@{name.lower()}.test")
        MembershipFactory(user=admin, organisation=org, role=Role.PARTNER_ADMIN)
    PartnerProfile.objects.update_or_create(
        organisation=org,
        defaults={"description": f"{name} integrates.", "competences": list(competences), "regions": list(regions),
                  "product_families": list(families), "listed_in_catalogue": listed},
    )  # fmt: skip
    enrol(actor=None, organisation=org, programme=programme, role_code="reseller", starting_tier_code=tier,
          joined_on=date(2026, 1, 1), active=active)  # fmt: skip
    return org


def admin_of(org):
    return org.memberships.get(role=Role.PARTNER_ADMIN).user


def lead_fields(**over) -> dict:
    fields = {
        "source": "tender", "customer_name": "ООО «Ромашка»", "email": "buyer@romashka.ru", "region": "Москва",
        "city": "Москва", "product_family": "software", "amount": "500000.00",
    }  # fmt: skip
    fields.update(over)
    return {k: v for k, v in fields.items() if v is not None}


def new_lead(actor, **over):
    return services.create_lead(actor=actor, **lead_fields(**over))
