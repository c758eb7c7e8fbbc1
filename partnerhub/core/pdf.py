"""Documents as PDF: a template rendered to HTML, then laid out by WeasyPrint.

Templates carry no inline style (the content security policy of the pages applies to their
templates too, and one rule is easier to keep than two): a PDF template links its style sheet
with ``<link rel="stylesheet" href="pdf/<name>.css">``, resolved against the project's ``static``
folder, never fetched over the network.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

STATIC = Path(settings.BASE_DIR) / "static"


def _fetcher():
    """WeasyPrint's URL fetcher, limited to files under ``static`` and inline ``data:`` images (no network,
    no other file): a document that carries an uploaded image (a partner's logo) embeds it as a data URL."""
    from weasyprint.urls import URLFetcher

    class LocalOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith(("data:image/png;base64,", "data:image/jpeg;base64,")):
                return super().fetch(url, headers)
            path = Path(url.removeprefix("file://").split("?")[0]).resolve()
            if not url.startswith("file://") or STATIC.resolve() not in path.parents:
                raise ValueError(f"PDF resources come from the static folder only: {url}")
            return super().fetch(url, headers)

    return LocalOnly(allowed_protocols={"file", "data"})


def render_pdf(template_name: str, context: dict) -> bytes:
    """The template ``template_name`` rendered with ``context``, as PDF bytes."""
    from weasyprint import HTML

    html = render_to_string(template_name, context)
    return HTML(string=html, base_url=f"{STATIC.resolve()}/", url_fetcher=_fetcher()).write_pdf()
