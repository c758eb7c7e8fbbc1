"""Periodic incentives: the 002 quarterly rebate to the kopeck, idempotent posting; contests and SPIFs —
standings, awards paid once, hidden amounts (page and API), bad input as field errors."""

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from partnerhub.core.formatting import money
from partnerhub.core.models import Notification
from partnerhub.core.problems import Conflict
from partnerhub.incentives import services
from partnerhub.incentives.models import Award, Incentive, Rebate
from partnerhub.partners.models import TierChange
from partnerhub.partners.services import enrol
from partnerhub.programmes import services as programmes
from partnerhub.programmes.models import ProgrammeVersion
from partnerhub.rewards import services as rewards
from partnerhub.rewards.models import JournalEntry, LedgerLine
from partnerhub.rewards.services.ledger import balances

from .factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

DEFINITIONS = Path(programmes.__file__).parent / "definitions"


@pytest.fixture
def p002(db) -> ProgrammeVersion:
    return programmes.import_programme(actor=None, path=DEFINITIONS / "security_002.yaml")


def partner(version, tier="authorized", name=None):
    org = OrganisationFactory(**({"name": name} if name else {}))
    enrol(actor=None, organisation=org, programme=version.programme, role_code="reseller", starting_tier_code=tier,
          joined_on=date(2026, 1, 1), active=True)  # fmt: skip
    return org


def sell(world, org, amount, *, on, family="software", currency="RUB", sale_type="new"):
    return rewards.record_sale(actor=world.finance, organisation=org, customer_name="ООО Клиент",
                               product_family=family, sale_type=sale_type, amount=str(amount), currency=currency,
                               sold_on=on if isinstance(on, date) else date.fromisoformat(on))  # fmt: skip


def admin_of(org):
    user = UserFactory()
    MembershipFactory(user=user, organisation=org, role="partner_admin")
    return user


# ------------------------------------------------------------------ quarterly rebates


def test_002_privileged_rebate_is_5_percent_of_the_privileged_dated_sales_to_the_kopeck(world, p002):
    org = partner(p002, "authorized")
    TierChange.objects.create(enrolment=org.enrolments.get(), effective_on=date(2026, 2, 15),
                              from_tier_code="authorized", to_tier_code="privileged", version=p002,
                              cause="evaluation")  # fmt: skip
    sell(world, org, "100000.00", on="2026-01-20")  # authorized that day: no rebate
    sell(world, org, "123456.79", on="2026-02-15")  # privileged from this day
    sell(world, org, "0.10", on="2026-03-31", family="hardware")
    sell(world, org, "5000.00", on="2026-04-01")  # next quarter
    other = partner(p002, "certified")  # certified has no rebate benefit
    sell(world, other, "900000.00", on="2026-02-20")

    [line] = services.preview_quarterly_rebates(actor=world.finance, year=2026, quarter=1)
    # base 123456.89; 5 % = 6172.8445 → 6172.84 (half-up per partner, currency and percent)
    assert (line.organisation_id, line.currency, line.base, line.amount) == (
        org.pk,
        "RUB",
        Decimal("123456.89"),
        Decimal("6172.84"),
    )
    assert not line.posted and LedgerLine.objects.filter(entry__kind="rebate").count() == 0  # preview posts nothing

    [rebate] = services.post_quarterly_rebates(actor=world.finance, year=2026, quarter=1)
    assert (rebate.organisation_id, rebate.amount, rebate.base) == (org.pk, Decimal("6172.84"), Decimal("123456.89"))
    assert rebate.entry.kind == JournalEntry.Kind.REBATE
    lines = {ln.account: ln.amount for ln in rebate.entry.lines.all()}
    assert lines == {"vendor_expense": Decimal("6172.84"), "accrued": Decimal("-6172.84")}
    # 25 %, 35 %, 25 % and (April) 35 % of the lines
    accrued_sales = Decimal("25000.00") + Decimal("43209.88") + Decimal("0.03") + Decimal("1750.00")
    assert balances([org.pk])[(org.pk, "RUB")]["accrued"] == accrued_sales + Decimal("6172.84")
    assert Notification.objects.filter(organisation=org, kind="incentive").exists() is False  # no members to tell


def test_a_quarter_posted_twice_posts_once(world, p002):
    org = partner(p002, "privileged")
    sell(world, org, "1000.00", on="2026-05-10")
    first = services.post_quarterly_rebates(actor=world.finance, year=2026, quarter=2)
    again = services.post_quarterly_rebates(actor=world.vendor_admin, year=2026, quarter=2)
    assert len(first) == 1 and again == []
    assert Rebate.objects.count() == 1 and JournalEntry.objects.filter(kind="rebate").count() == 1
    [line] = services.preview_quarterly_rebates(actor=world.finance, year=2026, quarter=2)
    assert line.posted and line.amount == Decimal("50.00")


def test_rebate_bad_input_and_permissions(world, p002):
    with pytest.raises(ValidationError) as exc:
        services.post_quarterly_rebates(actor=world.finance, year=2026, quarter=5)
    assert "quarter" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.post_quarterly_rebates(actor=world.finance, year=timezone.localdate().year + 1, quarter=1)
    assert "quarter" in exc.value.message_dict  # not ended yet
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.post_quarterly_rebates(actor=world.bdm_a, year=2026, quarter=1)


def test_rebates_through_the_api_and_the_partners_earnings(world, p002, api, ui):
    org = partner(p002, "privileged")
    owner = admin_of(org)
    sell(world, org, "2000.00", on="2026-07-01")
    preview = api(world.finance).get("/rebates/preview?year=2026&quarter=3").json()
    assert preview == [{"organisation_id": org.pk, "name": org.name, "currency": "RUB", "base": "2000.00",
                        "amount": "100.00", "posted": False}]  # fmt: skip
    r = api(world.finance).post("/rebates", {"year": 2026, "quarter": 3})
    assert r.status_code == 201 and r.json()[0]["amount"] == "100.00"
    assert api(world.finance).post("/rebates", {"year": 2026, "quarter": 3}).json() == []
    bad = api(world.finance).post("/rebates", {"year": 2026, "quarter": 9})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "quarter"
    mine = api(owner).get("/rebates").json()["items"]
    assert [x["amount"] for x in mine] == ["100.00"]
    assert api(world.a_admin).get("/rebates").json()["items"] == []
    page = ui(owner).get(reverse("earnings", args=[org.pk])).content.decode()
    assert "Quarterly rebate" in page
    assert Notification.objects.filter(user=owner, kind="incentive").exists()


# ------------------------------------------------------------------ contests and SPIFs


def ended(days=1):
    today = timezone.localdate()
    return today - timedelta(days=40), today - timedelta(days=days)


def contest(world, version, **kw):
    start, end = kw.pop("period", ended())
    prizes = [{"rank": 1, "amount": "50000", "label": "Первое место"}, {"rank": 2, "amount": "20000"}]
    fields = {"kind": "contest", "name": "Лучший квартал", "name_en": "Best quarter", "metric": "sales_volume",
              "programme": version.programme.code, "currency": "RUB", "starts_on": start, "ends_on": end,
              "prizes": prizes}  # fmt: skip
    return services.save_incentive(actor=world.vendor_admin, **(fields | kw))


@pytest.fixture
def field(world, p002):
    """Three partners of 002 selling in the last forty days (one in USD), one of another programme."""
    start, end = ended()
    a, b, c = (partner(p002, t, name=n) for t, n in [("privileged", "Альфа"), ("certified", "Бета"),
                                                      ("authorized", "Гамма")])  # fmt: skip
    from partnerhub.rewards.models import ExchangeRate

    ExchangeRate.objects.create(currency="USD", on=start - timedelta(days=5), value=Decimal("90.0000"))
    sell(world, a, "300000.00", on=start + timedelta(days=1))
    sell(world, a, "100000.00", on=start + timedelta(days=2))
    sell(world, b, "5000.00", on=start + timedelta(days=3), currency="USD")  # 450 000 ₽
    sell(world, c, "100000.00", on=end)
    sell(world, c, "999999.00", on=end + timedelta(days=1))  # after the period
    return a, b, c


def test_contest_standings_rank_by_converted_volume_and_award_pays_once(world, p002, field, api):
    a, b, _c = field
    owner_a = admin_of(a)
    inc = contest(world, p002)
    rows = api(world.vendor_admin).get(f"/incentives/{inc.pk}/standings").json()["items"]
    assert [(r["name"], r["rank"], r["figure"]) for r in rows] == [
        ("Бета", 1, "450000.00"),
        ("Альфа", 2, "400000.00"),
        ("Гамма", 3, "100000.00"),
    ]
    awards = services.award_incentive(actor=world.finance, incentive=inc)
    assert {(x.organisation_id, x.rank, x.amount) for x in awards} == {(b.pk, 1, Decimal("50000.00")),
                                                                       (a.pk, 2, Decimal("20000.00"))}  # fmt: skip
    again = services.award_incentive(actor=world.finance, incentive=inc)
    assert len(again) == 2 and Award.objects.count() == 2
    assert JournalEntry.objects.filter(kind="incentive").count() == 2
    entry = Award.objects.get(organisation=a).entry
    assert {ln.account: ln.amount for ln in entry.lines.all()} == {"vendor_expense": Decimal("20000.00"),
                                                                   "accrued": Decimal("-20000.00")}  # fmt: skip
    assert Notification.objects.filter(user=owner_a, kind="incentive").count() == 1
    r = api(world.finance).post(f"/incentives/{inc.pk}/award")
    assert r.status_code == 200 and len(r.json()) == 2
    edit = api(world.vendor_admin).put(f"/incentives/{inc.pk}", _body(inc, p002))
    assert edit.status_code == 409


def _body(inc, version, **kw):
    return {"kind": "contest", "name": "X", "programme": version.programme.code, "metric": "sales_volume",
            "starts_on": inc.starts_on.isoformat(), "ends_on": inc.ends_on.isoformat(),
            "prizes": [{"rank": 1, "amount": "100"}]} | kw  # fmt: skip


def test_a_running_contest_cannot_be_awarded(world, p002, field):
    today = timezone.localdate()
    inc = contest(world, p002, period=(today - timedelta(days=3), today + timedelta(days=3)))
    with pytest.raises(Conflict):
        services.award_incentive(actor=world.finance, incentive=inc)


def test_spif_pays_a_bonus_to_everyone_over_the_target(world, p002, field):
    a, b, _c = field
    spif = contest(world, p002, kind="spif", prizes=[], target="400000", bonus_kind="percent", bonus_percent="2.5")
    paid = {x.organisation_id: x.amount for x in services.award_incentive(actor=world.finance, incentive=spif)}
    assert paid == {b.pk: Decimal("11250.00"), a.pk: Decimal("10000.00")}  # 400 000 reaches the target
    fixed = contest(world, p002, kind="spif", prizes=[], metric="won_deals", target="1", bonus_kind="fixed",
                    bonus_amount="7000")  # fmt: skip
    assert services.award_incentive(actor=world.finance, incentive=fixed) == []  # nobody won a deal


def test_largest_sale_and_eligible_tiers(world, p002, field):
    a, _b, c = field
    inc = contest(world, p002, metric="largest_sale", tiers=["privileged", "authorized"])
    from partnerhub.incentives.standings import ranked

    assert [(r["organisation_id"], r["figure"]) for r in ranked(inc)] == [(a.pk, Decimal("300000.00")),
                                                                         (c.pk, Decimal("100000.00"))]  # fmt: skip


def test_partners_see_only_eligible_incentives_and_no_rival_amounts(world, p002, field, api, ui):
    a, b, c = field
    owner_a, owner_b = admin_of(a), admin_of(b)
    hidden = contest(world, p002, tiers=["privileged", "certified"])
    only_b = contest(world, p002, name="Только Бета", partners=[b.pk])
    # A (privileged) is eligible for the first, not the second; C (authorized) for neither.
    assert api(owner_a).get(f"/incentives/{only_b.pk}").status_code == 404
    assert ui(owner_a).get(reverse("incentive-detail", args=[only_b.pk])).status_code == 404
    assert api(admin_of(c)).get(f"/incentives/{hidden.pk}").status_code == 404
    listed = [x["id"] for x in api(owner_a).get("/incentives").json()["items"]]
    assert listed == [hidden.pk]
    rows = api(owner_a).get(f"/incentives/{hidden.pk}/standings").json()["items"]
    assert [(r["name"], r["rank"], r["figure"]) for r in rows] == [("Бета", 1, None), ("Альфа", 2, "400000.00")]
    with translation.override("en"):
        own, rival = money(Decimal("400000.00"), "RUB"), money(Decimal("450000.00"), "RUB")
    html = ui(owner_a).get(reverse("incentive-detail", args=[hidden.pk])).content.decode()
    assert "Бета" in html and own in html and rival not in html
    html_b = ui(owner_b).get(reverse("incentive-detail", args=[hidden.pk])).content.decode()
    assert rival in html_b and own not in html_b
    shown = contest(world, p002, name="Открытый", show_amounts=True)
    rows = api(owner_a).get(f"/incentives/{shown.pk}/standings").json()["items"]
    assert [r["figure"] for r in rows] == ["450000.00", "400000.00", "100000.00"]


@pytest.mark.parametrize(
    ("change", "field_name"),
    [
        ({"ends_on": "2026-01-01", "starts_on": "2026-02-01"}, "ends_on"),
        ({"prizes": [{"rank": 1, "amount": "-5"}]}, "prizes.0.amount"),
        ({"metric": "biggest_smile"}, "metric"),
        ({"programme": "nope"}, "programme"),
        ({"tiers": ["platinum"]}, "tiers"),
        ({"kind": "spif", "prizes": [], "target": "10", "bonus_kind": "percent", "bonus_percent": "5",
          "metric": "won_deals"}, "bonus_kind"),
    ],
)  # fmt: skip
def test_bad_input_is_a_field_error_and_writes_nothing(world, p002, api, change, field_name):
    body = {"kind": "contest", "name": "X", "programme": p002.programme.code, "metric": "sales_volume",
            "starts_on": "2026-01-01", "ends_on": "2026-03-31",
            "prizes": [{"rank": 1, "amount": "100"}]} | change  # fmt: skip
    r = api(world.vendor_admin).post("/incentives", body)
    assert r.status_code == 422, r.content
    assert field_name in [e["field"] for e in r.json()["errors"]]
    assert Incentive.objects.count() == 0


def test_only_vendor_administrators_define_incentives(world, p002, api):
    body = {"kind": "contest", "name": "X", "programme": p002.programme.code, "metric": "sales_volume",
            "starts_on": "2026-01-01", "ends_on": "2026-03-31", "prizes": [{"rank": 1, "amount": "100"}]}  # fmt: skip
    assert api(world.finance).post("/incentives", body).status_code == 403
    assert api(world.a_admin).post("/incentives", body).status_code == 403
    assert api(world.vendor_admin).post("/incentives", body).status_code == 201


def test_vendor_console_pages(world, p002, field, ui):
    inc = contest(world, p002)
    client = ui(world.vendor_admin)
    assert client.get(reverse("incentive-list")).status_code == 200
    assert client.get(reverse("incentive-detail", args=[inc.pk])).status_code == 200
    assert client.get(reverse("incentive-edit", args=[inc.pk])).status_code == 200
    r = client.post(reverse("incentive-create"), {"kind": "contest", "name": "Новый", "programme": p002.programme.code,
                                                  "metric": "sales_volume", "currency": "RUB",
                                                  "starts_on": "2026-02-01", "ends_on": "2026-01-01",
                                                  "prize_1_amount": "-1"})  # fmt: skip
    assert r.status_code == 422
    body = r.content.decode()
    assert 'data-field="ends_on"' in body and 'data-field="prize_1_amount"' in body
    r = ui(world.finance).post(reverse("incentive-award", args=[inc.pk]))
    assert r.status_code == 302 and Award.objects.filter(incentive=inc).count() == 2
    page = ui(world.finance).get(reverse("incentive-rebates") + "?year=2026&quarter=1")
    assert page.status_code == 200


def test_the_partners_contest_page_lists_only_what_it_takes_part_in(world, p002, field, ui):
    a, b, _c = field
    owner_a = admin_of(a)
    mine = contest(world, p002, name="Для привилегированных", name_en="", tiers=["privileged"])
    contest(world, p002, name="Только для Беты", name_en="", partners=[b.pk])
    html = ui(owner_a).get(reverse("incentive-list")).content.decode()
    assert "Для привилегированных" in html and "Только для Беты" not in html
    page = ui(owner_a).get(reverse("incentive-detail", args=[mine.pk])).content.decode()
    assert 'data-testid="own-standing"' in page and 'data-testid="incentive-award"' not in page


def test_a_partner_manager_sees_figures_of_its_own_partners_only(world, p002, field, api):
    a, _b, _c = field
    Organisation = type(a)
    Organisation.objects.filter(pk=a.pk).update(partner_manager=world.bdm_a)
    inc = contest(world, p002)
    rows = {r["name"]: r["figure"] for r in api(world.bdm_a).get(f"/incentives/{inc.pk}/standings").json()["items"]}
    assert rows == {"Бета": None, "Альфа": "400000.00", "Гамма": None}
    assert api(world.bdm_a).post(f"/incentives/{inc.pk}/award").status_code == 403


def test_the_leaderboard_costs_the_same_queries_for_more_partners(world, p002, field, ui, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    inc = contest(world, p002)
    client = ui(world.vendor_admin)
    url = reverse("incentive-detail", args=[inc.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    start, _end = ended()
    for n in range(5):
        sell(world, partner(p002, "certified"), 1000 + n, on=start + timedelta(days=4))
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_rebates_are_posted_from_the_finance_page(world, p002, ui):
    org = partner(p002, "privileged")
    sell(world, org, "1000.00", on="2026-08-10")
    client = ui(world.finance)
    preview = client.get(reverse("incentive-rebates") + "?year=2026&quarter=3").content.decode()
    assert 'data-testid="rebate-preview"' in preview and f'data-org="{org.pk}"' in preview
    r = client.post(reverse("incentive-rebates"), {"year": "2026", "quarter": "3"})
    assert r.status_code == 302 and Rebate.objects.get().amount == Decimal("50.00")
    bad = client.post(reverse("incentive-rebates"), {"year": "2026", "quarter": "7"})
    assert bad.status_code == 422 and 'data-field="quarter"' in bad.content.decode()
    assert ui(world.a_admin).get(reverse("incentive-rebates")).status_code == 403


def test_the_vendor_defines_and_edits_a_contest_on_its_pages(world, p002, ui):
    client = ui(world.vendor_admin)
    form = {"kind": "contest", "name": "Конкурс", "programme": p002.programme.code, "metric": "won_deals",
            "currency": "RUB", "starts_on": "2026-01-01", "ends_on": "2026-03-31", "tiers": ["privileged"],
            "prize_1_amount": "1000", "prize_1_label": "Первое", "prize_2_amount": "500"}  # fmt: skip
    r = client.post(reverse("incentive-create"), form)
    inc = Incentive.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("incentive-detail", args=[inc.pk])
    assert [(p.rank, p.amount) for p in inc.prizes.all()] == [(1, Decimal("1000.00")), (2, Decimal("500.00"))]
    assert inc.tier_codes == ["privileged"]
    page = client.get(reverse("incentive-edit", args=[inc.pk])).content.decode()
    assert 'value="1000.00"' in page
    r = client.post(reverse("incentive-edit", args=[inc.pk]), form | {"prize_2_amount": "", "name": "Конкурс 2"})
    inc.refresh_from_db()
    assert r.status_code == 302 and inc.name == "Конкурс 2" and inc.prizes.count() == 1
    detail = client.get(reverse("incentive-detail", args=[inc.pk])).content.decode()
    assert "Privileged" in detail  # the tier by its name
    assert ui(world.finance).get(reverse("incentive-create")).status_code == 403
