"""REST endpoints for exchange rates: list, type in, import the Bank of Russia daily file, fetch it."""

from datetime import date

from ninja import Field, File, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from partnerhub.core.api import InputSchema, Pagination

from . import selectors
from .services import rates

router = Router(tags=["exchange rates"])


class RateOut(Schema):
    currency: str
    on: date
    value: str
    nominal: int
    source: str

    @staticmethod
    def resolve_value(obj) -> str:
        return str(obj.value)


class ExchangeRateIn(InputSchema):
    currency: str
    on: date
    value: str = Field(..., description="Roubles for `nominal` units, e.g. 92.5000 (comma or point)")
    nominal: int = 1


class RateFilter(Schema):
    currency: str = ""
    since: date | None = None
    until: date | None = None


class RatesReportOut(Schema):
    on: date | None
    created: int
    skipped: int
    currencies: list[str]


class FetchIn(InputSchema):
    on: date | None = None


@router.get(
    "/exchange-rates", response=list[RateOut], summary="Exchange rates (roubles per nominal units), newest first"
)
@paginate(Pagination)
def list_rates(request, filters: Query[RateFilter]):
    return selectors.exchange_rates(actor=request.auth, currency=filters.currency.upper(), since=filters.since,
                                    until=filters.until)  # fmt: skip


@router.post("/exchange-rates", response={201: RateOut}, summary="Type in a rate for a currency and date")
def set_rate(request, payload: ExchangeRateIn):
    return Status(201, rates.set_rate(actor=request.auth, **payload.dict()))


@router.post("/exchange-rates/import", response={200: RatesReportOut},
             summary="Import the Bank of Russia daily rates file (XML_daily)")  # fmt: skip
def import_rates(request, file: File[UploadedFile]):
    return rates.import_cbr_daily_file(actor=request.auth, file=file)


@router.post("/exchange-rates/fetch", response={200: RatesReportOut},
             summary="Fetch the Bank of Russia daily rates from the configured URL (REWARDS_CBR_URL)")  # fmt: skip
def fetch_rates(request, payload: FetchIn):
    return rates.fetch_cbr_daily(actor=request.auth, on=payload.on)
