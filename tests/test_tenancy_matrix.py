"""Tenants are sealed: generated checks over every API operation and every UI page.

Every API operation and UI route that takes an object id must appear in the matrices
below (or be exempt with a reason); a new endpoint without a tenancy case fails
``test_every_*_is_covered``. For each case, users outside the owning tenant get 404,
never 403, and nothing changes; the owner still gets through.
"""

import pytest

from config.api import api as ninja_api
from partnerhub.core.models import AuditEntry
from partnerhub.identity import services
from partnerhub.identity.models import Invitation, Membership
from tests import tenancy_enablement as enablement
from tests import tenancy_library as library
from tests.conftest import FormData
from tests.tenancy_benefits import API_MATRIX as BENEFITS_MATRIX
from tests.tenancy_benefits import benefits_b
from tests.tenancy_funds import API_MATRIX as FUNDS_MATRIX
from tests.tenancy_funds import funds_b
from tests.tenancy_incentives import API_MATRIX as INCENTIVES_MATRIX
from tests.tenancy_incentives import incentives_b
from tests.tenancy_marketplace import API_EXEMPT as MARKETPLACE_EXEMPT
from tests.tenancy_marketplace import API_MATRIX as MARKETPLACE_MATRIX
from tests.tenancy_marketplace import marketplace_b
from tests.tenancy_orders import API_EXEMPT as ORDERS_EXEMPT
from tests.tenancy_orders import API_MATRIX as ORDERS_MATRIX
from tests.tenancy_orders import orders_b
from tests.tenancy_programmes import API_MATRIX as PROGRAMMES_MATRIX
from tests.tenancy_rewards_network import API_MATRIX as REWARDS_NETWORK_MATRIX
from tests.tenancy_support import API_MATRIX as SUPPORT_MATRIX
from tests.tenancy_support import support_b

pytestmark = pytest.mark.django_db


def b_objects(world):
    """Partner B's objects, addressed by id."""
    inv, _key = services.invitation_create(
        actor=world.b_admin, organisation=world.partner_b, email="pending@b.test", role="sales"
    )
    token, _raw = services.token_create(actor=world.b_admin, name="b's token")
    entry = AuditEntry.objects.filter(organisation=world.partner_b).exclude(actor=None).first()
    enrolment = _enrol_b(world)
    cert = _certify_b(world)
    evidence = _evidence_b(world)
    return {
        "org": world.partner_b.pk,
        "org_a": world.partner_a.pk,
        "member": Membership.objects.get(user=world.b_admin).pk,
        "invitation": inv.pk,
        "token": token.pk,
        "audit": entry.pk,
        "enrolment": enrolment.pk,
        "specialist": cert.specialist_id,
        "certification": cert.pk,
        "evidence": evidence.pk,
        "notification": _notify_b(world).pk,
        "application": _application_b(world, enrolment).pk,
        "programme": enrolment.programme.code,
        **_webhooks_b(world),
        **_deals_b(world),
        **_referrals_b(world),
        **_leads_b(world, enrolment),
        **_rewards_b(world),
        **marketplace_b(world),
        **enablement.enablement_b(world),
        **library.library_b(world),
        **incentives_b(world, enrolment),
        **funds_b(world),
        **support_b(world),
        **benefits_b(world),
        **orders_b(world),
    }


def _leads_b(world, enrolment):
    """A lead offered to B (the only partner whose tier receives vendor leads in B's programme)."""
    from partnerhub.leads import services as leads
    from partnerhub.programmes.models import Benefit, Tier
    from partnerhub.programmes.selectors import version_in_force

    version = version_in_force(programme=enrolment.programme, on=enrolment.joined_on)
    Benefit.objects.create(tier=Tier.objects.get(version=version, code="authorized"), kind="vendor_leads", code="l")
    lead = leads.create_lead(actor=world.vendor_admin, source="tender", customer_name="ООО Тендер",
                             email="buyer@tender.example", region="Санкт-Петербург")  # fmt: skip
    offer = lead.offers.get(organisation=world.partner_b)
    return {"lead": lead.pk, "lead_offer": offer.pk}


def _rewards_b(world):
    """A sale of B (rated or waiting: its rewards pages and corrections are B's)."""
    from partnerhub.programmes.models import ProductFamily
    from partnerhub.rewards.models import Sale

    fam = ProductFamily.objects.get_or_create(code="software", defaults={"name": "Software"})[0]
    from datetime import date

    sale = Sale.objects.create(organisation=world.partner_b, customer_name="ООО Б", product_family=fam,
                               amount=1000, currency="RUB", sold_on=date(2026, 3, 10))  # fmt: skip
    from .reward_builders import approved_payout_run

    return {"sale": sale.pk, "payout_run": approved_payout_run(world, world.partner_b)}


def _referrals_b(world):
    """A referral link of B."""
    from partnerhub.referrals.models import ReferralLink

    link = ReferralLink.objects.create(organisation=world.partner_b, code="bmatrix1", target="/pricing/")
    return {"referral_link": link.pk}


def _deals_b(world):
    """A protected deal of B with a pending extension, and a held one with a conflict."""
    from partnerhub.deals import services as deals

    from .deal_builders import register
    from .factories import valid_inn

    protected = deals.approve(actor=world.bdm_b, claim=register(world.b_admin, world.partner_b))
    ext = deals.request_extension(actor=world.b_admin, claim=protected, reason="tender moved")
    deals.register_direct(actor=world.vendor_admin, customer_name="ООО Прямой", customer_inn=valid_inn(8800))
    held = register(world.b_admin, world.partner_b, customer_name="Прямой", customer_inn=valid_inn(8800))
    return {"deal": protected.pk, "held_deal": held.pk, "conflict": held.conflicts.get().pk, "extension": ext.pk}


def _webhooks_b(world):
    """A webhook endpoint of B and one delivery to it (not sent: the test transaction never commits)."""
    from partnerhub.webhooks import services as webhooks

    endpoint, _secret = webhooks.endpoint_create(actor=world.b_admin, organisation=world.partner_b,
                                                 url="https://hooks.b.example/in", event_types=["*"])  # fmt: skip
    [delivery] = webhooks.publish_event(event_type="deal.registered", organisation_ids=[world.partner_b.pk],
                                        payload={"deal": 1})  # fmt: skip
    return {"webhook": endpoint.pk, "webhook_delivery": delivery.pk}


def _application_b(world, enrolment):
    from partnerhub.partners.models import Application

    b = world.partner_b
    return Application.objects.create(
        programme=enrolment.programme, role_code="reseller", status="approved", company_name=b.name, inn=b.inn,
        kpp=b.kpp, region=b.region, contact_name="B", contact_email="admin@b.test", organisation=b,
    )  # fmt: skip


def _notify_b(world):
    from partnerhub.core.models import Notification

    return Notification.objects.create(user=world.b_admin, organisation=world.partner_b, kind="x", title="for B")


def _evidence_b(world):
    from datetime import date

    from partnerhub.partners.models import ObligationRecord

    return ObligationRecord.objects.create(organisation=world.partner_b, obligation="reviews", note="b's reviews",
                                           valid_from=date(2026, 1, 1), submitted_by=world.b_admin)  # fmt: skip


def _certify_b(world):
    from .programme_builders import certify

    return certify(world.partner_b)


def _enrol_b(world):
    from datetime import date

    from partnerhub.partners.services import enrol

    from .programme_builders import security_programme

    programme = security_programme(code="matrix").programme
    return enrol(actor=None, organisation=world.partner_b, programme=programme, role_code="reseller",
                 joined_on=date(2026, 1, 1), starting_tier_code="authorized", active=True)  # fmt: skip


# (method, OpenAPI path) -> (path with B's ids, JSON body)
API_MATRIX = {
    ("get", "/api/v1/applications/{application_id}"): lambda o: (f"/applications/{o['application']}", None),
    ("post", "/api/v1/applications/{application_id}/approve"): lambda o: (
        f"/applications/{o['application']}/approve",
        {"partner_manager_id": 1, "starting_tier_code": "authorized"},
    ),
    ("post", "/api/v1/applications/{application_id}/reject"): lambda o: (
        f"/applications/{o['application']}/reject",
        {"reason": "x"},
    ),
    ("post", "/api/v1/notifications/{notification_id}/read"): lambda o: (
        f"/notifications/{o['notification']}/read",
        None,
    ),
    ("post", "/api/v1/organisations/{org_id}/sales"): lambda o: (
        f"/organisations/{o['org']}/sales",
        {
            "customer_name": "X",
            "product_family": "software",
            "amount": "1.00",
            "currency": "RUB",
            "sold_on": "2026-01-01",
        },
    ),
    ("get", "/api/v1/organisations/{org_id}/price-list.xlsx"): lambda o: (
        f"/organisations/{o['org']}/price-list.xlsx",
        None,
    ),
    ("get", "/api/v1/organisations/{org_id}/earnings"): lambda o: (f"/organisations/{o['org']}/earnings", None),
    ("get", "/api/v1/organisations/{org_id}/statements/{period}"): lambda o: (
        f"/organisations/{o['org']}/statements/2026-03",
        None,
    ),
    ("get", "/api/v1/organisations/{org_id}/statements/{period}/lines"): lambda o: (
        f"/organisations/{o['org']}/statements/2026-03/lines",
        None,
    ),
    ("get", "/api/v1/organisations/{org_id}/statements/{period}/csv"): lambda o: (
        f"/organisations/{o['org']}/statements/2026-03/csv",
        None,
    ),
    ("get", "/api/v1/organisations/{org_id}/ledger"): lambda o: (f"/organisations/{o['org']}/ledger", None),
    ("get", "/api/v1/organisations/{org_id}/statements/{period}/pdf"): lambda o: (
        f"/organisations/{o['org']}/statements/2026-03/pdf",
        None,
    ),
    ("get", "/api/v1/organisations/{org_id}/payouts"): lambda o: (f"/organisations/{o['org']}/payouts", None),
    ("get", "/api/v1/rewards/payout-runs/{run_id}"): lambda o: (f"/rewards/payout-runs/{o['payout_run']}", None),
    ("get", "/api/v1/rewards/payout-runs/{run_id}/items"): lambda o: (
        f"/rewards/payout-runs/{o['payout_run']}/items",
        None,
    ),
    ("get", "/api/v1/rewards/payout-runs/{run_id}/csv"): lambda o: (
        f"/rewards/payout-runs/{o['payout_run']}/csv",
        None,
    ),
    ("get", "/api/v1/rewards/payout-runs/{run_id}/1c"): lambda o: (f"/rewards/payout-runs/{o['payout_run']}/1c", None),
    ("post", "/api/v1/rewards/payout-runs/{run_id}/approve"): lambda o: (
        f"/rewards/payout-runs/{o['payout_run']}/approve",
        None,
    ),
    ("post", "/api/v1/rewards/payout-runs/{run_id}/cancel"): lambda o: (
        f"/rewards/payout-runs/{o['payout_run']}/cancel",
        {"reason": "x"},
    ),
    ("post", "/api/v1/rewards/payout-runs/{run_id}/pay"): lambda o: (
        f"/rewards/payout-runs/{o['payout_run']}/pay",
        None,
    ),
    ("post", "/api/v1/organisations/{org_id}/ledger"): lambda o: (
        f"/organisations/{o['org']}/ledger",
        {"kind": "adjustment", "currency": "RUB", "amount": "1.00", "reason": "x"},
    ),
    ("post", "/api/v1/sales/{sale_id}/correct"): lambda o: (
        f"/sales/{o['sale']}/correct",
        {"amount": "2.00", "reason": "x"},
    ),
    ("post", "/api/v1/sales/{sale_id}/paid"): lambda o: (f"/sales/{o['sale']}/paid", {"paid_on": "2026-03-15"}),
    ("post", "/api/v1/sales/{sale_id}/end"): lambda o: (
        f"/sales/{o['sale']}/end",
        {"status": "cancelled", "reason": "x"},
    ),
    ("post", "/api/v1/organisations/{org_id}/obligations"): lambda o: (
        f"/organisations/{o['org']}/obligations",
        {"obligation": "reviews", "valid_from": "2026-01-01", "note": "x"},
    ),
    ("post", "/api/v1/obligations/{record_id}/review"): lambda o: (
        f"/obligations/{o['evidence']}/review",
        {"accept": True},
    ),
    ("get", "/api/v1/organisations/{org_id}/specialists"): lambda o: (f"/organisations/{o['org']}/specialists", None),
    ("post", "/api/v1/organisations/{org_id}/specialists"): lambda o: (
        f"/organisations/{o['org']}/specialists",
        {"full_name": "Intruder"},
    ),
    ("patch", "/api/v1/specialists/{specialist_id}"): lambda o: (f"/specialists/{o['specialist']}", {"full_name": "X"}),
    ("post", "/api/v1/specialists/{specialist_id}/certifications"): lambda o: (
        f"/specialists/{o['specialist']}/certifications",
        {"type_code": "tech", "issued_on": "2026-01-01"},
    ),
    ("delete", "/api/v1/certifications/{certification_id}"): lambda o: (f"/certifications/{o['certification']}", None),
    ("get", "/api/v1/enrolments/{enrolment_id}"): lambda o: (f"/enrolments/{o['enrolment']}", None),
    ("get", "/api/v1/enrolments/{enrolment_id}/evaluation"): lambda o: (
        f"/enrolments/{o['enrolment']}/evaluation",
        None,
    ),
    ("get", "/api/v1/enrolments/{enrolment_id}/history"): lambda o: (f"/enrolments/{o['enrolment']}/history", None),
    ("get", "/api/v1/enrolments/{enrolment_id}/needs"): lambda o: (f"/enrolments/{o['enrolment']}/needs", None),
    ("post", "/api/v1/enrolments/{enrolment_id}/what-if"): lambda o: (
        f"/enrolments/{o['enrolment']}/what-if",
        {"sales": "1000000", "certified": 1},
    ),
    ("post", "/api/v1/enrolments/{enrolment_id}/evaluate"): lambda o: (f"/enrolments/{o['enrolment']}/evaluate", None),
    ("post", "/api/v1/enrolments/{enrolment_id}/override"): lambda o: (
        f"/enrolments/{o['enrolment']}/override",
        {"tier_code": "privileged", "until": "2099-01-01", "reason": "x"},
    ),
    ("post", "/api/v1/enrolments/{enrolment_id}/override/end"): lambda o: (
        f"/enrolments/{o['enrolment']}/override/end",
        None,
    ),
    ("get", "/api/v1/organisations/{org_id}"): lambda o: (f"/organisations/{o['org']}", None),
    ("patch", "/api/v1/organisations/{org_id}"): lambda o: (f"/organisations/{o['org']}", {"city": "X"}),
    ("get", "/api/v1/organisations/{org_id}/members"): lambda o: (f"/organisations/{o['org']}/members", None),
    ("patch", "/api/v1/organisations/{org_id}/members/{member_id}"): lambda o: (
        f"/organisations/{o['org']}/members/{o['member']}",
        {"role": "sales"},
    ),
    ("delete", "/api/v1/organisations/{org_id}/members/{member_id}"): lambda o: (
        f"/organisations/{o['org']}/members/{o['member']}",
        None,
    ),
    ("get", "/api/v1/organisations/{org_id}/invitations"): lambda o: (f"/organisations/{o['org']}/invitations", None),
    ("post", "/api/v1/organisations/{org_id}/invitations"): lambda o: (
        f"/organisations/{o['org']}/invitations",
        {"email": "intruder@x.test", "role": "sales"},
    ),
    ("post", "/api/v1/organisations/{org_id}/invitations/{invitation_id}/revoke"): lambda o: (
        f"/organisations/{o['org']}/invitations/{o['invitation']}/revoke",
        None,
    ),
    ("post", "/api/v1/tokens/{token_id}/revoke"): lambda o: (f"/tokens/{o['token']}/revoke", None),
    ("get", "/api/v1/audit/{entry_id}"): lambda o: (f"/audit/{o['audit']}", None),
    ("get", "/api/v1/webhooks/endpoints/{endpoint_id}"): lambda o: (f"/webhooks/endpoints/{o['webhook']}", None),
    ("patch", "/api/v1/webhooks/endpoints/{endpoint_id}"): lambda o: (
        f"/webhooks/endpoints/{o['webhook']}",
        {"description": "x", "url": "https://evil.example/in"},
    ),
    ("delete", "/api/v1/webhooks/endpoints/{endpoint_id}"): lambda o: (f"/webhooks/endpoints/{o['webhook']}", None),
    ("post", "/api/v1/webhooks/endpoints/{endpoint_id}/rotate-secret"): lambda o: (
        f"/webhooks/endpoints/{o['webhook']}/rotate-secret",
        None,
    ),
    ("post", "/api/v1/webhooks/endpoints/{endpoint_id}/test"): lambda o: (
        f"/webhooks/endpoints/{o['webhook']}/test",
        None,
    ),
    ("get", "/api/v1/webhooks/endpoints/{endpoint_id}/deliveries"): lambda o: (
        f"/webhooks/endpoints/{o['webhook']}/deliveries",
        None,
    ),
    ("get", "/api/v1/webhooks/deliveries/{delivery_id}"): lambda o: (
        f"/webhooks/deliveries/{o['webhook_delivery']}",
        None,
    ),
    ("post", "/api/v1/webhooks/deliveries/{delivery_id}/redeliver"): lambda o: (
        f"/webhooks/deliveries/{o['webhook_delivery']}/redeliver",
        None,
    ),
    ("get", "/api/v1/deals/{deal_id}"): lambda o: (f"/deals/{o['deal']}", None),
    ("patch", "/api/v1/deals/{deal_id}"): lambda o: (f"/deals/{o['deal']}", {"title": "X"}),
    ("post", "/api/v1/organisations/{org_id}/deals"): lambda o: (
        f"/organisations/{o['org']}/deals",
        {
            "customer_name": "X",
            "customer_inn": "7707083893",
            "lines": [{"product_family": "software", "amount": "1"}],
            "expected_close_on": "2099-01-01",
        },
    ),
    ("post", "/api/v1/deals/{deal_id}/stage"): lambda o: (f"/deals/{o['deal']}/stage", {"stage": "qualified"}),
    ("post", "/api/v1/deals/{deal_id}/notes"): lambda o: (f"/deals/{o['deal']}/notes", {"text": "x"}),
    ("get", "/api/v1/deals/{deal_id}/activity"): lambda o: (f"/deals/{o['deal']}/activity", None),
    ("post", "/api/v1/deals/{deal_id}/withdraw"): lambda o: (f"/deals/{o['deal']}/withdraw", {"reason": "x"}),
    ("post", "/api/v1/deals/{deal_id}/approve"): lambda o: (f"/deals/{o['held_deal']}/approve", {}),
    ("post", "/api/v1/deals/{deal_id}/reject"): lambda o: (f"/deals/{o['held_deal']}/reject", {"reason": "x"}),
    ("post", "/api/v1/deals/{deal_id}/withdraw-protection"): lambda o: (
        f"/deals/{o['deal']}/withdraw-protection",
        {"reason": "x"},
    ),
    ("get", "/api/v1/deals/{deal_id}/conflicts"): lambda o: (f"/deals/{o['held_deal']}/conflicts", None),
    ("post", "/api/v1/deal-conflicts/{conflict_id}/resolve"): lambda o: (
        f"/deal-conflicts/{o['conflict']}/resolve",
        FormData(resolution="keep_existing", reason="x"),
    ),
    ("get", "/api/v1/deals/{deal_id}/extensions"): lambda o: (f"/deals/{o['deal']}/extensions", None),
    ("post", "/api/v1/deals/{deal_id}/extensions"): lambda o: (
        f"/deals/{o['deal']}/extensions",
        FormData(reason="x"),
    ),
    ("post", "/api/v1/deal-extensions/{extension_id}/decision"): lambda o: (
        f"/deal-extensions/{o['extension']}/decision",
        {"grant": True},
    ),
    ("get", "/api/v1/organisations/{org_id}/referral-links"): lambda o: (
        f"/organisations/{o['org']}/referral-links",
        None,
    ),
    ("post", "/api/v1/organisations/{org_id}/referral-links"): lambda o: (
        f"/organisations/{o['org']}/referral-links",
        {"target": "/pricing/", "campaign": "intruder"},
    ),
    ("get", "/api/v1/organisations/{org_id}/referral-stats"): lambda o: (
        f"/organisations/{o['org']}/referral-stats",
        None,
    ),
    ("get", "/api/v1/organisations/{org_id}/referral-conversions"): lambda o: (
        f"/organisations/{o['org']}/referral-conversions",
        None,
    ),
    ("get", "/api/v1/referral-links/{link_id}"): lambda o: (f"/referral-links/{o['referral_link']}", None),
    ("patch", "/api/v1/referral-links/{link_id}"): lambda o: (
        f"/referral-links/{o['referral_link']}",
        {"is_active": False},
    ),
    ("get", "/api/v1/referral-links/{link_id}/stats"): lambda o: (f"/referral-links/{o['referral_link']}/stats", None),
    ("get", "/api/v1/leads/{lead_id}"): lambda o: (f"/leads/{o['lead']}", None),
    ("post", "/api/v1/leads/{lead_id}/route"): lambda o: (f"/leads/{o['lead']}/route", {"organisation_id": o["org_a"]}),
    ("post", "/api/v1/leads/{lead_id}/close"): lambda o: (f"/leads/{o['lead']}/close", {"reason": "x"}),
    ("get", "/api/v1/lead-offers/{offer_id}"): lambda o: (f"/lead-offers/{o['lead_offer']}", None),
    ("post", "/api/v1/lead-offers/{offer_id}/accept"): lambda o: (
        f"/lead-offers/{o['lead_offer']}/accept",
        {"product_family": "software", "amount": "1000"},
    ),
    ("post", "/api/v1/lead-offers/{offer_id}/decline"): lambda o: (
        f"/lead-offers/{o['lead_offer']}/decline",
        {"reason": "x"},
    ),
}

API_MATRIX |= PROGRAMMES_MATRIX
API_MATRIX |= MARKETPLACE_MATRIX
API_MATRIX |= enablement.API_MATRIX
API_MATRIX |= library.API_MATRIX
API_MATRIX |= INCENTIVES_MATRIX
API_MATRIX |= FUNDS_MATRIX
API_MATRIX |= SUPPORT_MATRIX
API_MATRIX |= BENEFITS_MATRIX
API_MATRIX |= REWARDS_NETWORK_MATRIX
API_MATRIX |= ORDERS_MATRIX
VENDOR_WIDE = {op for op in API_MATRIX if op[1].startswith("/api/v1/programmes/")} | {
    "programme-detail",
    "programme-draft",
    "programme-version",
    "programme-export",
    "programme-edit",
    "programme-requirement-edit",
    "programme-benefit-edit",
}

# GET endpoints the owning partner itself may not read (vendor staff only), still 404 for it.
VENDOR_ONLY_READS = {
    "/api/v1/deals/{deal_id}/conflicts",
    "/api/v1/leads/{lead_id}",
    # Payout runs are the vendor's (a partner reads its payouts through /organisations/{org_id}/payouts).
    "/api/v1/rewards/payout-runs/{run_id}",
    "/api/v1/rewards/payout-runs/{run_id}/items",
    "/api/v1/rewards/payout-runs/{run_id}/csv",
    "/api/v1/rewards/payout-runs/{run_id}/1c",
}

# Cases where B's child object is addressed through A's own organisation: still 404.
API_CROSS_PARENT = [
    ("patch", lambda o: f"/organisations/{o['org_a']}/members/{o['member']}", {"role": "sales"}),
    ("delete", lambda o: f"/organisations/{o['org_a']}/members/{o['member']}", None),
    ("post", lambda o: f"/organisations/{o['org_a']}/invitations/{o['invitation']}/revoke", None),
]

API_EXEMPT = {
    ("post", "/api/v1/public/programmes/{code}/applications"): "public: addressed by programme code; only creates",
    ("get", "/api/v1/public/catalogue/{org_id}"): (
        "public: only partners listed in the catalogue, everyone else 404 (tests/test_catalogue.py)"
    ),
    ("get", "/api/v1/public/locator/{org_id}"): (
        "public: only partners listed in the catalogue, everyone else 404 (tests/test_locator.py)"
    ),
    ("post", "/api/v1/public/locator/{org_id}/contact"): (
        "public: only listed partners can be written to, everyone else 404 (tests/test_locator.py); only creates"
    ),
    ("get", "/api/v1/invitations/{key}"): "public: addressed by the secret invitation key, not an id",
    ("post", "/api/v1/invitations/{key}/accept"): "public: addressed by the secret invitation key, not an id",
    ("get", "/api/v1/rewards/periods/{period}/preview"): (
        "vendor-wide: addressed by a month, not an id; finance only, partners 404 (tests/test_rewards_periods.py)"
    ),
    ("post", "/api/v1/rewards/periods/{period}/close"): (
        "vendor-wide: addressed by a month, not an id; finance only, partners 404 (tests/test_rewards_periods.py)"
    ),
    **MARKETPLACE_EXEMPT,
    **ORDERS_EXEMPT,
    **enablement.API_EXEMPT,
    **library.API_EXEMPT,
}

OUTSIDERS = ["a_admin", "a_sales", "bdm_a", "customer_admin"]


def test_every_api_operation_with_an_id_is_covered():
    schema = ninja_api.get_openapi_schema()
    operations = {(method, path) for path, item in schema["paths"].items() for method in item if "{" in path}
    missing = operations - set(API_MATRIX) - set(API_EXEMPT)
    assert not missing, f"add tenancy cases for {sorted(missing)}"


def _state(world):
    return (
        AuditEntry.objects.count(),
        Membership.objects.filter(organisation=world.partner_b).values_list("pk", "role").order_by("pk").__str__(),
        Invitation.objects.filter(organisation=world.partner_b).values_list("pk", "status").order_by("pk").__str__(),
        world.partner_b.__class__.objects.filter(pk=world.partner_b.pk).values_list("city", flat=True).get(),
    )


def _outsiders_of(cases):
    """Every outsider for every case; BDMs are no outsiders to the vendor-wide programme definitions."""
    return [(o, c) for c in sorted(cases) for o in OUTSIDERS if not (o.startswith("bdm") and c in VENDOR_WIDE)]


@pytest.mark.parametrize(("outsider", "operation"), _outsiders_of(API_MATRIX))
def test_api_outsiders_get_404_and_change_nothing(world, api, outsider, operation):
    objects = b_objects(world)
    path, body = API_MATRIX[operation](objects)
    client = api(getattr(world, outsider))
    before = _state(world)
    method = operation[0]
    r = getattr(client, method)(path, **({"data": body} if body is not None else {}))
    assert r.status_code == 404, (outsider, operation, r.status_code, r.content)
    assert r.json()["code"] == "not_found"
    assert _state(world) == before


@pytest.mark.parametrize("case", range(len(API_CROSS_PARENT)))
def test_api_child_of_other_tenant_via_own_parent_is_404(world, api, case):
    objects = b_objects(world)
    method, path_fn, body = API_CROSS_PARENT[case]
    client = api(world.a_admin)
    r = getattr(client, method)(path_fn(objects), **({"data": body} if body is not None else {}))
    assert r.status_code == 404


@pytest.mark.parametrize("insider", ["b_admin", "vendor_admin", "bdm_b"])
def test_api_insiders_can_read(world, api, insider):
    objects = b_objects(world)
    client = api(getattr(world, insider))
    for (method, _path), build in API_MATRIX.items():
        if method != "get" or "audit" in _path or (insider == "b_admin" and _path in VENDOR_ONLY_READS):
            continue
        path, _ = build(objects)
        assert client.get(path).status_code == 200, (insider, path)


def test_lists_show_only_own_tenant(world, api):
    b_objects(world)
    client = api(world.a_admin)
    orgs = client.get("/organisations?page_size=500").json()["items"]
    assert [o["id"] for o in orgs] == [world.partner_a.pk]
    audit = client.get("/audit?page_size=500").json()["items"]
    assert all(e["organisation_id"] in (world.partner_a.pk, None) for e in audit)
    tokens = client.get("/tokens").json()["items"]
    assert all(t["name"] != "b's token" for t in tokens)


def test_partner_manager_sees_only_assigned_partners(world, api):
    orgs = api(world.bdm_a).get("/organisations?page_size=500").json()["items"]
    assert {o["id"] for o in orgs} == {world.vendor.pk, world.partner_a.pk}
    all_orgs = api(world.vendor_admin).get("/organisations?page_size=500").json()["items"]
    assert {o["id"] for o in all_orgs} == {world.vendor.pk, world.partner_a.pk, world.partner_b.pk, world.customer.pk}
