"""The rewards context: the vendor's products and price lists, sales facts (the input to tier
evaluation and reward rating), exchange rates, ratings and the ledger."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from partnerhub.core.money import CurrencyField, MoneyField
from partnerhub.core.tenancy import TenantManager


class Product(models.Model):
    """A product of the vendor's price list (a SKU), in one product family."""

    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    family = models.ForeignKey("programmes.ProductFamily", verbose_name=_("product family"),
                               on_delete=models.PROTECT, related_name="+")  # fmt: skip
    name = models.CharField(_("name"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    is_active = models.BooleanField(_("on sale"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    AUDIT_FIELDS = ("sku", "family_id", "name", "name_en", "is_active")

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["sku"]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


class PriceList(models.Model):
    """Fixed retail (or renewal) prices in one currency, valid from a date (to a date, inclusive).

    Where lists of one kind and currency overlap, the one valid from the latest date wins.
    """

    class Kind(models.TextChoices):
        RETAIL = "retail", _("Retail prices")  # new sales
        RENEWAL = "renewal", _("Renewal prices")  # renewals

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.RETAIL)
    currency = CurrencyField(_("currency"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True, help_text=_("inclusive; empty: open-ended"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey("identity.User", null=True, on_delete=models.PROTECT, related_name="+")

    AUDIT_FIELDS = ("name", "kind", "currency", "valid_from", "valid_until")

    class Meta:
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        ordering = ["-valid_from", "-id"]
        indexes = [models.Index(fields=["kind", "currency", "valid_from"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="price_list_valid_range",
            )
        ]

    def __str__(self) -> str:
        return self.name


class PriceListItem(models.Model):
    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="prices")
    price = MoneyField(_("price"))

    class Meta:
        ordering = ["price_list_id", "product__sku"]
        constraints = [
            models.UniqueConstraint(fields=["price_list", "product"], name="price_list_item_unique"),
            models.CheckConstraint(condition=Q(price__gt=0), name="price_list_item_price_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.price}"


class CooperationModel(models.TextChoices):
    RESALE = "resale", _("Resale margin")  # retail less the partner's price
    AGENCY = "agency", _("Agency fee")  # a fee on what the vendor collects
    CONSUMPTION = "consumption", _("Consumption commission")  # a percent of the customer's consumption
    REFERRAL = "referral", _("Referral reward")  # a percent of a referred customer's purchase


class Sale(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Counts")  # rated and in the tier metrics
        CORRECTED = "corrected", _("Corrected")  # replaced by the sale that corrects it
        REFUNDED = "refunded", _("Refunded")
        CANCELLED = "cancelled", _("Cancelled")

    class SaleType(models.TextChoices):
        NEW = "new", _("New sale")
        RENEWAL = "renewal", _("Renewal")

    class Source(models.TextChoices):
        IMPORT = "import", _("File import")
        API = "api", _("API")
        DEAL = "deal", _("Won deal")
        MANUAL = "manual", _("Entered by the vendor")
        REFERRAL = "referral", _("Referred customer's purchase")
        MARKETPLACE = "marketplace", _("Marketplace order")

    tenant_path = "organisation"

    organisation = models.ForeignKey("identity.Organisation", on_delete=models.PROTECT, related_name="sales")
    customer_name = models.CharField(_("customer"), max_length=300)
    customer_inn = models.CharField(_("customer INN"), max_length=12, blank=True)
    product_family = models.ForeignKey("programmes.ProductFamily", on_delete=models.PROTECT, related_name="+")
    product = models.CharField(_("product"), max_length=200, blank=True)
    # The catalogue product, when the line names one: its family and list price then come from the price list.
    item = models.ForeignKey(Product, verbose_name=_("SKU"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")  # fmt: skip
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    unit_price = MoneyField(_("list price"), null=True, blank=True)
    invoice_number = models.CharField(_("invoice"), max_length=50, blank=True)
    invoice_line = models.PositiveIntegerField(_("invoice line"), null=True, blank=True)
    sale_type = models.CharField(_("sale type"), max_length=16, choices=SaleType.choices, default=SaleType.NEW)
    amount = MoneyField(_("amount at fixed retail price"))
    currency = CurrencyField(_("currency"))
    sold_on = models.DateField(_("sold on"))
    # When the customer paid (empty: no payment information; the reward then waits REWARDS_HOLD_DAYS).
    paid_on = models.DateField(_("customer paid on"), null=True, blank=True)
    external_ref = models.CharField(_("reference"), max_length=100, blank=True)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.MANUAL)
    # What the deal registration adds (passed by the deals context when a won deal becomes sales).
    uplift_percent = models.DecimalField(_("deal registration uplift (%)"), max_digits=5, decimal_places=2, default=0)
    share_percent = models.DecimalField(_("share of the reward (%)"), max_digits=5, decimal_places=2, default=100)
    cooperation_model = models.CharField(_("cooperation model"), max_length=20, choices=CooperationModel.choices,
                                         blank=True, help_text=_("empty: the partner's role decides"))  # fmt: skip
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    corrects = models.ForeignKey("self", verbose_name=_("corrects"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="corrections")  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("sale")
        ordering = ["-sold_on", "-id"]
        indexes = [models.Index(fields=["organisation", "sold_on"]), models.Index(fields=["sold_on", "currency"])]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "external_ref"], condition=~Q(external_ref=""), name="sale_unique_ref"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="sale_amount_positive"),
            models.UniqueConstraint(
                fields=["organisation", "invoice_number", "invoice_line"],
                condition=~Q(invoice_number="") & Q(status="active"),
                name="sale_unique_invoice_line",
            ),
            models.CheckConstraint(
                condition=Q(share_percent__gte=0)
                & Q(share_percent__lte=100)
                & Q(uplift_percent__gte=0)
                & Q(uplift_percent__lte=100),
                name="sale_percents_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_name}: {self.amount} {self.currency}"


class ExchangeRate(models.Model):
    """Roubles for ``nominal`` units of a currency on a date: the Bank of Russia's official rate, or typed in.

    Rates are facts: once recorded for a date they are not changed (every rated line keeps the rate it used).
    """

    class Source(models.TextChoices):
        MANUAL = "manual", _("Typed in")
        CBR_FILE = "cbr_file", _("Bank of Russia file")
        CBR_URL = "cbr_url", _("Bank of Russia, fetched")

    currency = CurrencyField(_("currency"))
    on = models.DateField(_("date"))
    value = models.DecimalField(_("roubles"), max_digits=20, decimal_places=4)
    nominal = models.PositiveIntegerField(_("per units"), default=1)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.MANUAL)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey("identity.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["-on", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "on"], name="exchange_rate_unique_day"),
            models.CheckConstraint(condition=Q(value__gt=0) & Q(nominal__gt=0), name="exchange_rate_positive"),
            models.CheckConstraint(condition=~Q(currency="RUB"), name="exchange_rate_not_rouble"),
        ]

    def __str__(self) -> str:
        return f"{self.nominal} {self.currency} = {self.value} RUB ({self.on})"


class RoleRate(models.Model):
    """The reward rate of a programme role without tiers (agents): by product family and sale type.

    An empty family or sale type matches any; the most specific rate wins.
    """

    version = models.ForeignKey("programmes.ProgrammeVersion", on_delete=models.CASCADE, related_name="+")
    role_code = models.SlugField(_("role"), max_length=50)
    product_family = models.ForeignKey("programmes.ProductFamily", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")  # fmt: skip
    sale_type = models.CharField(_("sale type"), max_length=16, choices=Sale.SaleType.choices, blank=True)
    percent = models.DecimalField(_("percent"), max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["version_id", "role_code", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "role_code", "product_family", "sale_type"], name="role_rate_unique"
            ),
            models.UniqueConstraint(
                fields=["version", "role_code", "sale_type"],
                condition=Q(product_family=None),
                name="role_rate_unique_any_family",
            ),
            models.CheckConstraint(condition=Q(percent__gte=0) & Q(percent__lte=100), name="role_rate_percent_range"),
        ]

    def __str__(self) -> str:
        return f"{self.role_code} {self.product_family_id or '*'} {self.sale_type or '*'}: {self.percent}%"


class JournalEntry(models.Model):
    """A posting to the ledger: balanced lines, never changed or deleted once written (a database trigger
    refuses it). Mistakes are put right by further entries (reversals, adjustments)."""

    class Kind(models.TextChoices):
        ACCRUAL = "accrual", _("Accrual")  # rated sales: the vendor's expense, owed to the partner
        REVERSAL = "reversal", _("Reversal")  # a corrected, refunded or cancelled sale, at its original rating
        ADJUSTMENT = "adjustment", _("Adjustment")  # by finance, with a reason
        RELEASE = "release", _("Released for payment")  # accrued becomes payable
        HOLD = "hold", _("Put on hold")
        UNHOLD = "unhold", _("Released from hold")
        PAYOUT = "payout", _("Payout")
        REBATE = "rebate", _("Quarterly rebate")  # the tier's rebate benefit on a quarter's rated sales
        INCENTIVE = "incentive", _("Contest prize or SPIF bonus")  # awarded by the incentives context
        FUND_CLAIM = "fund_claim", _("Development funds claim")  # an approved MDF/BDF claim: payable at once

    tenant_path = "organisation"

    organisation = models.ForeignKey("identity.Organisation", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    currency = CurrencyField(_("currency"))
    posted_on = models.DateField(_("posted on"))
    posted_at = models.DateTimeField(_("posted at"), auto_now_add=True)
    memo = models.TextField(_("memo"), blank=True)
    key = models.CharField(max_length=120, unique=True, help_text=_("idempotency key"))
    actor = models.ForeignKey("identity.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    objects = TenantManager()

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["-posted_at", "-id"]
        indexes = [models.Index(fields=["organisation", "posted_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} {self.currency}"


class Account(models.TextChoices):
    ACCRUED = "accrued", _("Accrued")  # earned, not yet payable
    HELD = "held", _("On hold")
    PAYABLE = "payable", _("Payable")
    PAID = "paid", _("Paid")
    VENDOR_EXPENSE = "vendor_expense", _("Vendor's reward expense")


PARTNER_ACCOUNTS = (Account.ACCRUED, Account.HELD, Account.PAYABLE, Account.PAID)


class LedgerLine(models.Model):
    """One side of an entry: a signed amount on an account (debit positive, credit negative).

    Partner accounts are the vendor's liabilities, so their balances are credits; pages show them negated.
    """

    tenant_path = "organisation"

    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines")
    organisation = models.ForeignKey("identity.Organisation", on_delete=models.PROTECT, related_name="+")
    account = models.CharField(max_length=16, choices=Account.choices)
    currency = CurrencyField()
    amount = MoneyField()

    objects = TenantManager()

    class Meta:
        ordering = ["entry_id", "id"]
        indexes = [models.Index(fields=["organisation", "currency", "account"])]

    def __str__(self) -> str:
        return f"{self.account} {self.amount} {self.currency}"


class Rating(models.Model):
    """A sale line rated: the rule, rate, tier and programme version that produced its reward.

    Written once; a correction, refund or cancellation reverses it (``reversal`` set, no longer current)
    at exactly these figures, and a corrected sale gets a rating of its own.
    """

    class Basis(models.TextChoices):
        RESALE = "resale", _("Resale margin")
        AGENCY = "agency", _("Agency fee")
        CONSUMPTION = "consumption", _("Consumption commission")
        REFERRAL = "referral", _("Referral reward")
        OVERRIDE = "override", _("Network override")  # a distributor's or recruiter's share of another's sale

    class Line(models.TextChoices):
        OWN = "own", _("Own sale")
        DISTRIBUTOR = "distributor", _("Reseller's sale (distributor's override)")
        RECRUITER = "recruiter", _("Recruited partner's sale (recruiter's override)")

    tenant_path = "organisation"

    # Written only by the engine, a million at a time, from the very rows it joins: the partial unique index
    # on the current rating and the (organisation, entry) index serve every read, and the database checks no
    # reference per row (Django's deferred foreign-key checks would queue one event per line until commit). The
    # entries referenced are ledger rows, which a trigger keeps from ever being deleted (migration 0006).
    sale = models.ForeignKey(Sale, on_delete=models.PROTECT, related_name="ratings", db_index=False,
                             db_constraint=False)  # fmt: skip
    organisation = models.ForeignKey("identity.Organisation", on_delete=models.DO_NOTHING, related_name="+",
                                     db_index=False, db_constraint=False)  # fmt: skip
    version = models.ForeignKey("programmes.ProgrammeVersion", on_delete=models.DO_NOTHING, related_name="+",
                                db_index=False, db_constraint=False)  # fmt: skip
    # Whose reward this is (``organisation``) and whose sale it was: the same partner for its own sale; for a
    # network line the reseller or recruit that sold (the beneficiary sees that name, nothing more of it).
    line = models.CharField(_("earned as"), max_length=12, choices=Line.choices, default=Line.OWN)
    source_organisation = models.ForeignKey("identity.Organisation", verbose_name=_("sold by"), null=True,
                                            on_delete=models.DO_NOTHING, related_name="+", db_index=False,
                                            db_constraint=False)  # fmt: skip
    role_code = models.SlugField(_("role"), max_length=50, db_index=False)  # read per partner, never searched
    tier_code = models.SlugField(_("tier"), max_length=50, blank=True, db_index=False)
    basis = models.CharField(_("basis"), max_length=12, choices=Basis.choices)
    rule = models.CharField(_("rule"), max_length=120)
    rate_percent = models.DecimalField(_("rate (%)"), max_digits=5, decimal_places=2)
    uplift_percent = models.DecimalField(_("uplift (%)"), max_digits=5, decimal_places=2, default=0)
    share_percent = models.DecimalField(_("share (%)"), max_digits=5, decimal_places=2, default=100)
    sale_amount = MoneyField(_("sale amount"))
    sale_currency = CurrencyField(_("sale currency"))
    fx_rate = models.DecimalField(_("exchange rate"), max_digits=24, decimal_places=10, default=1)
    base_amount = MoneyField(_("converted amount"))
    currency = CurrencyField(_("reward currency"))
    reward = MoneyField(_("reward"))
    is_current = models.BooleanField(default=True)
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="ratings", db_index=False,
                              db_constraint=False)  # fmt: skip
    reversal = models.ForeignKey(JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="reversed",
                                 db_index=False, db_constraint=False)  # fmt: skip
    rated_at = models.DateTimeField(auto_now_add=True)

    objects = TenantManager()

    class Meta:
        verbose_name = _("rating")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["sale", "line"], condition=Q(is_current=True), name="rating_one_current_per_sale_line"
            ),
            models.CheckConstraint(
                condition=Q(is_current=False) | Q(reversal=None), name="rating_current_not_reversed"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "entry"]),
            models.Index(fields=["reversal"], condition=Q(reversal__isnull=False), name="rating_reversed"),
        ]

    def __str__(self) -> str:
        return f"{self.sale_id}: {self.reward} {self.currency} ({self.rule})"


class RatingIssue(models.Model):
    """Why an active sale is not rated yet (no enrolment, tier, rate or exchange rate); cleared once rated."""

    tenant_path = "organisation"

    sale = models.OneToOneField(Sale, on_delete=models.CASCADE, related_name="rating_issue")
    organisation = models.ForeignKey("identity.Organisation", on_delete=models.CASCADE, related_name="+")
    code = models.SlugField(max_length=40)
    message = models.TextField()
    seen_at = models.DateTimeField(auto_now=True)

    objects = TenantManager()

    class Meta:
        ordering = ["-seen_at", "-id"]

    def __str__(self) -> str:
        return f"{self.sale_id}: {self.code}"


class RewardPeriod(models.Model):
    """A closed month of rewards. Open months have no row; quarters are derived (closed when their three
    months are). Closing posts the holds and releases of the month (dated its last day) and locks it:
    a later posting dated on or before the last closed month's end lands on the first day after it."""

    month = models.DateField(_("month"), unique=True, help_text=_("its first day"))
    closed_at = models.DateTimeField(_("closed at"), auto_now_add=True)
    closed_by = models.ForeignKey("identity.User", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("reward period")
        ordering = ["-month"]

    def __str__(self) -> str:
        return self.month.strftime("%Y-%m")


class PayoutRun(models.Model):
    """Payable balances of one currency selected for payment: prepared, approved by another finance user
    (four-eyes), exported for accounting, marked paid (payout entries: Dr payable, Cr paid)."""

    class Status(models.TextChoices):
        PREPARED = "prepared", pgettext_lazy("payout run", "Prepared")  # waits for another finance user's approval
        APPROVED = "approved", pgettext_lazy("payout run", "Approved")  # may be exported and paid
        PAID = "paid", pgettext_lazy("payout run", "Paid")  # payout entries posted
        CANCELLED = "cancelled", pgettext_lazy("payout run", "Cancelled")  # never paid; may be selected again

    key = models.CharField(_("idempotency key"), max_length=120, unique=True)
    currency = CurrencyField(_("currency"))
    minimum = MoneyField(_("minimum payable balance"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PREPARED)
    total = MoneyField(_("total"), default=0)
    prepared_by = models.ForeignKey("identity.User", on_delete=models.PROTECT, related_name="+")
    prepared_at = models.DateTimeField(_("prepared at"), auto_now_add=True)
    approved_by = models.ForeignKey("identity.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    paid_by = models.ForeignKey("identity.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    paid_on = models.DateField(_("paid on"), null=True, blank=True)

    AUDIT_FIELDS = ("status", "currency", "minimum", "total")

    class Meta:
        verbose_name = _("payout run")
        ordering = ["-prepared_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(minimum__gte=0), name="payout_run_minimum_not_negative"),
            models.CheckConstraint(
                condition=Q(approved_by=None) | ~Q(approved_by=models.F("prepared_by")), name="payout_run_four_eyes"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.currency} {self.total}"


class PayoutItem(models.Model):
    """One partner's payable balance in a run; its payout entry once the run is paid."""

    tenant_path = "organisation"

    run = models.ForeignKey(PayoutRun, on_delete=models.PROTECT, related_name="items")
    organisation = models.ForeignKey("identity.Organisation", on_delete=models.PROTECT, related_name="+")
    currency = CurrencyField(_("currency"))
    amount = MoneyField(_("amount"))
    entry = models.ForeignKey(JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    objects = TenantManager()

    class Meta:
        verbose_name = _("payout")
        ordering = ["run_id", "organisation__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "organisation"], name="payout_item_one_per_partner"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payout_item_amount_positive"),
        ]
        indexes = [models.Index(fields=["organisation", "currency"])]

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.amount} {self.currency}"


class SalePayment(models.Model):
    """A payment the customer made on a sale (in the sale's currency): a held reward is released in
    proportion to what has been paid (services/settlement.py); the sale counts as paid when they add up."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered by finance")
        API = "api", _("API")
        IMPORT = "import", _("File import")

    tenant_path = "organisation"

    sale = models.ForeignKey(Sale, on_delete=models.PROTECT, related_name="payments")
    organisation = models.ForeignKey("identity.Organisation", on_delete=models.PROTECT, related_name="+")
    amount = MoneyField(_("amount paid"))
    paid_on = models.DateField(_("paid on"))
    reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.MANUAL)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey("identity.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    objects = TenantManager()

    AUDIT_FIELDS = ("amount", "paid_on", "reference", "source")

    class Meta:
        verbose_name = _("customer payment")
        verbose_name_plural = _("customer payments")
        ordering = ["sale_id", "paid_on", "id"]
        indexes = [models.Index(fields=["sale", "paid_on"])]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="sale_payment_amount_positive")]

    def __str__(self) -> str:
        return f"{self.sale_id}: {self.amount} ({self.paid_on})"
