"""The listing wizard through the API: the steps, screenshots, submission gaps, moderation, the storefronts."""

import pytest

from partnerhub.marketplace.models import ListingVersion, Screenshot

from .marketplace_builders import PRICING, TEXTS, admitted, draft_listing, png, storefronts

pytestmark = pytest.mark.django_db


def test_a_listing_goes_through_the_four_steps_moderation_and_onto_two_storefronts(world, api):
    storefronts()
    admitted(world.partner_b)
    vendor = api(world.b_admin)
    r = vendor.post(f"/marketplace/organisations/{world.partner_b.pk}/listings")
    assert r.status_code == 201, r.content
    lid = r.json()["id"]
    r = vendor.put(f"/marketplace/listings/{lid}/service", {"texts": {"ru": TEXTS["ru"]}, "category": "crm",
                                                            "industries": ["retail"]})  # fmt: skip
    assert r.status_code == 200, r.content
    assert vendor.put(f"/marketplace/listings/{lid}/pricing", PRICING).status_code == 200
    r = vendor.put(f"/marketplace/listings/{lid}/provisioning", {"mode": "api", "url": "https://api.crm.example/v1"})
    assert r.status_code == 200, r.content
    assert vendor.put(f"/marketplace/listings/{lid}/storefronts", {"codes": ["ru", "kz"]}).status_code == 200
    # Kazakhstan shows English texts, which are missing: the submission is refused naming the gap
    r = vendor.post(f"/marketplace/listings/{lid}/submit")
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["texts.en"]
    assert "Kazakhstan" in r.json()["errors"][0]["message"]
    vendor.put(f"/marketplace/listings/{lid}/service", {"texts": TEXTS, "category": "crm", "industries": ["retail"]})
    r = vendor.post(f"/marketplace/listings/{lid}/submit")
    assert r.status_code == 200, r.content
    version_id = ListingVersion.objects.get(listing_id=lid).pk
    # frozen while awaiting moderation
    assert vendor.put(f"/marketplace/listings/{lid}/storefronts", {"codes": ["ru"]}).status_code == 422
    moderator = api(world.member(world.vendor, "moderator"))
    queue = moderator.get("/marketplace/moderation").json()["items"]
    assert [q["id"] for q in queue] == [version_id]
    diff = {d["field"]: d for d in moderator.get(f"/marketplace/versions/{version_id}/diff").json()}
    assert diff["texts.en.name"]["after"] == "Cloud CRM" and diff["texts.en.name"]["before"] == ""
    r = moderator.post(f"/marketplace/versions/{version_id}/approve")
    assert r.status_code == 200 and r.json()["status"] == "live"
    # on both storefronts at once, priced in each one's currency, in each one's language
    ru = api(None).get("/public/marketplace/storefronts/ru/listings").json()["items"]
    kz = api(None).get("/public/marketplace/storefronts/kz/listings").json()["items"]
    assert [i["name"] for i in ru] == ["Облачная CRM"] and [i["name"] for i in kz] == ["Cloud CRM"]
    page = api(None).get(f"/public/marketplace/storefronts/kz/listings/{lid}").json()
    assert page["currency"] == "KZT"
    payg = page["plans"][1]
    assert [(c["model"], c["amount"]) for c in payg["charges"]][:2] == [("setup", "30000.00"), ("payg", "9.00")]
    assert page["plans"][0]["trial_days"] == 14


def test_an_edit_of_a_live_listing_is_moderated_while_the_approved_version_stays_live(world, api):
    listing = draft_listing(world.b_admin, world.partner_b)
    vendor, moderator = api(world.b_admin), api(world.member(world.vendor, "moderator"))
    vendor.post(f"/marketplace/listings/{listing.pk}/submit")
    moderator.post(f"/marketplace/versions/{listing.working_version_id}/approve")
    renamed = {**TEXTS, "en": {**TEXTS["en"], "name": "Cloud CRM 2"}}
    step1 = {"category": "crm", "industries": ["retail"], "documentation_links": ["https://docs.example/crm"]}
    r = vendor.put(f"/marketplace/listings/{listing.pk}/service", {"texts": renamed, **step1})
    assert (r.json()["live_version"], r.json()["working_version"]) == (1, 2)
    v2 = ListingVersion.objects.get(listing=listing, number=2)
    assert v2.plans.count() == 2 and v2.storefronts.count() == 2  # a full copy of the live version
    assert vendor.post(f"/marketplace/listings/{listing.pk}/submit").status_code == 200
    diff = moderator.get(f"/marketplace/versions/{v2.pk}/diff").json()
    assert diff == [{"field": "texts.en.name", "before": "Cloud CRM", "after": "Cloud CRM 2"}]
    r = moderator.post(f"/marketplace/versions/{v2.pk}/reject", {"comments": {"texts.en.name": "Keep the brand"}})
    assert r.json()["status"] == "rejected"
    assert r.json()["comments"] == [{"field": "texts.en.name", "comment": "Keep the brand"}]
    names = [i["name"] for i in api(None).get("/public/marketplace/storefronts/kz/listings").json()["items"]]
    assert names == ["Cloud CRM"]  # the approved version stays live
    faster = TEXTS | {"en": {**TEXTS["en"], "short_description": "CRM, now faster"}}
    vendor.put(f"/marketplace/listings/{listing.pk}/service", {"texts": faster, **step1})
    vendor.post(f"/marketplace/listings/{listing.pk}/submit")
    moderator.post(f"/marketplace/versions/{v2.pk}/approve")
    items = api(None).get("/public/marketplace/storefronts/kz/listings").json()["items"]
    assert [i["short_description"] for i in items] == ["CRM, now faster"]
    statuses = dict(ListingVersion.objects.filter(listing=listing).values_list("number", "status"))
    assert statuses == {1: "superseded", 2: "live"}


def test_missing_prices_are_named_per_plan_charge_and_currency(world, api):
    listing = draft_listing(world.b_admin, world.partner_b)
    rub_only = {**PRICING, "plans": [PRICING["plans"][0], {"code": "flat", "name_ru": "Ф", "name_en": "F",
                "charges": [{"model": "flat", "prices": [{"currency": "RUB", "amount": "100"}]}]}]}  # fmt: skip
    api(world.b_admin).put(f"/marketplace/listings/{listing.pk}/pricing", rub_only)
    r = api(world.b_admin).post(f"/marketplace/listings/{listing.pk}/submit")
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["plans.flat.charges.0.prices.KZT"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"plans": [{"code": "Bad code", "name_ru": "x", "name_en": "", "trial_days": 3}]}, "plans.0.code"),
        ({"plans": [{"code": "x", "name_ru": "x", "name_en": "x", "charges": []}]}, "plans.0.charges"),
        ({"plans": [{"code": "x", "name_ru": "x", "name_en": "x", "charges": [
            {"model": "per_unit", "resource": "nope", "prices": [{"currency": "RUB", "amount": "1"}]}]}]},
         "plans.0.charges.0.resource"),
        ({"plans": [{"code": "x", "name_ru": "x", "name_en": "x", "charges": [
            {"model": "volume", "resource": "seats", "prices": [{"currency": "RUB", "tiers": [
                {"up_to": 10, "unit": "5"}, {"up_to": 5, "unit": "4"}, {"unit": "3"}]}]}]}]},
         "plans.0.charges.0.prices.0.tiers.1"),
        ({"plans": [{"code": "x", "name_ru": "x", "name_en": "x", "charges": [
            {"model": "package", "resource": "seats", "prices": [{"currency": "RUB", "amount": "1"}]}]}]},
         "plans.0.charges.0.block_size"),
        ({"plans": [{"code": "x", "name_ru": "x", "name_en": "x", "trial_days": 7, "charges": [
            {"model": "flat", "prices": [{"currency": "RUB", "amount": "1"}]}]}]}, "plans.0.charges"),
        ({"plans": [{"code": "x", "name_ru": "x", "name_en": "x", "charges": [
            {"model": "flat", "prices": [{"currency": "XXX", "amount": "1"}]}]}]},
         "plans.0.charges.0.prices.0.currency"),
    ],
)  # fmt: skip
def test_bad_pricing_is_a_field_error_and_writes_nothing(world, api, change, field):
    listing = draft_listing(world.b_admin, world.partner_b)
    r = api(world.b_admin).put(f"/marketplace/listings/{listing.pk}/pricing", {**PRICING, **change})
    assert r.status_code == 422, r.content
    assert field in [e["field"] for e in r.json()["errors"]]
    assert listing.working_version.plans.count() == 2  # unchanged


def test_links_are_http_only_and_texts_required(world, api):
    listing = draft_listing(world.b_admin, world.partner_b, complete=False)
    r = api(world.b_admin).put(f"/marketplace/listings/{listing.pk}/service", {
        "texts": {"en": {"name": "X"}}, "category": "nope", "video_links": ["javascript:alert(1)"]})  # fmt: skip
    fields = {e["field"] for e in r.json()["errors"]}
    assert fields == {"category", "video_links.0", "texts.en.short_description", "texts.en.long_description"}


def test_screenshots_are_real_images_checked_and_thumbnailed(world, api, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    listing = draft_listing(world.b_admin, world.partner_b, complete=False)
    url = f"/marketplace/listings/{listing.pk}/screenshots"
    from tests.conftest import FormData

    client = api(world.b_admin)
    r = client.post(url, FormData(image=png(1280, 800), caption="Dashboard"))
    assert r.status_code == 201, r.content
    shot = Screenshot.objects.get()
    assert (shot.width, shot.height) == (1280, 800)
    from PIL import Image

    with Image.open(shot.thumbnail.path) as thumb:
        assert thumb.size == (320, 200)
    jpeg = png(800, 600, name="shot.jpg", fmt="JPEG")
    assert client.post(url, FormData(image=jpeg)).status_code == 201
    from django.core.files.uploadedfile import SimpleUploadedFile

    cases = {
        "not an image": SimpleUploadedFile("x.png", b"hello, world"),
        "truncated": SimpleUploadedFile("t.png", png().read()[:100]),
        "too small": png(100, 100),
        "too large a side": png(4100, 300),
        "wrong extension": png(name="shot.jpg"),
    }
    for case, upload in cases.items():
        r = client.post(url, FormData(image=upload))
        assert r.status_code == 422, case
        assert r.json()["errors"][0]["field"] == "image", case
    assert Screenshot.objects.count() == 2
    # the vendor's draft screenshot is served to it, not to another partner
    from django.test import Client

    other = Client()
    other.force_login(world.a_admin)
    assert other.get(f"/marketplace/screenshots/{shot.pk}/thumb/").status_code == 404
    own = Client()
    own.force_login(world.b_admin)
    r = own.get(f"/marketplace/screenshots/{shot.pk}/thumb/")
    assert r.status_code == 200 and r["Content-Type"] == "image/png"


def test_only_admitted_vendors_create_listings(world, api):
    r = api(world.a_admin).post(f"/marketplace/organisations/{world.partner_a.pk}/listings")
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "not_admitted"


def test_catalogue_filters_and_pages_in_sql(world, api):
    moderator = api(world.member(world.vendor, "moderator"))
    for org, admin in ((world.partner_a, world.a_admin), (world.partner_b, world.b_admin)):
        listing = draft_listing(admin, org)
        api(admin).post(f"/marketplace/listings/{listing.pk}/submit")
        moderator.post(f"/marketplace/versions/{listing.working_version_id}/approve")
    anon = api(None)
    base = "/public/marketplace/storefronts/ru/listings"
    assert anon.get(base).json()["count"] == 2
    assert anon.get(f"{base}?vendor={world.partner_a.pk}").json()["count"] == 1
    assert anon.get(f"{base}?search=облачная").json()["count"] in (0, 2)  # SQLite folds ASCII case only
    assert anon.get(f"{base}?search=CRM").json()["count"] == 2
    assert anon.get(f"{base}?industry=healthcare").json()["count"] == 0
    assert anon.get(f"{base}?category=crm&page_size=1").json()["pages"] == 2
    assert anon.get("/public/marketplace/storefronts/nowhere/listings").status_code == 404
    vendor = anon.get(f"/public/marketplace/storefronts/ru/vendors/{world.partner_a.pk}")
    assert vendor.status_code == 200 and vendor.json()["name"] == "Partner A"
    assert anon.get(f"/public/marketplace/storefronts/ru/vendors/{world.customer.pk}").status_code == 404


def test_lists_show_a_vendor_only_its_own_applications_and_listings(world, api):
    draft_listing(world.b_admin, world.partner_b)
    a_listing = draft_listing(world.a_admin, world.partner_a, complete=False)
    for user, own in ((world.a_admin, {a_listing.pk}), (world.bdm_a, {a_listing.pk}), (world.customer_admin, set())):
        client = api(user)
        assert {i["id"] for i in client.get("/marketplace/listings?page_size=100").json()["items"]} == own
        orgs = {i["organisation_id"] for i in client.get("/marketplace/vendor-applications").json()["items"]}
        assert world.partner_b.pk not in orgs
        # the moderators' queue: a partner or customer does not see it (404), a partner manager may not (403)
        assert client.get("/marketplace/moderation").status_code == (403 if user == world.bdm_a else 404)
    assert api(world.vendor_admin).get("/marketplace/listings").json()["count"] == 2
