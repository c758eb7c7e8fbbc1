"""What a person reads on the demo's pages is labels and locale-formatted figures, in the language chosen — the
defects a first-time walk through the demo found (figures ungrouped, codes for labels, one language for both)."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client

from partnerhub.deals.models import ClaimConflict
from partnerhub.identity.models import User
from partnerhub.marketplace.models import Subscription

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())


def page(email: str, url: str, language: str = "ru") -> str:
    user = User.objects.get(email=email)
    user.language = language
    user.save(update_fields=["language"])
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, (email, url, response.status_code)
    return response.content.decode()


def test_demo_pages_show_labels_and_grouped_figures_in_the_language_chosen(demo):
    tier = page("admin@alpha.demo", "/tier/")
    figures = re.findall(r'<span class="figures">([^<]*)</span>', tier)
    assert figures and any(re.search(r"\d\xa0\d{3}", f) for f in figures), figures  # 4 520 200, not 4520200
    assert not any(re.search(r"\d{5}", f) for f in figures), figures

    alpha = User.objects.get(email="admin@alpha.demo").memberships.get().organisation_id
    earnings_en = page("admin@alpha.demo", f"/earnings/{alpha}/", "en")
    assert "Rated sales" in earnings_en and "Тарифицированные продажи" not in earnings_en
    earnings_ru = page("admin@alpha.demo", f"/earnings/{alpha}/", "ru")
    assert "Тарифицированные продажи" in earnings_ru

    tiers_en = page("admin@vendor.demo", "/tiers/", "en")
    assert "Партнёрская программа" not in tiers_en

    customer = User.objects.get(email="admin@customer.demo").memberships.get().organisation_id
    sub = Subscription.objects.select_related("plan").filter(customer_id=customer).first()
    subs = page("admin@customer.demo", "/subscriptions/")
    assert f"<td>{sub.plan.name_ru}</td>" in subs and f"<td>{sub.plan_code}</td>" not in subs


def test_a_conflicts_match_reads_as_words_and_a_first_status_has_no_blank_before_it(demo):
    conflict = ClaimConflict.objects.filter(reasons__isnull=False).select_related("claim").first()
    detail = page("admin@vendor.demo", f"/deals/{conflict.claim_id}/")
    badges = re.findall(r'<span class="badge">([^<]*)</span>', detail)
    words = ("тот же ИНН", "похожее название", "тот же домен")
    assert any(b.startswith(words) and b.endswith("%") for b in badges), badges
    assert ":  →" not in detail


def test_a_provisioning_requests_details_name_the_plan_and_resources(demo):
    from partnerhub.marketplace.models import ProvisioningRequest

    req = ProvisioningRequest.objects.filter(payload__has_key="plan").select_related("subscription__plan").first()
    html = page("admin@vendor.demo", f"/marketplace/provisioning/{req.pk}/")
    details = html.split("<dt>Подробности</dt><dd>")[1].split("</dd>")[0]
    assert details.startswith("Тариф: ") and "quantities" not in details and "plan:" not in details, details
