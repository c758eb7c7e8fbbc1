"""Products and price lists: the price in force on a date, sale lines priced from it, partner price lists."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from openpyxl import load_workbook

from partnerhub.partners.services import enrol
from partnerhub.rewards.models import Product, Sale

from .programme_builders import family, security_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(world, api):
    family("software")
    family("hardware")
    vendor = api(world.finance)
    for sku, fam in [("TI-SW-50", "software"), ("DEPO-1U", "hardware")]:
        r = vendor.post("/products", {"sku": sku, "family": fam, "name": f"Продукт {sku}", "name_en": sku})
        assert r.status_code == 200, r.content
    r = vendor.post(
        "/price-lists",
        {
            "name": "2026",
            "currency": "RUB",
            "valid_from": "2026-01-01",
            "items": [{"sku": "TI-SW-50", "price": "10000.00"}, {"sku": "DEPO-1U", "price": "250000"}],
        },
    )
    assert r.status_code == 201 and r.json()["item_count"] == 2
    r = vendor.post(
        "/price-lists",
        {
            "name": "From March",
            "currency": "RUB",
            "valid_from": "2026-03-01",
            "items": [{"sku": "TI-SW-50", "price": "12000.00"}],
        },
    )
    assert r.status_code == 201
    r = vendor.post(
        "/price-lists",
        {
            "name": "Renewals",
            "kind": "renewal",
            "currency": "RUB",
            "valid_from": "2026-01-01",
            "items": [{"sku": "TI-SW-50", "price": "4000"}],
        },
    )
    assert r.status_code == 201
    return vendor


def test_the_newest_list_in_force_gives_the_price(world, api, catalogue):
    feb = {p["sku"]: p["price"] for p in catalogue.get("/products?on=2026-02-15").json()["items"]}
    mar = {p["sku"]: p["price"] for p in catalogue.get("/products?on=2026-03-15").json()["items"]}
    assert feb == {"DEPO-1U": "250000.00", "TI-SW-50": "10000.00"}
    assert mar == {"DEPO-1U": "250000.00", "TI-SW-50": "12000.00"}
    assert catalogue.get("/products?on=2025-12-31").json()["items"][0]["price"] is None


def test_only_vendor_admins_and_finance_manage_products_and_customers_read_nothing(world, api, catalogue):
    r = api(world.a_admin).post("/products", {"sku": "X", "family": "software", "name": "X"})
    assert r.status_code == 403
    assert api(world.a_admin).get("/products").status_code == 200
    assert api(world.customer_admin).get("/products").status_code == 403


def test_price_list_errors_name_each_item_and_nothing_lands(world, api, catalogue):
    r = catalogue.post(
        "/price-lists",
        {
            "name": "Bad",
            "currency": "RUB",
            "valid_from": "2026-05-01",
            "items": [
                {"sku": "NOPE", "price": "1"},
                {"sku": "TI-SW-50", "price": "-3"},
                {"sku": "DEPO-1U", "price": "1.005"},
            ],
        },
    )
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"items[1].sku", "items[2].price", "items[3].price"}
    assert r.json()["errors"]
    assert catalogue.get("/price-lists").json()["count"] == 3


def test_price_list_from_a_file(world, api, catalogue):
    f = SimpleUploadedFile("prices.csv", b"sku;price\nTI-SW-50;9 999,90\n")
    r = catalogue.client.post(
        "/api/v1/price-lists/import",
        {"name": "File", "currency": "USD", "valid_from": "2026-01-01", "file": f},
        headers=catalogue.headers,
    )
    assert r.status_code == 201, r.content
    usd = catalogue.get("/products?currency=USD&on=2026-06-01").json()["items"]
    assert {p["sku"]: p["price"] for p in usd} == {"DEPO-1U": None, "TI-SW-50": "9999.90"}


def _sale(client, org, **fields):
    body = {"customer_name": "ООО Клиент", "currency": "RUB", "sold_on": "2026-03-10", **fields}
    return client.post(f"/organisations/{org.pk}/sales", body)


def test_a_sale_naming_a_sku_takes_family_and_price_from_the_list_in_force(world, api, catalogue):
    r = _sale(catalogue, world.partner_a, sku="TI-SW-50", quantity=3, invoice_number="СЧ-1", invoice_line=1)
    assert r.status_code == 201, r.content
    sale = Sale.objects.get()
    assert (sale.product_family.code, sale.amount, sale.unit_price) == (
        "software",
        Decimal("36000.00"),
        Decimal("12000"),
    )
    r = _sale(
        catalogue, world.partner_a, sku="TI-SW-50", sale_type="renewal", sold_on="2026-02-01", invoice_number="СЧ-2"
    )
    assert r.status_code == 201 and r.json()["amount"] == "4000.00" and r.json()["invoice_line"] == 1


def test_a_sku_sale_contradicting_the_list_or_without_a_price_is_a_field_error(world, api, catalogue):
    r = _sale(catalogue, world.partner_a, sku="TI-SW-50", amount="100.00")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "amount"
    assert "12000.00 RUB" in r.json()["errors"][0]["message"]
    r = _sale(catalogue, world.partner_a, sku="DEPO-1U", currency="USD")
    assert r.status_code == 422
    err = r.json()["errors"][0]
    assert err["field"] == "sku" and "DEPO-1U" in err["message"] and "USD" in err["message"]
    assert "2026-03-10" in err["message"]
    r = _sale(catalogue, world.partner_a, sku="TI-SW-50", product_family="hardware")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "product_family"
    assert not Sale.objects.exists()


def test_a_duplicate_invoice_line_is_refused_by_a_field_error_and_the_database(world, api, catalogue):
    assert _sale(catalogue, world.partner_a, sku="TI-SW-50", invoice_number="INV-7", invoice_line=2).status_code == 201
    r = _sale(catalogue, world.partner_a, sku="DEPO-1U", invoice_number="INV-7", invoice_line=2)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "invoice_line"
    assert _sale(catalogue, world.partner_b, sku="DEPO-1U", invoice_number="INV-7", invoice_line=2).status_code == 201
    first = Sale.objects.get(organisation=world.partner_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Sale.objects.create(
            organisation=world.partner_a,
            customer_name="X",
            product_family=first.product_family,
            amount=1,
            currency="RUB",
            sold_on=date(2026, 1, 1),
            invoice_number="INV-7",
            invoice_line=2,
        )


def test_an_import_with_a_repeated_invoice_line_lands_nothing(world, api, catalogue):
    head = "partner_inn;customer_name;sku;quantity;currency;sold_on;invoice_number;invoice_line"
    body = "\n".join(
        [
            head,
            f"{world.partner_a.inn};К;TI-SW-50;1;RUB;01.03.2026;A-1;1",
            f"{world.partner_a.inn};К;DEPO-1U;2;RUB;01.03.2026;A-1;1",
        ]
    )
    f = SimpleUploadedFile("s.csv", body.encode())
    r = catalogue.client.post("/api/v1/sales/import", {"file": f}, headers=catalogue.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "rows[2].invoice_line"
    assert not Sale.objects.exists()


def test_partner_downloads_its_price_list_with_its_tiers_prices(world, api, catalogue):
    version = security_programme()
    enrol(
        actor=None,
        organisation=world.partner_a,
        programme=version.programme,
        role_code="reseller",
        starting_tier_code="certified",
        joined_on=date(2026, 1, 1),
        active=True,
    )
    client = api(world.a_admin)
    r = client.get(f"/organisations/{world.partner_a.pk}/price-list.xlsx?currency=RUB")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row[0] == "SKU")
    assert rows[header][:7] == (
        "SKU",
        "Name",
        "Name (English)",
        "Product family",
        "Retail price",
        "Reward, %",
        "Partner price",
    )
    data = {row[0]: row[4:] for row in rows[header + 1 :]}
    # Certified earns 30% on software (so pays 70% of retail); the test programme has no hardware rate.
    assert data["TI-SW-50"][0] == 12000 and data["TI-SW-50"][2] == 8400
    assert data["DEPO-1U"][2] == 250000
    assert api(world.a_admin).get(f"/organisations/{world.partner_b.pk}/price-list.xlsx").status_code == 404


def test_products_page(world, ui, catalogue):
    vendor = ui(world.finance)
    r = vendor.post("/products/", {"p-sku": "NEW-1", "p-family": "software", "p-name": "Новый", "p-is_active": "on"})
    assert r.status_code == 302 and Product.objects.filter(sku="NEW-1").exists()
    r = vendor.post("/products/", {"p-sku": "NEW-2", "p-family": "nope", "p-name": "X"})
    assert r.status_code == 422 and 'data-field="family"' in r.content.decode()
    html = ui(world.a_admin).get("/products/?on=2026-03-02").content.decode()
    assert 'data-sku="TI-SW-50"' in html and "12,000.00" in html and 'data-testid="price-list-download"' in html
    assert (
        ui(world.a_admin).post("/products/", {"p-sku": "X", "p-family": "software", "p-name": "X"}).status_code == 403
    )
