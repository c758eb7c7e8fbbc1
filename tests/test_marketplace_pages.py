"""The marketplace's pages: the demo, the wizard's forms, moderation in the browser's terms, the storefronts."""

import os

import pytest
from django.core.management import call_command
from django.test import Client

from partnerhub.identity.models import User
from partnerhub.marketplace.choices import ChargeModel
from partnerhub.marketplace.models import Charge, Listing, ListingVersion

from .marketplace_builders import TEXTS, admitted, draft_listing, storefronts

pytestmark = pytest.mark.django_db


def _as(email):
    client = Client()
    client.force_login(User.objects.get(email=email))
    return client


def test_demo_has_two_storefronts_three_vendors_and_every_charge_model():
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    call_command("load_demo", stdout=open(os.devnull, "w"))  # idempotent  # noqa: SIM115
    live = ListingVersion.objects.filter(status="live")
    assert live.count() == 4
    assert set(Listing.objects.values_list("organisation__name", flat=True)) == {
        "Дельта Дистрибуция", "Эпсилон Облако", "Зета Аналитика"}  # fmt: skip
    models = set(Charge.objects.filter(plan__version__status="live").values_list("model", flat=True))
    assert models == set(ChargeModel.values)
    anon = Client()
    page = anon.get("/store/ru/").content.decode()
    assert "Облачная CRM" in page and "Cloud CRM" not in page and "Защита почты" not in page  # not yet approved
    kz = anon.get("/store/kz/?category=crm").content.decode()
    assert "Cloud CRM" in kz and "API Gateway" not in kz
    crm = Listing.objects.get(live_version__texts__name="Cloud CRM")
    detail = anon.get(f"/store/kz/listings/{crm.pk}/").content.decode()
    assert "Standard" in detail and ("₸" in detail or "KZT" in detail)
    vendor_page = anon.get(f"/store/ru/vendors/{crm.organisation_id}/").content.decode()
    assert "Резервное копирование" in vendor_page
    # staff pages
    moderation = _as("moderator@vendor.demo").get("/marketplace/moderation/").content.decode()
    assert "Mail Security" in moderation  # the reader's language (English here)
    admin = _as("admin@vendor.demo")
    for url in ("/marketplace/", "/marketplace/applications/", "/marketplace/storefronts/", "/marketplace/scorecard/",
                "/marketplace/listings/"):  # fmt: skip
        assert admin.get(url).status_code == 200, url
    delta = _as("admin@delta.demo")
    home = delta.get("/marketplace/").content.decode()
    assert "Облачная CRM" in home or "Cloud CRM" in home
    # another vendor's listing is a 404 to Beta
    assert _as("admin@zeta.demo").get(f"/marketplace/listings/{crm.pk}/").status_code == 404


def test_the_wizard_pages_build_a_listing(world):
    storefronts()
    admitted(world.partner_b)
    client = Client()
    client.force_login(world.b_admin)
    r = client.post("/marketplace/listings/new/")
    listing = Listing.objects.get(organisation=world.partner_b)
    assert r.status_code == 302
    base = f"/marketplace/listings/{listing.pk}"
    service = {"category": "crm", "industries": ["retail"], "video_links": "ftp://x.example/v"}
    service |= {f"texts.ru.{k}": v for k, v in TEXTS["ru"].items()}
    r = client.post(f"{base}/service/", service)
    assert r.status_code == 200 and "http" in r.content.decode()  # the link is refused on its field
    service["video_links"] = "https://video.example/demo"
    assert client.post(f"{base}/service/", service).status_code == 302
    assert client.post(f"{base}/pricing/", {"action": "resource", "r-code": "seats", "r-name_ru": "Места",
                                            "r-name_en": "Seats", "r-unit": "seat"}).status_code == 302  # fmt: skip
    assert client.post(f"{base}/pricing/", {"action": "plan", "p-code": "trial", "p-name_ru": "Проба",
                                            "p-name_en": "Trial", "p-billing_period": "monthly",
                                            "p-trial_days": "14"}).status_code == 302  # fmt: skip
    r = client.post(f"{base}/pricing/", {"action": "plan", "p-code": "pro", "p-name_ru": "Про", "p-name_en": "Pro",
                                         "p-billing_period": "monthly"})  # fmt: skip
    assert r.status_code == 200  # a paid plan needs a charge: the page says why, nothing saved
    listing.refresh_from_db()
    assert list(listing.working_version.plans.values_list("code", flat=True)) == ["trial"]
    paid = {"action": "plan", "p-code": "pro", "p-name_ru": "Про", "p-name_en": "Pro", "p-billing_period": "monthly",
            "p-model": "payg", "p-resource": "seats", "p-prices": "RUB 1.50\nKZT 9"}  # fmt: skip
    assert client.post(f"{base}/pricing/", paid).status_code == 302
    tiers = {"action": "charge", "c-plan": "pro", "c-model": "graduated", "c-resource": "seats",
             "c-prices": "RUB 10:500 *:400\nKZT 10:2500 *:2000"}  # fmt: skip
    assert client.post(f"{base}/pricing/", tiers).status_code == 302
    from partnerhub.marketplace.services import pricing_document

    pro = pricing_document.read(listing.working_version)["plans"][1]
    assert [c["model"] for c in pro["charges"]] == ["payg", "graduated"]
    rub = next(p for p in pro["charges"][1]["prices"] if p["currency"] == "RUB")
    assert rub["tiers"] == [{"up_to": "10", "unit": "500", "flat": "0"},
                                                       {"up_to": None, "unit": "400", "flat": "0"}]  # fmt: skip
    client.post(f"{base}/pricing/", {"action": "remove-plan", "code": "pro"})
    assert list(listing.working_version.plans.values_list("code", flat=True)) == ["trial"]
    assert client.post(f"{base}/provisioning/", {"mode": "manual", "email": "ops@b.example"}).status_code == 302
    assert client.post(f"{base}/storefronts/", {"codes": ["ru", "kz"]}).status_code == 302
    page = client.get(f"{base}/").content.decode()
    assert "Kazakhstan" in page  # the gap: English texts for the Kazakhstan storefront
    client.post(f"{base}/", {})
    assert ListingVersion.objects.get(listing=listing).status == "draft"
    for step in ("service", "pricing", "provisioning", "storefronts"):
        assert client.get(f"{base}/{step}/").status_code == 200


def test_a_moderator_returns_a_listing_with_comments_per_field_then_approves_it(world):
    listing = draft_listing(world.b_admin, world.partner_b)
    from partnerhub.marketplace import services

    version = services.submit(actor=world.b_admin, listing=listing)
    moderator = Client()
    moderator.force_login(world.member(world.vendor, "moderator"))
    page = moderator.get(f"/marketplace/moderation/{version.pk}/").content.decode()
    assert "texts.en.name" in page and "Cloud CRM" in page
    r = moderator.post(f"/marketplace/moderation/{version.pk}/", {"action": "reject", "comment:texts.en.name": "",
                                                                  "comment:category": ""})  # fmt: skip
    assert r.status_code == 200 and "Comment on at least one field" in r.content.decode()
    comment = {"action": "reject", "comment:texts.en.name": "Use the product's name"}
    r = moderator.post(f"/marketplace/moderation/{version.pk}/", comment)
    assert r.status_code == 302
    vendor = Client()
    vendor.force_login(world.b_admin)
    assert "Use the product&#x27;s name" in vendor.get(f"/marketplace/listings/{listing.pk}/").content.decode()
    vendor.post(f"/marketplace/listings/{listing.pk}/")  # submit again unchanged
    moderator.post(f"/marketplace/moderation/{version.pk}/", {"action": "approve"})
    assert ListingVersion.objects.get(pk=version.pk).status == "live"
    assert "Cloud CRM" in Client().get("/store/kz/").content.decode()
    # a partner cannot open the moderation queue
    assert vendor.get("/marketplace/moderation/").status_code == 404


def test_navigation_has_a_marketplace_group_for_vendor_staff_and_vendors(world):
    from partnerhub.core.tenancy import actor_for
    from partnerhub.portal.navigation import menu

    def group(user):
        entries = {str(e["label"]): e for e in menu(actor_for(user))}
        entry = entries.get("Marketplace")
        return [str(c["label"]) for c in entry["children"]] if entry and "children" in entry else entry

    moderator = world.member(world.vendor, "moderator")
    assert "Moderation queue" in group(moderator) and "Vendor applications" not in group(moderator)
    assert {"Vendor applications", "Storefronts", "Admission scorecard"} <= set(group(world.vendor_admin))
    assert group(world.b_admin) == ["My marketplace", "Storefronts", "Subscriptions", "Provisioning requests",
                                    "Customers"]  # fmt: skip


def test_screenshot_form_refuses_a_non_image(world, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from partnerhub.marketplace.models import Screenshot

    from .marketplace_builders import png

    settings.MEDIA_ROOT = tmp_path
    listing = draft_listing(world.b_admin, world.partner_b, complete=False)
    client = Client()
    client.force_login(world.b_admin)
    url = f"/marketplace/listings/{listing.pk}/service/"
    fake = SimpleUploadedFile("shot.png", b"<html><script>alert(1)</script></html>", content_type="image/png")
    r = client.post(url, {"image": fake, "caption": "x"})
    assert r.status_code == 200 and 'data-field="image"' in r.content.decode()
    assert not Screenshot.objects.exists() and not any(tmp_path.rglob("*.*"))
    assert client.post(url, {"image": png(), "caption": "Dashboard"}).status_code == 302
    assert Screenshot.objects.get().caption == "Dashboard"


def test_vendor_administrators_manage_storefronts_and_nobody_else(world):
    from partnerhub.marketplace.models import Storefront

    form = {"code": "by", "name": "Belarus", "language": "ru", "currency": "BYN", "country": "BY",
            "vat_rate": "20", "legal_entity": "ООО «Облако Бел»", "is_active": "on"}  # fmt: skip
    admin = Client()
    admin.force_login(world.vendor_admin)
    assert admin.post("/marketplace/storefronts/", {**form, "country": "Belarus"}).status_code == 200  # field error
    assert not Storefront.objects.exists()
    assert admin.post("/marketplace/storefronts/", form).status_code == 302
    assert Storefront.objects.get(code="by").currency == "BYN"
    moderator = Client()
    moderator.force_login(world.member(world.vendor, "moderator"))
    assert moderator.post("/marketplace/storefronts/", {**form, "name": "X"}).status_code == 403
    partner = Client()
    partner.force_login(world.a_admin)
    assert partner.get("/marketplace/storefronts/").status_code == 404
    assert Storefront.objects.get(code="by").name == "Belarus"
    assert "Belarus" in Client().get("/store/").content.decode()


def test_the_scorecard_is_read_by_experts_and_changed_by_administrators(world):
    admin, bdm = Client(), Client()
    admin.force_login(world.vendor_admin)
    bdm.force_login(world.bdm_a)
    assert 'name="weight"' not in bdm.get("/marketplace/scorecard/").content.decode()
    form = {"code": "demand", "name_ru": "Спрос", "name_en": "Demand", "weight": "50", "position": "3",
            "is_active": "on"}  # fmt: skip
    assert bdm.post("/marketplace/scorecard/", form).status_code == 403
    assert admin.post("/marketplace/scorecard/", form).status_code == 302
    assert "50" in bdm.get("/marketplace/scorecard/").content.decode()
