"""Materials, programmes with the co-branding benefit and files for the library tests."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from partnerhub.library import services
from partnerhub.programmes.models import Benefit, Tier

from .programme_builders import security_programme

TEMPLATE = "<h2>Партнёр {{ partner_name }}</h2><p>{{ partner_logo }}</p><p>Контакты: {{ partner_email }}</p>"


def pdf_file(name="price.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n")


def pptx_file(name="deck.pptx"):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("ppt/presentation.xml", "<p:presentation/>")
    return SimpleUploadedFile(name, buf.getvalue())


def png_file(name="logo.png", side=240):
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (side, side), (10, 120, 200)).save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue())


def material(title="Price list", *, kind="price_list", file=None, published=True, **fields):
    if kind != "cobranding" and file is None:
        file = pdf_file()
    return services.material_create(actor=None, kind=kind, title=title, file=file, is_published=published, **fields)


def template(title="Co-branded leaflet", **fields):
    return material(title, kind="cobranding", template=TEMPLATE, **fields)


def enrol_in(org, tier_code, *, programme_code="sec", role_code="reseller", cobranding_tier="privileged"):
    """``org`` enrolled (active) at ``tier_code``; the programme's ``cobranding_tier`` grants co-branding."""
    from partnerhub.partners.services import enrol
    from partnerhub.programmes.models import Programme

    programme = Programme.objects.filter(code=programme_code).first()
    if programme is None:
        version = security_programme(code=programme_code)
        tier = Tier.objects.get(version=version, code=cobranding_tier)
        Benefit.objects.create(tier=tier, kind="perk", code="co-branding", label="Совместные материалы")
        programme = version.programme
    return enrol(actor=None, organisation=org, programme=programme, role_code=role_code, joined_on=date(2026, 1, 1),
                 starting_tier_code=tier_code, active=True)  # fmt: skip


def pdf_strings(data: bytes) -> tuple[bytes, list[str]]:
    """The PDF's bytes with every Flate stream inflated, and its Info/metadata strings (UTF-16 hex decoded)."""
    inflated = data
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            inflated += zlib.decompress(m.group(1))
        except zlib.error:
            pass
    texts = []
    for m in re.finditer(rb"/(?:Title|Author)\s*<([0-9a-fA-F]+)>", inflated):
        raw = bytes.fromhex(m.group(1).decode())
        texts.append(raw[2:].decode("utf-16-be") if raw.startswith(b"\xfe\xff") else raw.decode("latin-1"))
    for m in re.finditer(rb"/(?:Title|Author)\s*\(([^)]*)\)", inflated):
        texts.append(m.group(1).decode("latin-1"))
    return inflated, texts
