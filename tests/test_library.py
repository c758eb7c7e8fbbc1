"""The content library: versioned files, visibility by programme/role/tier, search, downloads, co-branding,
contributions."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from partnerhub.core.models import Notification
from partnerhub.library import selectors, services
from partnerhub.library.models import Contribution, Material

from .conftest import FormData
from .library_builders import enrol_in, material, pdf_file, pdf_strings, png_file, pptx_file, template

pytestmark = pytest.mark.django_db


def test_files_are_checked_by_content_and_a_new_version_keeps_the_old(world):
    with pytest.raises(ValidationError) as exc:
        material(file=SimpleUploadedFile("deck.pptx", b"MZ\x90\x00 an executable"))
    assert "file" in exc.value.error_dict
    with pytest.raises(ValidationError):
        material(file=SimpleUploadedFile("deck.pdf", pptx_file().read()))  # the content is PPTX, the name says PDF
    m = material("Deck", kind="presentation", file=pptx_file())
    services.version_add(actor=world.vendor_admin, material=m, file=pdf_file("deck.pdf"), note="PDF export")
    assert [(v.number, v.file_kind) for v in selectors.versions(material=m)] == [(2, "pdf"), (1, "pptx")]
    with pytest.raises(Exception) as exc:
        services.version_add(actor=world.a_admin, material=m, file=pdf_file())
    assert exc.type.__name__ in ("PermissionDenied", "Http404")


def test_visibility_by_programme_role_and_tier(world):
    enrol_in(world.partner_a, "authorized")
    enrol_in(world.partner_b, "privileged")
    everyone = material("For all")
    privileged = material("Privileged only", programme_code="sec", tiers=["privileged"])
    agents = material("Agents only", programme_code="sec", roles=["agent"])
    draft = material("Draft", published=False)
    seen_a = set(selectors.materials(actor=world.a_admin).values_list("pk", flat=True))
    seen_b = set(selectors.materials(actor=world.b_admin).values_list("pk", flat=True))
    assert seen_a == {everyone.pk}
    assert seen_b == {everyone.pk, privileged.pk}
    assert agents.pk not in seen_b and draft.pk not in seen_b
    assert set(selectors.materials(actor=world.vendor_admin).values_list("pk", flat=True)) >= {draft.pk, agents.pk}
    with pytest.raises(Http404):
        services.record_download(actor=world.a_admin, material=privileged)


def test_search_matches_title_description_and_tags_in_sql(world):
    material("Прайс-лист 2026", description="Цены для партнёров", tags=["prices", "2026"])
    material("Brand book", kind="brand_book", tags="brand, logo")
    titles = lambda **kw: [m.title for m in selectors.materials(actor=world.a_admin, **kw)]  # noqa: E731
    assert titles(q="прайс") == ["Прайс-лист 2026"]
    assert titles(q="партнёров") == ["Прайс-лист 2026"]
    assert titles(tag="logo") == ["Brand book"]
    assert titles(kind="brand_book") == ["Brand book"]


def test_a_download_is_counted(world, ui):
    m = material()
    client = ui(world.a_admin)
    for _ in range(2):
        r = client.get(f"/library/materials/{m.pk}/download/")
        assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")
    m.refresh_from_db()
    assert m.download_count == 2
    hidden = material("Hidden", tiers=["privileged"])
    assert client.get(f"/library/materials/{hidden.pk}/download/").status_code == 404


def test_cobranding_is_refused_without_the_tier_benefit_with_the_reason(world):
    enrol_in(world.partner_a, "authorized")
    t = template()
    with pytest.raises(services.NotEntitled) as exc:
        services.cobranded_pdf(actor=world.a_admin, material=t, organisation=world.partner_a)
    assert "Privileged" in exc.value.detail


def test_a_privileged_partner_generates_a_pdf_with_its_name_and_logo(world):
    enrol_in(world.partner_b, "privileged")
    services.logo_set(actor=world.b_admin, organisation=world.partner_b, file=png_file())
    t = template()
    pdf = services.cobranded_pdf(actor=world.b_admin, material=t, organisation=world.partner_b)
    inflated, texts = pdf_strings(pdf)
    assert pdf.startswith(b"%PDF")
    assert any("Partner B" in s for s in texts), texts
    assert b"/Subtype /Image" in inflated or b"/Subtype/Image" in inflated
    with pytest.raises(Http404):  # not for another partner's organisation
        services.cobranded_pdf(actor=world.b_admin, material=t, organisation=world.partner_a)


def test_a_logo_goes_through_the_image_policy(world):
    with pytest.raises(ValidationError):
        services.logo_set(actor=world.a_admin, organisation=world.partner_a, file=png_file(side=20))
    with pytest.raises(ValidationError):
        services.logo_set(
            actor=world.a_admin, organisation=world.partner_a, file=SimpleUploadedFile("l.png", b"<svg/>")
        )
    with pytest.raises(Http404):
        services.logo_set(actor=world.a_admin, organisation=world.partner_b, file=png_file())


def test_a_contribution_is_reviewed_then_published_or_rejected_with_a_comment(world):
    c = services.contribution_submit(actor=world.a_admin, organisation=world.partner_a, kind="case_study",
                                     title="Внедрение в банке", file=pdf_file("case.pdf"))  # fmt: skip
    assert c.status == "submitted"
    with pytest.raises(Http404):
        selectors.contribution(actor=world.b_admin, pk=c.pk)
    with pytest.raises(ValidationError):
        services.contribution_review(actor=world.vendor_admin, contribution=c, decision="rejected")
    services.contribution_review(actor=world.vendor_admin, contribution=c, decision="reviewed")
    c = services.contribution_review(actor=world.vendor_admin, contribution=c, decision="published")
    assert c.material.is_published and c.material.versions.get().file_kind == "pdf"
    assert Notification.objects.filter(user=world.a_admin, kind="library.contribution").count() == 2
    from partnerhub.core.problems import Conflict

    with pytest.raises(Conflict):
        services.contribution_review(actor=world.vendor_admin, contribution=c, decision="rejected", comment="late")


def test_api_lists_searches_and_uploads(world, api):
    material("Roadmap 2026", kind="roadmap", tags=["roadmap"])
    r = api(world.a_admin).get("/library/materials?q=roadmap")
    assert r.status_code == 200 and [m["title"] for m in r.json()["items"]] == ["Roadmap 2026"]
    assert r.json()["items"][0]["kind_label"]
    vendor = api(world.vendor_admin)
    r = vendor.post("/library/materials", {"kind": "cobranding", "title": "Leaflet", "template": "<p>{{ partner_name }}"
                                           "<script>x()</script></p>", "is_published": True})  # fmt: skip
    assert r.status_code == 201, r.content
    assert "script" not in Material.objects.get(pk=r.json()["id"]).template
    m = material("Deck", kind="presentation", file=pptx_file())
    r = vendor.post(f"/library/materials/{m.pk}/versions", FormData(file=pdf_file("deck.pdf"), note="v2"))
    assert r.status_code == 201 and r.json()["number"] == 2
    r = vendor.post(f"/library/materials/{m.pk}/versions", FormData(file=SimpleUploadedFile("x.zip", b"PK\x03\x04 no")))
    assert r.status_code == 422
    r = api(world.a_admin).post("/library/contributions", FormData(organisation_id=world.partner_a.pk, kind="banner",
                                                                   title="Banner", file=png_file("b.png")))  # fmt: skip
    assert r.status_code == 201, r.content
    assert api(world.b_admin).get(f"/library/contributions/{r.json()['id']}").status_code == 404
    assert api(world.b_admin).get("/library/contributions").json()["count"] == 0


def test_api_cobranded_pdf_refusal_is_a_problem_with_the_reason(world, api):
    enrol_in(world.partner_a, "authorized")
    t = template()
    r = api(world.a_admin).post(f"/library/materials/{t.pk}/cobranded-pdf", {"organisation_id": world.partner_a.pk})
    assert r.status_code == 403 and r.json()["code"] == "not_entitled" and "Privileged" in r.json()["detail"]
    enrol_in(world.partner_b, "privileged")
    r = api(world.b_admin).post(f"/library/materials/{t.pk}/cobranded-pdf", {"organisation_id": world.partner_b.pk})
    assert r.status_code == 200 and r.content.startswith(b"%PDF")


def test_pages_partner_library_and_vendor_console(world, ui):
    enrol_in(world.partner_a, "authorized")
    template()
    m = material("Brand book", kind="brand_book")
    page = ui(world.a_admin).get("/library/?q=brand").content.decode()
    assert "Brand book" in page and "Privileged" in page  # the co-branding refusal's reason shown
    assert ui(world.a_admin).get(f"/library/materials/{m.pk}/").status_code == 200
    r = ui(world.a_admin).post("/library/", {"kind": "banner", "title": "Our banner", "file": png_file("b.png")})
    assert r.status_code == 302 and Contribution.objects.filter(title="Our banner").exists()
    r = ui(world.a_admin).post(
        "/library/", {"kind": "banner", "title": "Bad", "file": SimpleUploadedFile("b.png", b"x")}
    )
    assert r.status_code == 422 and "error" in r.content.decode()
    vendor = ui(world.vendor_admin)
    assert vendor.get("/library/console/").status_code == 200
    r = vendor.post("/library/console/", {"kind": "logo", "title": "Logo pack", "file": png_file()})
    assert r.status_code == 302
    new = Material.objects.get(title="Logo pack")
    assert vendor.get(f"/library/console/materials/{new.pk}/").status_code == 200
    c = Contribution.objects.get(title="Our banner")
    r = vendor.post(f"/library/contributions/{c.pk}/", {"decision": "rejected", "comment": "Wrong size"})
    c.refresh_from_db()
    assert r.status_code == 302 and c.status == "rejected" and c.comment == "Wrong size"


def test_api_and_pages_refuse_disguised_files(world, api, ui):
    exe = lambda name: SimpleUploadedFile(name, b"MZ\x90\x00 an executable")  # noqa: E731
    r = api(world.a_admin).post(f"/library/organisations/{world.partner_a.pk}/logo", FormData(file=exe("logo.png")))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "logo"
    r = api(world.a_admin).post("/library/contributions", FormData(organisation_id=world.partner_a.pk, kind="banner",
                                                                   title="B", file=exe("b.pdf")))  # fmt: skip
    assert r.status_code == 422 and not Contribution.objects.exists()
    vendor = ui(world.vendor_admin)
    r = vendor.post("/library/console/", {"kind": "price_list", "title": "Prices", "file": exe("prices.xlsx")})
    assert r.status_code == 200 and not Material.objects.filter(title="Prices").exists()
    m = material()
    r = vendor.post(f"/library/console/materials/{m.pk}/", {"action": "version", "file": exe("v2.pdf")})
    assert r.status_code == 200 and m.versions.count() == 1
    r = ui(world.a_admin).post("/library/logo/", {"logo": exe("logo.png")})
    assert r.status_code == 302
    from partnerhub.partners.models import PartnerProfile

    assert not PartnerProfile.objects.filter(organisation=world.partner_a).exclude(logo="").exists()
