from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.core import audit
from partnerhub.core.money import CURRENCIES, quantize
from partnerhub.identity.models import Organisation, User
from partnerhub.identity.roles import OrgKind
from partnerhub.programmes.models import ProductFamily
from partnerhub.programmes.selectors import version_in_force

from ..models import Conversion, ReferralAttribution
from .common import _announce, _referral_sale, require_purchase_recorder
from .settlement import settle_attribution
from .terms import A, C


@dataclass
class PurchaseOutcome:
    conversion: Conversion
    created: bool
    messages: list[str] = field(default_factory=list)

    @property
    def attributed(self) -> bool:
        return self.conversion.status in (C.ATTRIBUTED, C.HELD)

    @property
    def explanation(self) -> str:
        c = self.conversion
        if c.status == C.ATTRIBUTED:
            return _("Credited to %(partner)s: reward %(reward)s %(currency)s.") % {
                "partner": c.organisation.name,
                "reward": c.reward_amount,
                "currency": c.currency,
            }
        if c.status == C.HELD:
            return _(
                "The referral of %(partner)s is under review; the reward of %(reward)s %(currency)s waits for "
                "the partner manager."
            ) % {"partner": c.organisation.name, "reward": c.reward_amount, "currency": c.currency}
        if c.status == C.REJECTED:
            return _("Not credited: the referral was not confirmed.")
        return _("Recorded as not referred, no reward: %(why)s.") % {"why": c.get_reason_display()}


def _clean_purchase(*, customer, amount, currency, product_family, sold_on, reference) -> tuple:
    errors: dict[str, list] = {}

    def err(f: str, msg: str, code: str) -> None:
        errors.setdefault(f, []).append(ValidationError(msg, code=code))

    if customer.kind != OrgKind.CUSTOMER:
        err("customer_id", _("Choose a customer organisation."), "not_a_customer")
    try:
        value = Decimal(str(amount).strip())
        if not value.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError, TypeError):
        value = None
        err("amount", _("Enter an amount, such as 125000.00."), "invalid")
    if value is not None:
        if value <= 0:
            err("amount", _("The amount must be greater than zero."), "not_positive")
        elif value != quantize(value):
            err("amount", _("At most two decimal places."), "too_precise")
        elif value.adjusted() >= settings.MONEY_MAX_DIGITS - settings.MONEY_DECIMAL_PLACES:
            err("amount", _("The amount is too large."), "too_large")
    currency = (currency or "").strip().upper()
    if currency not in CURRENCIES:
        err("currency", _("Unknown currency."), "unknown_currency")
    family = ProductFamily.objects.filter(code=(product_family or "").strip()).first()
    if family is None:
        err(
            "product_family",
            _("Unknown product family “%(code)s”.") % {"code": product_family or ""},
            "unknown_product",
        )
    if sold_on is None:
        err("sold_on", _("This field is required."), "required")
    elif sold_on > timezone.localdate():
        err("sold_on", _("A purchase cannot be in the future."), "future")
    reference = (reference or "").strip()
    if not reference:
        err("reference", _("Give the purchase's reference (invoice or order number)."), "required")
    elif len(reference) > 80:
        err("reference", _("At most 80 characters."), "max_length")
    if errors:
        raise ValidationError(errors)
    return quantize(value), currency, family, reference


def _covering(customer: Organisation, sold_on: date) -> tuple[ReferralAttribution | None, str]:
    """The attribution a purchase dated ``sold_on`` belongs to, or why there is none."""
    R = ReferralAttribution.EndReason
    candidates = list(
        ReferralAttribution.objects.filter(customer=customer)
        .filter(Q(status__in=ReferralAttribution.CURRENT) | Q(status=A.ENDED, end_reason__in=[R.WINDOW, R.MOVED]))
        .select_related("organisation", "link")
        .order_by("-attributed_at", "-id")
    )
    if not candidates:
        return None, Conversion.Reason.NO_ATTRIBUTION

    def covers(a: ReferralAttribution) -> bool:
        end = timezone.localdate(a.ended_at) if a.end_reason == R.MOVED and a.ended_at else a.window_ends_on
        return timezone.localdate(a.attributed_at) <= sold_on <= min(end, a.window_ends_on)

    confirmed = [a for a in candidates if a.status != A.HELD and covers(a)]
    if confirmed:
        return confirmed[0], ""
    held = [a for a in candidates if a.status == A.HELD and covers(a)]
    if held:
        return held[0], ""
    if all(sold_on < timezone.localdate(a.attributed_at) for a in candidates):
        return None, Conversion.Reason.BEFORE_ATTRIBUTION
    return None, Conversion.Reason.WINDOW_ENDED


@transaction.atomic
def record_purchase(
    *, actor: User, customer: Organisation, amount, currency: str, product_family: str, sold_on: date, reference: str
) -> PurchaseOutcome:
    """Record a customer's purchase; credit the referral partner when an attribution covers its date.

    Idempotent by reference: the same purchase again returns the first record; the same reference
    with other figures is refused.
    """
    require_purchase_recorder(actor)
    customer = Organisation.objects.get_visible_or_404(actor, pk=customer.pk)
    value, currency, family, reference = _clean_purchase(
        customer=customer,
        amount=amount,
        currency=currency,
        product_family=product_family,
        sold_on=sold_on,
        reference=reference,
    )
    existing = (
        Conversion.objects.select_related("organisation", "customer", "attribution__link")
        .filter(kind=Conversion.Kind.PURCHASE, reference=reference)
        .first()
    )
    if existing is not None:
        same = (
            existing.customer_id,
            existing.amount,
            existing.currency,
            existing.product_family_id,
            existing.occurred_on,
        ) == (customer.pk, value, currency, family.pk, sold_on)
        if not same:
            raise ValidationError(
                {
                    "reference": [
                        ValidationError(
                            _("Purchase %(ref)s is already recorded with other figures; purchases are not edited.")
                            % {"ref": reference},
                            code="reference_conflict",
                        )
                    ]
                }
            )
        return PurchaseOutcome(conversion=existing, created=False)
    now = timezone.now()
    for pk in ReferralAttribution.objects.filter(customer=customer, status__in=ReferralAttribution.CURRENT).values_list(
        "id", flat=True
    ):
        settle_attribution(attribution=ReferralAttribution(pk=pk), actor=actor, now=now)
    attribution, reason = _covering(customer, sold_on)
    conversion = Conversion(
        customer=customer,
        kind=Conversion.Kind.PURCHASE,
        amount=value,
        currency=currency,
        product_family=family,
        reference=reference,
        occurred_on=sold_on,
        recorded_by=actor,
        reason=reason,
        status=C.UNATTRIBUTED,
        reward_percent=Decimal("0.00"),
        reward_amount=quantize(Decimal(0)),
    )
    if attribution is not None:
        terms_version = version_in_force(programme=attribution.programme, on=sold_on) if attribution.programme else None
        percent = terms_version.referral_reward_percent if terms_version else Decimal(0)
        conversion.organisation, conversion.attribution, conversion.version = (
            attribution.organisation,
            attribution,
            terms_version,
        )
        conversion.reward_percent = percent
        conversion.reward_amount = quantize(value * percent / Decimal(100))
        conversion.status = C.HELD if attribution.status == A.HELD else C.ATTRIBUTED
    conversion.save()
    if conversion.status == C.ATTRIBUTED:
        conversion.sale = _referral_sale(conversion, actor=actor)
        conversion.save(update_fields=["sale"])
    audit.record(
        actor=actor,
        action="referral.purchase_recorded",
        obj=conversion,
        organisation=conversion.organisation,
        after=audit.snapshot(conversion),
    )
    _announce(conversion)
    return PurchaseOutcome(conversion=conversion, created=True)
