"""The portal as people use it: the front page, each role's dashboard (figures, charts, query counts),
the grouped navigation, money in the reader's language, offline API docs and a quiet console."""

from __future__ import annotations

import io
import logging
import re
import sys
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from partnerhub.core.charts import bar_chart
from partnerhub.core.formatting import money
from partnerhub.core.tenancy import actor_for
from partnerhub.identity.models import User
from partnerhub.identity.selectors import home_organisation
from partnerhub.portal import navigation
from partnerhub.portal.dashboards import dashboard_for

ROLES = {"admin@vendor.demo": "vendor", "bdm@vendor.demo": "manager", "admin@alpha.demo": "partner",
         "admin@customer.demo": "customer"}  # fmt: skip


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())
    return {u.email: u for u in User.objects.filter(email__endswith=".demo")}


def test_the_front_page_shows_the_programmes_how_to_join_the_locator_and_sign_in(db):
    from partnerhub.programmes.services import load_demo_programmes

    load_demo_programmes()
    response = Client().get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="front-page"' in html
    assert "/become-a-partner/security-partners/" in html
    assert 'action="/partners/"' in html  # the locator's search
    assert 'href="/login/"' in html


def test_each_demo_role_has_its_dashboard_with_figures_and_charts(demo):
    client = Client()
    for email, role in ROLES.items():
        client.force_login(demo[email])
        html = client.get("/").content.decode()
        assert f'data-role="{role}"' in html, email
        assert html.count('data-testid="chart"') >= 1, email
        assert "<svg" in html and "<table" in html, email  # every chart has its table
        client.logout()
    client.force_login(demo["admin@alpha.demo"])
    html = client.get("/").content.decode()
    assert 'data-testid="kpi-leads"' in html and 'data-testid="lead-offers"' in html
    # the partner's open lead offers from the demo, by customer name
    assert "Северсталь" in html


@pytest.mark.parametrize("email, queries", [("admin@vendor.demo", 10), ("bdm@vendor.demo", 11),
                                            ("admin@alpha.demo", 7), ("admin@customer.demo", 5)])  # fmt: skip
def test_a_dashboard_reads_its_figures_in_a_fixed_number_of_queries(demo, email, queries):
    user = demo[email]
    organisation = home_organisation(actor=user)
    actor_for(user)  # memberships are loaded once per request by the navigation already
    with CaptureQueriesContext(connection) as ctx:
        dashboard_for(user, organisation)
    assert len(ctx.captured_queries) == queries, [q["sql"][:120] for q in ctx.captured_queries]


def test_the_home_page_query_count_does_not_grow_with_the_data(demo, django_assert_max_num_queries):
    client = Client()
    client.force_login(demo["admin@vendor.demo"])
    with django_assert_max_num_queries(24):
        assert client.get("/").status_code == 200


def test_every_role_sees_at_most_seven_top_level_entries_grouped_by_job(demo):
    for email in [*ROLES, "finance@vendor.demo", "sales@alpha.demo", "engineer@alpha.demo", "member@customer.demo"]:
        entries = navigation.menu(actor_for(demo[email]))
        assert 2 <= len(entries) <= navigation.MAX_TOP_LEVEL, email
    vendor = navigation.menu(actor_for(demo["admin@vendor.demo"]))
    groups = {str(e["label"]): [str(c["label"]) for c in e["children"]] for e in vendor if "children" in e}
    assert "Applications" in groups["Partners"] and "Deal review" in groups["Sales and deals"]


def test_money_is_written_the_way_the_reader_writes_it():
    with translation.override("ru"):
        assert money(Decimal("1400000"), "RUB") == "1\xa0400\xa0000\xa0₽"
        assert money(Decimal("60000"), "USD") == "60\xa0000,00\xa0$"
    with translation.override("en"):
        assert money(Decimal("60000"), "USD") == "$60,000.00"
        assert money(Decimal("1400000.50"), "RUB") == "₽1,400,000.50"


def test_a_chart_scales_its_bars_and_keeps_every_figure_for_its_table():
    chart = bar_chart(key="k", title="T", points=[("a", 10), ("b", 5), ("c", 0)], fmt=str)
    heights = [b.height for b in chart.bars]
    assert heights[0] == pytest.approx(2 * heights[1]) and heights[2] == 0
    assert [b.display for b in chart.bars] == ["10", "5", "0"]
    assert bar_chart(key="e", title="E", points=[("a", 0)]).empty


def test_the_api_docs_load_nothing_from_another_host(db):
    html = Client().get("/api/v1/docs").content.decode()
    assert "swagger-ui-bundle.js" in html
    hosts = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
    assert hosts == []


def _record(status: int) -> logging.LogRecord:
    try:
        raise PermissionError("refused")
    except PermissionError:
        exc_info = sys.exc_info()
    record = logging.LogRecord("django.request", logging.WARNING, "", 0, "Forbidden: /x", (), exc_info)
    record.status_code = status
    return record


def test_a_refused_request_is_logged_in_one_line_without_a_traceback_and_a_failure_keeps_it():
    from partnerhub.core.logging import ForbiddenWithoutTraceback

    refused, failed = _record(403), _record(500)
    assert ForbiddenWithoutTraceback().filter(refused) and refused.exc_info is None
    assert ForbiddenWithoutTraceback().filter(failed) and failed.exc_info is not None


def test_the_console_filter_is_installed(settings):
    assert "forbidden_without_traceback" in settings.LOGGING["handlers"]["console"]["filters"]


def test_the_console_prints_e_mails_as_people_read_them(settings):
    settings.EMAIL_BACKEND = "partnerhub.core.mail.EmailBackend"
    stream = io.StringIO()
    from partnerhub.core.mail import EmailBackend

    message = mail.EmailMessage(subject="Заявка одобрена", body="Здравствуйте, Анна!", to=["anna@example.com"])
    EmailBackend(stream=stream).send_messages([message])
    out = stream.getvalue()
    assert "Subject: Заявка одобрена" in out and "Здравствуйте, Анна!" in out
    assert "=D0" not in out and "utf-8?b?" not in out.lower()


def test_the_audit_log_says_what_happened_in_words_and_fields_by_their_labels(demo):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(demo["admin@vendor.demo"])
    html = client.get("/audit/?action=lead.offered").content.decode()
    assert "Lead offered to a partner" in html
    assert "<code>lead.offered</code>" not in html
    from partnerhub.core.audit_labels import labelled_changes
    from partnerhub.core.models import AuditEntry

    entry = AuditEntry.objects.filter(action="lead.offered").first()
    with translation.override("en"):
        changes = {field: new for field, _old, new in labelled_changes(entry)}
    assert changes["Status"] == "Offered" and changes["Found at"] == "Whole country"
