"""Demo library: a price list, a presentation, a brand book for the Privileged tier, a banner and the co-branding
template. Idempotent: nothing is created when the demo price list exists."""

from __future__ import annotations

import io
import zipfile

from django.core.files.base import ContentFile
from django.db import transaction

from . import services
from .models import Material

PRICE_LIST = "Прайс-лист партнёра"
TEMPLATE = """<h2>Защита периметра — от {{ partner_name }}</h2>
<p>{{ partner_logo }}</p>
<p>Мы внедряем и сопровождаем решения вендора: аудит, проектирование, установка и поддержка.</p>
<ul><li>Сертифицированные инженеры</li><li>Демонстрация на вашей инфраструктуре</li><li>Поддержка 24/7</li></ul>
<p>Свяжитесь с нами: {{ partner_email }} · {{ partner_phone }} · {{ partner_website }}</p>"""


def _pdf(text: str) -> bytes:
    """A minimal one-page PDF (valid cross-reference table) with a line of ASCII text."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]  # fmt: skip
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % o for o in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def _pptx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("ppt/presentation.xml", '<?xml version="1.0"?><presentation/>')
    return buf.getvalue()


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (728, 90), (20, 90, 160)).save(buf, "PNG")
    return buf.getvalue()


@transaction.atomic
def load_demo_library() -> int:
    if Material.objects.filter(title=PRICE_LIST).exists():
        return 0
    items = [
        ("price_list", PRICE_LIST, "Цены для партнёров на программное обеспечение и продления.", ["цены", "2026"],
         ContentFile(_pdf("Partner price list"), name="price-list.pdf"), {}),
        ("presentation", "Презентация продукта для заказчика", "Слайды для первой встречи с заказчиком.",
         ["продажи", "презентация"], ContentFile(_pptx(), name="product-deck.pptx"), {}),
        ("brand_book", "Брендбук и правила использования товарного знака", "Для партнёров статуса Privileged.",
         ["бренд", "логотип"], ContentFile(_pdf("Brand book"), name="brand-book.pdf"),
         {"programme_code": "security-partners", "tiers": ["privileged"]}),
        ("banner", "Баннер 728×90 для сайта партнёра", "", ["баннер", "сайт"],
         ContentFile(_png(), name="banner.png"), {}),
        ("roadmap", "Дорожная карта продукта", "Планы на год: что выйдет и когда.", ["планы"],
         ContentFile(_pdf("Product roadmap"), name="roadmap.pdf"), {}),
    ]  # fmt: skip
    for kind, title, description, tags, file, extra in items:
        services.material_create(actor=None, kind=kind, title=title, description=description, tags=tags, file=file,
                                 is_published=True, **extra)  # fmt: skip
    services.material_create(actor=None, kind="cobranding", title="Листовка с логотипом партнёра", template=TEMPLATE,
                             tags=["co-branding"], is_published=True)  # fmt: skip
    return len(items) + 1
