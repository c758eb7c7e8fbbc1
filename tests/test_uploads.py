"""One upload policy for every file: the content decides the kind, the size limit comes from the
settings, and a refused file is a field error with nothing stored — through the API and the pages.

The file fields are enumerated from the models, the OpenAPI document and the forms, so a new upload
fails here until it is guarded and tested.
"""

from __future__ import annotations

import importlib
import io
import zipfile

import pytest
from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models

from config.api import api as ninja_api
from partnerhub.core import uploads
from partnerhub.deals import services as deal_services
from partnerhub.deals.models import ClaimConflict, ExtensionRequest
from partnerhub.partners.models import ObligationRecord
from partnerhub.programmes.models import Programme
from tests.conftest import FormData
from tests.deal_builders import register
from tests.factories import valid_inn

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 20
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64 + b"This program cannot be run"
HTML = b"<!doctype html><script>alert(document.domain)</script>"


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buf.getvalue()


def _xlsx() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["customer_name", "amount"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "_rels/.rels": b"<x/>", "word/document.xml": b"<w:document/>"})
ODT = _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"})
PLAIN_ZIP = _zip({"readme.txt": b"hello"})


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def stored_files(settings) -> list:
    return [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()] if settings.MEDIA_ROOT.exists() else []


# ------------------------------------------------------------------------------------- sniffing


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (PDF, "pdf"), (PNG, "png"), (JPEG, "jpeg"), (DOCX, "docx"), (ODT, "odt"),
        (b"customer_name;amount\n\xd0\x9e\xd0\x9e\xd0\x9e;10\n", "text"), (b"\xef\xbb\xbfa,b\n", "text"),
        (EXE, None), (PLAIN_ZIP, "zip"), (b"PK\x03\x04 truncated", None), (b"\xcf\xee\xf1\xf2", None),  # cp1251
        (b"a,b\n\x00\x01", None),
    ],
)  # fmt: skip
def test_the_content_decides_the_kind(content, kind):
    assert uploads.sniff(io.BytesIO(content)) == kind


def test_xlsx_written_by_a_spreadsheet_program_is_recognised():
    assert uploads.sniff(io.BytesIO(_xlsx())) == "xlsx"


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("report.pdf", EXE, "file_type"),  # an .exe renamed .pdf
        ("report.pdf", HTML, "file_type"),  # HTML is text, which evidence does not take
        ("report.html", PDF, "file_type"),  # a PDF whose name would make a server call it a web page
        ("report.exe", PDF, "file_type"),
        ("report", PDF, "file_type"),
        ("scan.jpg", PNG, "file_type"),
        ("archive.docx", PLAIN_ZIP, "file_type"),
    ],
)
def test_evidence_policy_refuses_by_content_and_name(name, content, code):
    with pytest.raises(ValidationError) as exc:
        uploads.EVIDENCE.accept(upload(name, content, "application/pdf"), field="evidence")
    assert exc.value.error_dict["evidence"][0].code == code


@pytest.mark.parametrize(
    ("name", "content"),
    [("a.pdf", PDF), ("a.PNG", PNG), ("a.jpeg", JPEG), ("a.jpg", JPEG), ("a.docx", DOCX), ("a.odt", ODT)],
)
def test_evidence_policy_takes_documents_and_images(name, content):
    assert uploads.EVIDENCE.accept(upload(name, content), field="evidence") is not None
    assert uploads.EVIDENCE.accept(None, field="evidence") is None


def test_accepted_files_get_a_safe_name():
    f = uploads.EVIDENCE.accept(upload("../../Письмо клиента <1>.PDF", PDF), field="evidence")
    assert f.name == "письмо-клиента-1.pdf"


def test_the_size_limit_comes_from_the_settings(settings):
    settings.UPLOAD_MAX_BYTES = len(PDF) - 1
    with pytest.raises(ValidationError) as exc:
        uploads.EVIDENCE.accept(upload("a.pdf", PDF), field="evidence")
    assert exc.value.error_dict["evidence"][0].code == "file_size"
    settings.UPLOAD_MAX_BYTES = len(PDF)
    uploads.EVIDENCE.accept(upload("a.pdf", PDF), field="evidence")


def test_import_policies_take_text_and_workbooks_only():
    uploads.SPREADSHEET_IMPORT.accept(upload("sales.csv", b"a;b\n1;2\n"), field="file")
    uploads.SPREADSHEET_IMPORT.accept(upload("sales.xlsx", _xlsx()), field="file")
    uploads.YAML_IMPORT.accept(upload("p.yaml", b"schema: 1\n"), field="file")
    for policy, name, content in [(uploads.SPREADSHEET_IMPORT, "sales.csv", EXE), (uploads.SPREADSHEET_IMPORT,
                                  "sales.xlsx", PLAIN_ZIP), (uploads.YAML_IMPORT, "p.yaml", PDF)]:  # fmt: skip
        with pytest.raises(ValidationError):
            policy.accept(upload(name, content), field="file")


# --------------------------------------------------------------------------- every file field guarded


def test_every_model_file_field_carries_an_upload_policy():
    fields = {
        f"{m._meta.label}.{f.name}": [v for v in f.validators if isinstance(v, uploads.UploadPolicy)]
        for m in apps.get_models()
        if m.__module__.startswith("partnerhub.")
        for f in m._meta.get_fields()
        if isinstance(f, models.FileField)
    }
    assert set(fields) == {"deals.ClaimConflict.evidence", "deals.ExtensionRequest.evidence",
                           "partners.ObligationRecord.evidence_file", "partners.Application.contract_file",
                           "marketplace.Screenshot.image", "marketplace.Screenshot.thumbnail",
                           "enablement.Lesson.file",
                           "funds.ProofFile.file", "support.Attachment.file",
                           "library.MaterialVersion.file", "library.Contribution.file", "partners.PartnerProfile.logo",
                           }  # fmt: skip
    assert all(len(policies) == 1 for policies in fields.values()), fields


# Every upload of the API and the pages, and the test below that proves it refuses a bad file.
API_UPLOADS = {
    "POST /api/v1/deal-conflicts/{conflict_id}/resolve evidence": "test_api_conflict_evidence",
    "POST /api/v1/deals/{deal_id}/extensions evidence": "test_api_extension_evidence",
    "POST /api/v1/onboarding/contract/upload file": "test_onboarding.test_contract_upload_accepts_only_pdf_files",
    "POST /api/v1/programmes/import/upload file": "test_api_programme_upload",
    "POST /api/v1/sales/import file": "test_api_spreadsheet_imports",
    "POST /api/v1/sale-payments/import file": "test_api_spreadsheet_imports",
    "POST /api/v1/enablement/lessons/{lesson_id}/file file": "test_enablement.test_api_handout_is_checked",
    "POST /api/v1/price-lists/import file": "test_api_spreadsheet_imports",
    "POST /api/v1/exchange-rates/import file": "test_api_spreadsheet_imports",
    "POST /api/v1/marketplace/listings/{listing_id}/screenshots image": (
        "test_marketplace_listings.test_screenshots_are_real_images_checked_and_thumbnailed"
    ),
    "POST /api/v1/funds/requests/{request_id}/claims files": (
        "test_funds.test_claims_above_the_approved_amount_or_with_bad_files_are_refused"
    ),
    "POST /api/v1/library/materials/{material_id}/versions file": "test_library.test_api_lists_searches_and_uploads",
    "POST /api/v1/library/organisations/{org_id}/logo file": "test_library.test_api_and_pages_refuse_disguised_files",
    "POST /api/v1/library/contributions file": "test_library.test_api_and_pages_refuse_disguised_files",
    "POST /api/v1/support/requests files": "test_support.test_bad_files_are_refused_through_the_api_and_the_pages",
    "POST /api/v1/support/requests/{request_id}/replies files": (
        "test_support.test_bad_files_are_refused_through_the_api_and_the_pages"
    ),
}
FORM_UPLOADS = {
    "partnerhub.deals.forms.ResolveForm.evidence": "test_api_conflict_evidence (same service)",
    "partnerhub.deals.forms.ExtensionForm.evidence": "test_page_extension_evidence",
    "partnerhub.enablement.forms.LessonForm.file": "test_enablement.test_a_handout_page_refuses_a_disguised_file",
    "partnerhub.partners.forms.EvidenceForm.evidence_file": "test_page_obligation_evidence",
    "partnerhub.onboarding.forms.ContractUploadForm.file": "test_onboarding.test_full_path_through_the_pages",
    "partnerhub.programmes.forms.ImportForm.file": "test_page_programme_import",
    "partnerhub.rewards.forms.SaleImportForm.file": "test_api_spreadsheet_imports (same service)",
    "partnerhub.rewards.forms.PriceListFileForm.file": "test_api_spreadsheet_imports (same service)",
    "partnerhub.rewards.forms.RatesFileForm.file": "test_api_spreadsheet_imports (same service)",
    "partnerhub.marketplace.forms.ScreenshotForm.image": (
        "test_marketplace_pages.test_screenshot_form_refuses_a_non_image"
    ),
    "partnerhub.funds.forms.ClaimForm.files": "test_funds.test_pages_request_decide_claim_and_show_labels",
    "partnerhub.library.forms.NewMaterialForm.file": "test_library.test_api_and_pages_refuse_disguised_files",
    "partnerhub.library.forms.VersionForm.file": "test_library.test_api_and_pages_refuse_disguised_files",
    "partnerhub.library.forms.LogoForm.logo": "test_library.test_api_and_pages_refuse_disguised_files",
    "partnerhub.library.forms.ContributionForm.file": "test_library.test_pages_partner_library_and_vendor_console",
    "partnerhub.support.forms.OpenForm.files": "test_support.test_bad_files_are_refused_through_the_api_and_the_pages",
    "partnerhub.support.forms.ReplyForm.files": (
        "test_support.test_bad_files_are_refused_through_the_api_and_the_pages"
    ),
}


def test_every_api_upload_is_listed():
    found = set()
    for path, ops in ninja_api.get_openapi_schema()["paths"].items():
        for method, op in ops.items():
            schema = op.get("requestBody", {}).get("content", {}).get("multipart/form-data", {}).get("schema", {})
            for name, prop in schema.get("properties", {}).items():
                if "binary" in (prop.get("format"), prop.get("items", {}).get("format")):  # one file or several
                    found.add(f"{method.upper()} {path} {name}")
    assert found == set(API_UPLOADS)


def test_every_form_upload_is_listed():
    found = set()
    for config in apps.get_app_configs():
        if not config.name.startswith("partnerhub."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.forms")
        except ModuleNotFoundError:
            continue
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, forms.BaseForm) and obj.__module__ == module.__name__:
                found |= {
                    f"{module.__name__}.{obj.__name__}.{n}"
                    for n, f in obj.base_fields.items()
                    if isinstance(f, forms.FileField)
                }
    assert found == set(FORM_UPLOADS)


# ------------------------------------------------------------------------------ per endpoint


def _held_conflict(world) -> ClaimConflict:
    first = register(world.a_admin, world.partner_a)
    deal_services.approve(actor=world.bdm_a, claim=first)
    register(world.b_admin, world.partner_b, customer_inn=valid_inn(9002))
    return ClaimConflict.objects.get(claim__organisation=world.partner_b)


def _protected(world):
    return deal_services.approve(actor=world.bdm_a, claim=register(world.a_admin, world.partner_a))


def _field_error(r, field: str) -> str:
    assert r.status_code == 422, r.content
    [error] = [e for e in r.json()["errors"] if e["field"] == field]
    return error["code"]


def test_api_conflict_evidence(world, api, settings):
    conflict = _held_conflict(world)
    path = f"/deal-conflicts/{conflict.pk}/resolve"
    form = {"resolution": "customer_choice", "reason": "The customer chose B"}
    r = api(world.bdm_b).post(path, FormData(form, evidence=upload("choice.pdf", EXE)))
    assert _field_error(r, "evidence") == "file_type"
    settings.UPLOAD_MAX_BYTES = 10
    r = api(world.bdm_b).post(path, FormData(form, evidence=upload("choice.pdf", PDF)))
    assert _field_error(r, "evidence") == "file_size"
    conflict.refresh_from_db()
    assert conflict.resolution == "open" and not conflict.evidence and stored_files(settings) == []
    settings.UPLOAD_MAX_BYTES = 1024
    r = api(world.bdm_b).post(path, FormData(form, evidence=upload("choice.pdf", PDF)))
    assert r.status_code == 200, r.content
    conflict.refresh_from_db()
    assert conflict.evidence.name.endswith(".pdf") and len(stored_files(settings)) == 1


def test_api_extension_evidence(world, api, settings):
    claim = _protected(world)
    path = f"/deals/{claim.pk}/extensions"
    for name, content in [("reasons.pdf", EXE), ("reasons.html", HTML)]:
        r = api(world.a_admin).post(path, FormData(reason="Tender moved", evidence=upload(name, content)))
        assert _field_error(r, "evidence") == "file_type"
    settings.UPLOAD_MAX_BYTES = 10
    r = api(world.a_admin).post(path, FormData(reason="Tender moved", evidence=upload("reasons.pdf", PDF)))
    assert _field_error(r, "evidence") == "file_size"
    assert not ExtensionRequest.objects.exists() and stored_files(settings) == []


def test_api_programme_upload(world, api, settings):
    client = api(world.vendor_admin)

    def post(name, content):
        return client.client.post("/api/v1/programmes/import/upload", {"file": upload(name, content)},
                                  headers=client.headers)  # fmt: skip

    assert _field_error(post("programme.yaml", EXE), "file") == "file_type"
    assert _field_error(post("programme.yaml", PDF), "file") == "file_type"
    settings.UPLOAD_YAML_MAX_BYTES = 5
    assert _field_error(post("programme.yaml", b"schema: 1\n"), "file") == "file_size"
    assert not Programme.objects.exists()


def test_page_extension_evidence(world, ui, settings):
    claim = _protected(world)
    r = ui(world.a_admin).post(f"/deals/{claim.pk}/", {"action": "extension", "extension-reason": "Tender moved",
                                                       "extension-evidence": upload("reasons.pdf", EXE)})  # fmt: skip
    assert r.status_code in (200, 422)
    assert "Upload a file of one of these types" in r.content.decode()
    assert not ExtensionRequest.objects.exists() and stored_files(settings) == []


def test_page_obligation_evidence(world, ui, settings):
    form = {"obligation": "monthly_reports", "valid_from": "2026-01-01"}
    r = ui(world.a_admin).post("/obligations/", {**form, "evidence_file": upload("report.pdf", EXE)})
    assert "Upload a file of one of these types" in r.content.decode()
    settings.UPLOAD_MAX_BYTES = 10
    r = ui(world.a_admin).post("/obligations/", {**form, "evidence_file": upload("report.pdf", PDF)})
    assert "The file is larger than" in r.content.decode()
    assert not ObligationRecord.objects.exists() and stored_files(settings) == []
    settings.UPLOAD_MAX_BYTES = 1024
    r = ui(world.a_admin).post("/obligations/", {**form, "evidence_file": upload("report.pdf", PDF)})
    assert r.status_code == 302 and ObligationRecord.objects.get().evidence_file.name.endswith("/report.pdf")


def test_page_programme_import(world, ui):
    r = ui(world.vendor_admin).post("/programmes/import/", {"file": upload("programme.yaml", EXE), "publish": "on"})
    page = r.content.decode()
    assert "Upload a file of one of these types" in page and 'data-field="file"' in page
    assert not Programme.objects.exists()


def test_api_spreadsheet_imports(world, api, settings):
    """The sales import and the price-list import take CSV or XLSX by content, within the size limit."""
    from partnerhub.rewards.models import PriceList, Sale

    client = api(world.finance)
    admin = api(world.vendor_admin)
    details = {"name": "2026", "kind": "retail", "currency": "RUB", "valid_from": "2026-01-01"}

    def sales(name, content):
        return client.client.post("/api/v1/sales/import", {"file": upload(name, content)}, headers=client.headers)

    def prices(name, content):
        return admin.client.post("/api/v1/price-lists/import", {**details, "file": upload(name, content)},
                                 headers=admin.headers)  # fmt: skip

    def payments(name, content):
        return client.client.post("/api/v1/sale-payments/import", {"file": upload(name, content)},
                                  headers=client.headers)  # fmt: skip

    for post in (sales, prices, payments):
        assert _field_error(post("sales.csv", EXE), "file") == "file_type"
        assert _field_error(post("sales.xlsx", HTML), "file") == "file_type"
        assert _field_error(post("sales.xlsx", PLAIN_ZIP), "file") == "file_type"
    rates = admin.client.post("/api/v1/exchange-rates/import", {"file": upload("XML_daily.xml", HTML)},
                              headers=admin.headers)  # fmt: skip
    assert _field_error(rates, "file") == "file_type"
    settings.UPLOAD_IMPORT_MAX_BYTES = 10
    assert _field_error(sales("sales.csv", b"customer_name;amount\nX;1\n"), "file") == "file_size"
    assert not Sale.objects.exists() and not PriceList.objects.exists()
