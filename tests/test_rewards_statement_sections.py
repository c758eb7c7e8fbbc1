"""Statements show rebates, contest prizes and SPIF bonuses, and development-funds claims as their own
columns and section, each traced to its source (the contest, the rebate's quarter, the claim) — on the page,
in the CSV, in the PDF and through the API."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from partnerhub.funds import services as funds
from partnerhub.incentives import services as incentives
from partnerhub.rewards.statement_pdf import html as statement_html

from .test_funds import PDF, grant, request_for
from .test_incentives import admin_of, contest, field, p002, partner, sell  # noqa: F401 - fixtures and helpers

pytestmark = pytest.mark.django_db


@pytest.fixture
def posted(world, p002, field):
    a, _b, _c = field
    inc = contest(world, p002, name="Лучший квартал", name_en="Best quarter")
    incentives.award_incentive(actor=world.finance, incentive=inc)  # a: second place, 20 000
    budget = grant(world, org=a)
    owner = admin_of(a)
    req = request_for(world, budget, user=owner)
    funds.approve_request(actor=world.finance, request=req)
    claim = funds.submit_claim(
        actor=owner,
        request=req,
        actual_cost="30000.00",
        files=[SimpleUploadedFile("proof.pdf", PDF, content_type="application/pdf")],
    )
    funds.approve_claim(actor=world.finance, claim=claim)
    from partnerhub.rewards.models import JournalEntry

    period = JournalEntry.objects.filter(organisation=a, kind="fund_claim").get().posted_on.strftime("%Y-%m")
    return a, owner, period, claim


def test_the_statement_shows_prizes_and_funds_with_their_sources(world, api, ui, posted):
    a, owner, period, claim = posted
    body = api(owner).get(f"/organisations/{a.pk}/statements/{period}").json()
    total = body["totals"][0]
    assert (total["incentives"], total["fund_claims"]) == ("20000.00", "30000.00")
    sources = {e["kind"]: e["source"] for e in body["entries"]}
    assert sources["incentive"] == "Sales contest «Best quarter» · place 2"  # the API speaks English by default
    assert f"#{claim.pk}" in sources["fund_claim"] and "Вебинар" in sources["fund_claim"]
    page = ui(owner).get(f"/earnings/{a.pk}/statements/{period}/").content.decode()
    assert 'data-testid="statement-other"' in page and "Best quarter" in page and f"#{claim.pk}" in page
    csv = ui(owner).get(f"/earnings/{a.pk}/statements/{period}.csv").content.decode("utf-8-sig").splitlines()
    header = csv[0].split(";")
    rows = [dict(zip(header, line.split(";"), strict=True)) for line in csv[1:]]
    funds_row = next(r for r in rows if r["line"] == "fund_claim")
    assert funds_row["reward"] == "30000.00" and "Вебинар" in funds_row["source"]
    from partnerhub.rewards import selectors

    others = selectors.statement_other_entries(actor=owner, organisation=a, period=period)
    text = statement_html(org=a, period=period, rows=[], totals=body["totals"], settlement=[], others=others)
    assert "Best quarter" in text and f"#{claim.pk}" in text


def test_another_partner_sees_none_of_it(world, api, posted):
    a, _owner, period, _claim = posted
    assert api(world.b_admin).get(f"/organisations/{a.pk}/statements/{period}").status_code in (403, 404)


def test_totals_carry_zero_for_kinds_without_entries(world, api, p002):
    org = partner(p002, "certified")
    sell(world, org, "1000.00", on=__import__("datetime").date.today())
    from partnerhub.rewards import selectors

    period = __import__("datetime").date.today().strftime("%Y-%m")
    totals = selectors.statement_totals(actor=world.finance, organisation=org, period=period)
    assert (totals[0]["rebates"], totals[0]["incentives"], totals[0]["fund_claims"]) == (Decimal(0),) * 3
