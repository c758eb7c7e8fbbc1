"""Content-Security-Policy: every page says scripts and styles come from this site only, and no
template needs inline script (event handler attributes, script bodies) or inline styles to work."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template import engines
from django.template.loaders.app_directories import get_app_template_dirs

pytestmark = pytest.mark.django_db

PAGES = ["/", "/login/", "/organisation/", "/organisations/", "/members/", "/programmes/", "/partners/",
         "/obligations/", "/deals/", "/webhooks/", "/notifications/", "/api/v1/docs"]  # fmt: skip


def _policy(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    return {d.split()[0]: d.split()[1:] for d in (p.strip() for p in header.split(";")) if d}


@pytest.mark.parametrize("path", PAGES)
def test_every_page_sends_a_policy_without_inline_script(world, ui, path):
    r = ui(world.vendor_admin).get(path, follow=True)
    assert r.status_code == 200, path
    policy = _policy(r)
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert not any("unsafe" in v for values in policy.values() for v in values)


def test_anonymous_pages_and_api_answers_carry_it_too(db, client):
    assert _policy(client.get("/become-a-partner/"))["script-src"] == ["'self'"]
    assert _policy(client.get("/api/v1/me"))["default-src"] == ["'self'"]


def _template_files() -> list[Path]:
    dirs = [Path(d) for d in engines["django"].engine.dirs] + [Path(d) for d in get_app_template_dirs("templates")]
    ours = [f for d in dirs for f in d.rglob("*.html") if ".venv" not in f.parts and "site-packages" not in f.parts]
    served_docs = Path(engines["django"].engine.find_template("ninja/swagger.html")[1].name)
    return [*ours, served_docs]


INLINE = [
    (re.compile(r"<[^>]*\son[a-z]+\s*=", re.I), "event handler attribute"),
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I), "inline script"),
    (re.compile(r"<[^>]*\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"<style", re.I), "style element"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_no_template_relies_on_inline_script_or_style():
    files = _template_files()
    assert len(files) > 50  # the project's and the apps' templates were found
    found = [f"{f}: {what}" for f in files for pattern, what in INLINE if pattern.search(f.read_text(encoding="utf-8"))]
    assert found == []


def test_base_layout_loads_the_behaviours_and_turns_off_htmx_inline_styles(world, ui):
    page = ui(world.vendor_admin).get("/").content.decode()
    assert "/static/js/partnerhub.js" in page
    assert 'name="htmx-config"' in page and '"includeIndicatorStyles": false' in page
    assert "data-autosubmit" in page or "orgswitch" not in page


def test_api_docs_come_from_this_site(world, ui):
    page = ui(world.vendor_admin).get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
