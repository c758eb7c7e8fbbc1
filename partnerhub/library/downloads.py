"""File responses of the library, shared by the pages and the API."""

from __future__ import annotations

from pathlib import Path

from django.http import FileResponse, Http404, HttpResponse
from django.utils.text import slugify

from partnerhub.core import uploads

from .models import Material


def file_response(field_file, *, stem: str) -> FileResponse:
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as exc:  # the row outlived its file (restored database, moved storage)
        raise Http404 from exc
    extension = Path(field_file.name).suffix.lower()
    kind = next((k for k in uploads.KINDS.values() if f".{k.extension}" == extension), None)
    name = f"{slugify(stem, allow_unicode=True)[:60] or 'file'}{extension}"
    response = FileResponse(handle, as_attachment=True, filename=name)
    if kind is not None:
        response["Content-Type"] = kind.content_type
    return response


def pdf_response(data: bytes, material: Material) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="cobranded-{material.pk}.pdf"'
    return response
