from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.core import audit
from partnerhub.core.money import quantize
from partnerhub.identity.models import Organisation, User

from .. import tracking
from ..models import Conversion, ReferralAttribution, ReferralClick, ReferralLink
from .common import _announce
from .links import active_link_for_code
from .terms import A, C, Terms, _longest_window, terms_for

logger = logging.getLogger(__name__)


def _register_claim(*, partner: Organisation, customer: Organisation, email: str, terms: Terms):
    """The referral claim, through the one claim registry; None when the registry refuses it."""
    from partnerhub.deals.services import register_claim

    try:
        with transaction.atomic():
            return register_claim(
                actor=None,
                organisation=partner,
                kind="referral",
                origin="referral",
                approve=True,
                title="",
                customer_name=customer.name,
                customer_inn=customer.inn,
                customer_domain=email,
                customer_organisation=customer,
                programme=terms.programme,
            )
    except ValidationError as exc:
        logger.warning("referral claim of %s on customer %s refused: %s", partner.pk, customer.pk, exc.messages)
        return None


def _status_of_claim(claim) -> str:
    from partnerhub.deals.models import Claim

    if claim is None:
        return A.HELD
    if claim.status in (Claim.Status.PROTECTED, Claim.Status.WON):
        return A.ACTIVE
    if claim.status in (Claim.Status.PENDING, Claim.Status.HELD):
        return A.HELD
    return A.ENDED


def _attribute(
    *,
    partner: Organisation,
    customer: Organisation,
    link: ReferralLink | None,
    click: ReferralClick | None,
    how: str,
    terms: Terms,
    first_click_at: datetime | None,
    email: str,
    actor,
    now: datetime,
) -> ReferralAttribution | None:
    claim = _register_claim(partner=partner, customer=customer, email=email, terms=terms)
    if claim is None:
        audit.record(
            actor=actor,
            action="referral.attribution_refused",
            obj=customer,
            organisation=partner,
            reason=_("The claim registry refused the referral claim."),
        )
        return None
    status = _status_of_claim(claim)
    if status == A.ENDED:  # pragma: no cover - a new claim is protected or held
        status = A.HELD
    if status == A.ACTIVE:
        _end_current(customer, actor=actor, reason=ReferralAttribution.EndReason.MOVED, now=now, keep_partner=partner)
    attribution = ReferralAttribution.objects.create(
        organisation=partner,
        link=link,
        click=click,
        customer=customer,
        how=how,
        programme=terms.programme,
        rule=terms.rule,
        first_click_at=first_click_at,
        attributed_at=now,
        window_ends_on=timezone.localdate(now) + timedelta(days=terms.window_days),
        claim=claim,
        status=status,
    )
    audit.record(
        actor=actor,
        action="referral.attributed",
        obj=attribution,
        organisation=partner,
        after=audit.snapshot(attribution),
    )
    return attribution


def _end_current(customer: Organisation, *, actor, reason: str, now: datetime, keep_partner=None) -> None:
    """End the customer's active attribution (another partner's referral took the customer)."""
    qs = ReferralAttribution.objects.select_for_update().filter(customer=customer, status=A.ACTIVE)
    if keep_partner is not None:
        qs = qs.exclude(organisation=keep_partner)
    for old in qs:
        _end(old, actor=actor, reason=reason, now=now)


def _end(attribution: ReferralAttribution, *, actor, reason: str, now: datetime) -> None:
    before = audit.snapshot(attribution)
    attribution.status, attribution.end_reason, attribution.ended_at = A.ENDED, reason, now
    attribution.save(update_fields=["status", "end_reason", "ended_at", "updated_at"])
    held = attribution.conversions.filter(status=C.HELD)
    for conversion in held:
        conv_before = audit.snapshot(conversion)
        conversion.status = C.REJECTED
        conversion.save(update_fields=["status"])
        audit.record(
            actor=actor,
            action="referral.conversion_rejected",
            obj=conversion,
            organisation=attribution.organisation,
            before=conv_before,
            after=audit.snapshot(conversion),
        )
    audit.record(
        actor=actor,
        action="referral.attribution_ended",
        obj=attribution,
        organisation=attribution.organisation,
        before=before,
        after=audit.snapshot(attribution),
        reason=ReferralAttribution.EndReason(reason).label,
    )


def _valid_clicks(visitor_id: uuid.UUID, now: datetime, terms_cache: dict) -> list[ReferralClick]:
    """The visitor's human clicks that are still inside their partner's window, oldest first."""
    clicks = (
        ReferralClick.objects.filter(
            visitor_id=visitor_id,
            is_bot=False,
            at__lte=now,
            at__gte=now - timedelta(days=_longest_window()),
            link__organisation__is_active=True,
        )
        .select_related("link__organisation")
        .order_by("at", "id")
    )
    today = timezone.localdate(now)
    valid = []
    for click in clicks:
        org_id = click.link.organisation_id
        if org_id not in terms_cache:
            terms_cache[org_id] = terms_for(org_id, today)
        if click.at >= now - timedelta(days=terms_cache[org_id].window_days):
            valid.append(click)
    return valid


def attribute_signup(
    *, customer: Organisation, user: User, cookie: str | None, code: str = "", now: datetime | None = None
) -> ReferralAttribution | None:
    """Credit a new customer to the partner whose link (else typed code) brought it; record the sign-up."""
    now = now or timezone.now()
    terms_cache: dict[int, Terms] = {}
    visit = tracking.read_cookie(cookie, max_age_days=_longest_window())
    chosen: ReferralClick | None = None
    first_at = None
    if visit is not None:
        valid = _valid_clicks(visit.visitor_id, now, terms_cache)
        known = (
            visit.click_id is not None
            and ReferralClick.objects.filter(pk=visit.click_id, visitor_id=visit.visitor_id).exists()
        )
        if valid and known:
            rule = terms_cache[valid[-1].link.organisation_id].rule
            chosen = valid[-1] if rule == "last_click" else valid[0]
            first_at = next(c.at for c in valid if c.link.organisation_id == chosen.link.organisation_id)
    if chosen is not None:
        link, how, click = chosen.link, ReferralAttribution.How.COOKIE, chosen
    else:
        link = active_link_for_code(code) if code else None
        if link is None:
            return None
        how, click = ReferralAttribution.How.CODE, None
    partner = link.organisation
    terms = terms_cache.get(partner.pk) or terms_for(partner.pk, timezone.localdate(now))
    attribution = _attribute(
        partner=partner,
        customer=customer,
        link=link,
        click=click,
        how=how,
        terms=terms,
        first_click_at=first_at,
        email=user.email,
        actor=user,
        now=now,
    )
    if attribution is None:
        return None
    conversion = Conversion.objects.create(
        organisation=partner,
        attribution=attribution,
        customer=customer,
        kind=Conversion.Kind.SIGNUP,
        status=C.ATTRIBUTED if attribution.status == A.ACTIVE else C.HELD,
        version=terms.version,
        currency=settings.DEFAULT_CURRENCY,
        reference=f"signup-{customer.pk}",
        occurred_on=timezone.localdate(now),
        recorded_by=user,
        amount=quantize(Decimal(0)),
        reward_percent=Decimal("0.00"),
        reward_amount=quantize(Decimal(0)),
    )
    audit.record(
        actor=user, action="referral.signup", obj=conversion, organisation=partner, after=audit.snapshot(conversion)
    )
    _announce(conversion)
    return attribution


def _returning_customer(
    *, click: ReferralClick, customer: Organisation, user, now: datetime
) -> ReferralAttribution | None:
    """A signed-in customer followed a partner's link: move the customer if the rule allows."""
    partner = click.link.organisation
    attributions = list(ReferralAttribution.objects.select_for_update().filter(customer=customer).order_by("id"))
    if any(a.organisation_id == partner.pk and a.status in ReferralAttribution.CURRENT for a in attributions):
        return None  # already this partner's customer, or waiting for that decision
    first = next((a for a in attributions if a.end_reason != ReferralAttribution.EndReason.CLAIM_REJECTED), None)
    if first is not None and first.rule == "bind_once":
        return None  # the first attribution never moves
    current = [a for a in attributions if a.status in ReferralAttribution.CURRENT]
    terms = terms_for(partner.pk, timezone.localdate(now))
    rule = current[0].rule if current else terms.rule
    if current and rule != "last_click":
        return None
    return _attribute(
        partner=partner,
        customer=customer,
        link=click.link,
        click=click,
        how=ReferralAttribution.How.COOKIE,
        terms=terms,
        first_click_at=click.at,
        email=user.email,
        actor=user,
        now=now,
    )
