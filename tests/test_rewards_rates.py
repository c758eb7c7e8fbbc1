"""Exchange rates: typed in, imported from the Bank of Russia daily file, fetched from the URL setting."""

import io
import urllib.request
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from partnerhub.rewards import fx
from partnerhub.rewards.models import ExchangeRate

pytestmark = pytest.mark.django_db


def _valute(code, nominal, value, name):
    return (f"<Valute><CharCode>{code}</CharCode><Nominal>{nominal}</Nominal><Name>{name}</Name>"
            f"<Value>{value}</Value></Valute>")  # fmt: skip


DAILY = (
    '<?xml version="1.0" encoding="windows-1251"?>\n<ValCurs Date="02.03.2026" name="Foreign Currency Market">'
    + _valute("USD", 1, "92,5000", "Доллар США") + _valute("EUR", 1, "100,1234", "Евро")
    + _valute("KZT", 100, "18,3456", "Тенге") + _valute("JPY", 100, "61,0000", "Иен")
    + "</ValCurs>"
).encode("cp1251")  # fmt: skip


def _upload(client, content, name="XML_daily.asp"):
    f = SimpleUploadedFile(name, content, content_type="application/xml")
    return client.client.post("/api/v1/exchange-rates/import", {"file": f}, headers=client.headers)


def test_the_bank_of_russia_daily_file_is_imported_once(world, api):
    client = api(world.finance)
    r = _upload(client, DAILY)
    assert r.status_code == 200, r.content
    assert r.json() == {"on": "2026-03-02", "created": 3, "skipped": 0, "currencies": ["USD", "EUR", "KZT"]}
    kzt = ExchangeRate.objects.get(currency="KZT")
    assert (kzt.value, kzt.nominal, kzt.on) == (Decimal("18.3456"), 100, date(2026, 3, 2))
    assert _upload(client, DAILY).json()["skipped"] == 3
    assert ExchangeRate.objects.count() == 3


def test_a_changed_rate_for_a_known_day_is_refused(world, api):
    client = api(world.finance)
    _upload(client, DAILY)
    r = _upload(client, DAILY.replace(b"92,5000", b"93,0000"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "Valute[USD].value"
    assert ExchangeRate.objects.get(currency="USD").value == Decimal("92.5")


BOMB = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><ValCurs Date="02.03.2026">&a;</ValCurs>'
NEGATIVE = b'<ValCurs Date="02.03.2026">' + _valute("USD", 1, "-1", "x").encode() + b"</ValCurs>"


@pytest.mark.parametrize("content", [b"not xml", b"<ValCurs><Valute/></ValCurs>", BOMB, NEGATIVE])  # fmt: skip
def test_bad_files_are_422_and_land_nothing(world, api, content):
    r = _upload(api(world.finance), content)
    assert r.status_code == 422 and r.json()["code"] == "validation"
    assert not ExchangeRate.objects.exists()


def test_typed_rates_and_permissions(world, api):
    r = api(world.finance).post(
        "/exchange-rates", {"currency": "usd", "on": "2026-03-07", "value": "91,2", "nominal": 1}
    )
    assert r.status_code == 201 and r.json()["value"] == "91.2000"
    assert (
        api(world.a_admin).post("/exchange-rates", {"currency": "EUR", "on": "2026-03-07", "value": "1"}).status_code
        == 403
    )
    r = api(world.finance).post("/exchange-rates", {"currency": "RUB", "on": "2026-03-07", "value": "1"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "currency"
    assert api(world.a_admin).get("/exchange-rates?currency=USD").json()["count"] == 1
    assert api(world.customer_admin).get("/exchange-rates").status_code == 403


def test_fetch_from_the_url_setting(world, api, settings, monkeypatch):
    settings.REWARDS_CBR_URL = "https://cbr.example/scripts/XML_daily.asp?date_req={date}"
    asked = []

    def fake_urlopen(url, timeout):
        asked.append(url)
        return io.BytesIO(DAILY)

    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)
    r = api(world.finance).post("/exchange-rates/fetch", {"on": "2026-03-02"})
    assert r.status_code == 200 and r.json()["created"] == 3
    assert asked == ["https://cbr.example/scripts/XML_daily.asp?date_req=02/03/2026"]

    def offline(url, timeout):
        raise OSError("network is unreachable")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    r = api(world.finance).post("/exchange-rates/fetch", {})
    assert r.status_code == 502 and r.json()["code"] == "upstream_unavailable"


def test_conversion_uses_the_days_rate_or_a_recent_one_and_never_zero(world, api, settings):
    _upload(api(world.finance), DAILY)
    assert fx.factor("USD", "RUB", date(2026, 3, 2)) == Decimal("92.5")
    assert fx.factor("KZT", "RUB", date(2026, 3, 4)) == Decimal("0.183456")  # Wednesday: Monday's rate
    assert fx.factor("EUR", "USD", date(2026, 3, 2)) == Decimal("1.0824151351")  # 100.1234 / 92.5
    assert fx.convert(Decimal("1000.00"), fx.factor("USD", "RUB", date(2026, 3, 2))) == Decimal("92500.00")
    settings.REWARDS_FX_MAX_AGE_DAYS = 3
    with pytest.raises(fx.MissingRate) as exc:
        fx.factor("USD", "RUB", date(2026, 3, 6))
    assert "USD" in str(exc.value) and "2026-03-06" in str(exc.value)
    with pytest.raises(fx.MissingRate):
        fx.factor("USD", "RUB", date(2026, 3, 1))  # before the first rate


def test_rates_page(world, ui):
    client = ui(world.finance)
    r = client.post("/rates/", {"f-upload": "1", "f-file": SimpleUploadedFile("d.xml", DAILY)})
    assert r.status_code == 302
    html = ui(world.a_admin).get("/rates/").content.decode()
    assert 'data-rate="USD-2026-03-02"' in html and "92.5000" in html
    r = client.post("/rates/", {"r-currency": "USD", "r-on": "2026-03-02", "r-value": "1", "r-nominal": "1"})
    assert r.status_code == 422 and "already recorded" in r.content.decode()
