"""Sales facts: recording, whole-file imports (all or nothing), visibility."""

import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from partnerhub.rewards.models import Sale

from .programme_builders import family

pytestmark = pytest.mark.django_db

HEADER = "partner_inn;partner_kpp;customer_name;customer_inn;product_family;sale_type;amount;currency;sold_on;reference"


def csv_file(world, *rows, name="sales.csv"):
    lines = [HEADER, *rows]
    return SimpleUploadedFile(name, "\n".join(lines).encode(), content_type="text/csv")


def row(world, amount="125 000,50", ref="R-1", inn=None, fam="software", sold="31.03.2026", currency="RUB"):
    return f"{inn or world.partner_a.inn};;ООО Заказчик;7707083893;{fam};new;{amount};{currency};{sold};{ref}"


@pytest.fixture(autouse=True)
def _families(db):
    family("software")
    family("hardware")


def test_finance_imports_csv_and_reimport_is_harmless(world, api):
    client = api(world.finance)
    f = csv_file(world, row(world), row(world, amount="10", ref="R-2"))
    r = client.client.post("/api/v1/sales/import", {"file": f}, headers=client.headers)
    assert r.status_code == 201 and r.json() == {"created": 2, "skipped": 0}
    sale = Sale.objects.get(external_ref="R-1")
    assert (sale.currency, sale.sold_on, sale.customer_inn) == ("RUB", date(2026, 3, 31), "7707083893")
    assert str(sale.amount) == "125000.50"
    r = client.client.post("/api/v1/sales/import", {"file": csv_file(world, row(world))}, headers=client.headers)
    assert r.json() == {"created": 0, "skipped": 1}


def test_bad_rows_are_reported_and_nothing_is_written(world, api):
    client = api(world.finance)
    future = (date.today() + timedelta(days=5)).strftime("%d.%m.%Y")
    f = csv_file(world, row(world), row(world, amount="-5", ref="R-2", fam="spaceships"),
                 row(world, inn="7707083894", ref="R-3", sold=future, currency="XYZ"))  # fmt: skip
    r = client.client.post("/api/v1/sales/import", {"file": f}, headers=client.headers)
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"rows[2].amount", "rows[2].product_family", "rows[3].partner_inn", "rows[3].sold_on",
            "rows[3].currency"} <= fields  # fmt: skip
    assert not Sale.objects.exists()


def test_changed_figures_under_an_old_reference_are_refused(world, api):
    client = api(world.finance)
    client.client.post("/api/v1/sales/import", {"file": csv_file(world, row(world))}, headers=client.headers)
    r = client.client.post("/api/v1/sales/import", {"file": csv_file(world, row(world, amount="1"))},
                           headers=client.headers)  # fmt: skip
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "conflict"


def test_xlsx_import(world, api):
    wb = Workbook()
    ws = wb.active
    ws.append(["partner_inn", "customer_name", "product_family", "amount", "currency", "sold_on"])
    ws.append([world.partner_b.inn, "Customer", "hardware", 5000, "USD", date(2026, 2, 1)])
    buf = io.BytesIO()
    wb.save(buf)
    f = SimpleUploadedFile("q1.xlsx", buf.getvalue())
    client = api(world.vendor_admin)
    r = client.client.post("/api/v1/sales/import", {"file": f}, headers=client.headers)
    assert r.status_code == 201 and Sale.objects.get().organisation == world.partner_b


def test_partners_cannot_import_and_see_only_their_sales(world, api):
    client = api(world.a_admin)
    r = client.client.post("/api/v1/sales/import", {"file": csv_file(world, row(world))}, headers=client.headers)
    assert r.status_code == 403
    api(world.finance).post(f"/organisations/{world.partner_a.pk}/sales", {
        "customer_name": "X", "product_family": "software", "amount": "100.00", "currency": "RUB",
        "sold_on": "2026-01-01"})  # fmt: skip
    api(world.finance).post(f"/organisations/{world.partner_b.pk}/sales", {
        "customer_name": "Y", "product_family": "software", "amount": "200.00", "currency": "RUB",
        "sold_on": "2026-01-01"})  # fmt: skip
    items = client.get("/sales").json()["items"]
    assert [i["customer_name"] for i in items] == ["X"] and items[0]["amount"] == "100.00"


def test_record_sale_validation(world, api):
    data = {"customer_name": "X", "product_family": "nope", "amount": "0", "currency": "RUB", "sold_on": "2026-01-01"}
    r = api(world.finance).post(f"/organisations/{world.partner_a.pk}/sales", data)
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"product_family", "amount"}


def test_sales_page_import_with_row_report(world, ui):
    client = ui(world.finance)
    r = client.post("/sales/import/", {"file": csv_file(world, row(world, amount="abc"))})
    assert r.status_code == 422 and 'data-field="rows[1].amount"' in r.content.decode()
    r = client.post("/sales/import/", {"file": csv_file(world, row(world))})
    assert r.status_code == 302
    html = client.get("/sales/?currency=rub").content.decode()
    assert "125,000.50 RUB" in html or "125 000,50 RUB" in html or "125000.50 RUB" in html


# ---------------------------------------------------------------- hardening (issue 7)


def _post(client, f):
    return client.client.post("/api/v1/sales/import", {"file": f}, headers=client.headers)


def test_a_customer_is_refused_before_the_file_is_parsed(world, api, monkeypatch):
    from partnerhub.rewards.services import sales as sales_services  # read_rows as the import sees it

    def boom(**_kw):
        raise AssertionError("the file was parsed before the permission check")

    monkeypatch.setattr(sales_services, "read_rows", boom)
    r = _post(api(world.customer_admin), SimpleUploadedFile("big.xlsx", b"PK\x03\x04 not really a workbook"))
    assert r.status_code == 403 and r.json()["code"] == "forbidden"


def test_reading_stops_at_the_row_cap(world, api, settings):
    settings.SALES_IMPORT_MAX_ROWS = 3
    rows = [row(world, ref=f"R-{i}") for i in range(10)]
    r = _post(api(world.finance), csv_file(world, *rows))
    assert r.status_code == 422
    assert r.json()["errors"] == [{"field": "file", "message": "At most 3 rows per file.", "code": "too_many_rows"}]
    assert not Sale.objects.exists()


def test_a_file_the_sniffer_cannot_read_is_a_422_not_a_500(world, api):
    r = _post(api(world.finance), SimpleUploadedFile("s.csv", b"abc\n1\n"))
    assert r.status_code == 422 and r.json()["code"] == "validation"
    assert {e["field"] for e in r.json()["errors"]} == {"file"}


def test_an_over_long_field_is_that_rows_error_and_nothing_lands(world, api):
    huge = "x" * 131_073
    f = csv_file(world, row(world), f"{world.partner_a.inn};;{huge};;software;new;10;RUB;01.03.2026;R-2")
    r = _post(api(world.finance), f)
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert [e["field"] for e in errors] == ["rows[2]"] and errors[0]["code"] == "malformed"
    assert not Sale.objects.exists()


def test_a_long_customer_name_is_a_field_error_not_silently_cut(world, api):
    f = csv_file(world, f"{world.partner_a.inn};;{'Я' * 301};;software;new;10;RUB;01.03.2026;R-2")
    r = _post(api(world.finance), f)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "rows[1].customer_name"


def test_a_nul_byte_refuses_the_file(world, api):
    """Text with a NUL byte is not text: the upload policy refuses the file before any row is read."""
    f = csv_file(world, f"{world.partner_a.inn};;ООО\x00;;software;new;10;RUB;01.03.2026;R-2")
    r = _post(api(world.finance), f)
    assert r.status_code == 422 and [(e["field"], e["code"]) for e in r.json()["errors"]] == [("file", "file_type")]
    assert not Sale.objects.exists()


def test_a_damaged_workbook_is_a_file_error(world, api):
    r = _post(api(world.finance), SimpleUploadedFile("s.xlsx", b"PK\x03\x04garbage"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "file"
