"""The certificate as a PDF: holder, type, level, validity and the address that verifies it."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from partnerhub.core.pdf import render_pdf

from .models import Certification


def verification_url(cert: Certification) -> str:
    return (
        f"{settings.SITE_URL}{reverse('certificate-verify', args=[cert.verification_code])}"
        if cert.verification_code
        else ""
    )


def certificate_pdf(cert: Certification) -> bytes:
    return render_pdf("enablement/certificate_pdf.html", {"cert": cert, "verify_url": verification_url(cert)})


def filename(cert: Certification) -> str:
    return f"certificate-{cert.number or cert.pk}.pdf"
