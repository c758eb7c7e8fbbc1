"""No code reaches a person: on the demo data, the pages that show programme data and the audit log name
statuses, tiers, roles, obligations and causes by their labels, in Russian and in English.

The browser tour (tests/test_portal_browser.py) checks the rendered text of each role's pages; this
checks the server's HTML of the pages that name programme codes, without a browser, in both languages.
"""

from __future__ import annotations

import html
import io
import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation

from partnerhub.core.models import AuditEntry
from partnerhub.identity.models import User
from partnerhub.partners.models import Enrolment
from partnerhub.programmes.models import ProgrammeRole, Tier


def choice_codes(language: str) -> set[str]:
    """Every stored value of every choices list that is a code, not a word, in ``language``: its label there
    does not say it (``cookie`` is in "Реферальная ссылка (cookie)"). In English a code that is an English word
    (``partner``, ``registered``) cannot be told from prose, so only compound codes (``renewals_work``) count."""
    from partnerhub.deals.models import Claim

    lists = [Claim.HoldReason.choices]  # codes kept in a JSON list, not in a field with choices
    for model in apps.get_models():
        if model.__module__.startswith("partnerhub."):
            lists += [getattr(f, "choices", None) or [] for f in model._meta.get_fields()]
    codes = set()
    for choices in lists:
        for value, label in choices:
            if not isinstance(value, str) or len(value) < 3:
                continue
            if language == "en" and "_" not in value and "-" not in value:
                continue
            with translation.override(language):
                said = re.search(rf"\b{re.escape(value)}\b", str(label), re.I)
            if not said:
                codes.add(value)
    return codes


def programme_codes() -> set[str]:
    """The codes of the demo programmes' tiers and roles that are not words of their names (``reseller``
    is named "Реселлер" / "Reseller", a code; ``certified`` is the word of "Certified")."""
    rows = [*Tier.objects.values_list("code", "name", "name_en"),
            *ProgrammeRole.objects.values_list("code", "name", "name_en")]  # fmt: skip
    return {
        code for code, name, name_en in rows
        if len(code) >= 3 and not re.search(rf"\b{re.escape(code)}\b", f"{name} {name_en}")
    }  # fmt: skip


def pattern(codes: set[str]) -> re.Pattern:
    """A code standing on its own: not part of an address or a path, nor a word of a Latin phrase
    ("Security engineer" names a certification; "sale_type (new or renewal)" tells a file's columns)."""
    words = "|".join(sorted(map(re.escape, codes), key=len, reverse=True))
    return re.compile(r"(?<![\w@./-])(?<![A-Za-z] )(" + words + r")(?![\w@/-])(?! [A-Za-z(])")


def visible_text(page: str) -> str:
    """The text of <main> as a person reads it: no tags, no attributes, no deliberate identifiers in <code>."""
    main = page.split("<main", 1)[1].split("</main>", 1)[0]
    main = re.sub(r"<code>.*?</code>", " ", main, flags=re.S)
    main = re.sub(r"<(script|style|select)\b.*?</\1>", " ", main, flags=re.S)  # option values are codes by design
    return html.unescape(re.sub(r"<[^>]+>", " ", main))


@pytest.fixture
def demo(db):
    with translation.override("ru"):  # as the site's default language: what the log stores reads in Russian
        call_command("load_demo", stdout=io.StringIO())
    return {u.email: u for u in User.objects.filter(email__endswith=".demo")}


LISTS = [
    "/organisations/", "/members/", "/tokens/", "/notifications/", "/obligations/", "/deals/", "/leads/",
    "/sales/", "/webhooks/", "/referrals/", "/specialists/", "/products/", "/rates/",
]  # fmt: skip


def pages(demo) -> dict[str, list[str]]:
    from partnerhub.deals.models import Claim
    from partnerhub.leads.models import Lead
    from partnerhub.partners.models import Application

    e = Enrolment.objects.filter(organisation__name__startswith="Альфа").order_by("pk").first()
    tier_changes = AuditEntry.objects.filter(action="tier.changed").order_by("pk").first()
    deal = Claim.objects.exclude(tier_code="").order_by("pk").first() or Claim.objects.order_by("pk").first()
    return {
        "admin@vendor.demo": [
            *LISTS, "/enrolments/", f"/enrolments/{e.pk}/", "/tiers/", "/audit/", "/audit/?action=tier.changed",
            "/audit/?action=lead.offered", "/audit/?action=enrolment.created", f"/audit/{tier_changes.pk}/",
            "/programmes/", f"/programmes/{e.programme.code}/v1/", "/onboarding/applications/",
            f"/onboarding/applications/{Application.objects.order_by('pk').first().pk}/",
            f"/organisations/{e.organisation_id}/", f"/deals/{deal.pk}/", f"/leads/{Lead.objects.first().pk}/",
            "/deals/review/", "/deals/overview/", "/referrals/traffic/", "/rewards/finance/",
            "/support/console/", "/benefits/console/", "/audit/?action=support.opened",
            "/audit/?action=benefits.fulfilled",
        ],
        "admin@alpha.demo": [*LISTS, "/", "/tier/", "/lead-inbox/", "/enrolments/", "/audit/", "/earnings/",
                             "/support/", "/benefits/",
                             f"/earnings/{e.organisation_id}/statements/{timezone.localdate():%Y-%m}/"],
        "bdm@vendor.demo": ["/", "/enrolments/", "/deals/review/"],
        "admin@customer.demo": ["/"],
        None: ["/", "/become-a-partner/", f"/become-a-partner/{e.programme.code}/", "/partners/",
               f"/partners/{e.organisation_id}/"],
    }  # fmt: skip


@pytest.mark.parametrize("language", ["ru", "en"])
def test_pages_that_show_programme_data_name_every_code(demo, language):
    codes = choice_codes(language) | programme_codes()
    if language == "en":  # as for choices: only compound codes are told from English prose
        codes = {c for c in codes if "_" in c or "-" in c}
    found_codes = pattern(codes)
    found = {}
    for email, paths in pages(demo).items():
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        if email:
            client.force_login(demo[email])
        for path in paths:
            response = client.get(path, follow=True)
            assert response.status_code == 200, path
            hits = sorted(set(found_codes.findall(visible_text(response.content.decode()))))
            if hits:
                found[(email, path)] = hits
    assert found == {}, "\n".join(f"{k}: {v}" for k, v in found.items())


def test_an_audit_entry_names_its_object_and_the_tiers_it_moved_between(demo):
    entry = AuditEntry.objects.filter(action="tier.changed").order_by("pk").first()
    assert entry.object_repr and not entry.object_repr.startswith("enrolment")
    assert entry.before["tier_code"] != entry.after["tier_code"]  # the log keeps the codes...
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(demo["admin@vendor.demo"])
    page = visible_text(client.get(f"/audit/{entry.pk}/").content.decode())
    new = str(Tier.objects.filter(code=entry.after["tier_code"]).order_by("version_id").last())
    assert "Enrolment #" in page and "What changed it" in page and new in page  # ...and says their names


def test_hold_reasons_read_as_sentences_on_the_deal_and_in_the_log(demo):
    from partnerhub.deals.models import Claim

    held = next(c for c in Claim.objects.order_by("pk") if "conflict" in c.hold_reasons)
    entry = AuditEntry.objects.filter(action="deal.registered", object_id=str(held.pk)).get()
    assert "conflict" in entry.after["hold_reasons"]  # the log keeps the code
    client = Client(HTTP_ACCEPT_LANGUAGE="ru")
    client.force_login(demo["admin@vendor.demo"])
    for path in (f"/deals/{held.pk}/", f"/audit/{entry.pk}/", "/deals/review/"):
        page = visible_text(client.get(path).content.decode())
        assert "тот же клиент зарегистрирован другим партнёром" in page, path
        assert not re.search(r"\bconflict\b", page), path


def test_the_front_page_names_programmes_and_roles_in_the_visitors_language(demo):
    en = visible_text(Client(HTTP_ACCEPT_LANGUAGE="en").get("/").content.decode())
    assert "Security software vendor's partner programme" in en and "Reseller" in en
    assert "Партнёрская программа разработчика средств защиты" not in en
    ru = visible_text(Client(HTTP_ACCEPT_LANGUAGE="ru").get("/").content.decode())
    assert "Партнёрская программа разработчика средств защиты" in ru and "Реселлер" in ru
    assert "White Label" in ru and "White Label" in en  # a role named only once reads the same in both
