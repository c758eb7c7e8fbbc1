from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from partnerhub.core.tenancy import actor_for
from partnerhub.identity.models import Organisation
from partnerhub.identity.roles import OrgKind

from .. import tracking
from ..models import ReferralAttribution, ReferralClick, ReferralLink
from .attribution import _returning_customer
from .links import normalise_code
from .terms import terms_for


@dataclass
class ClickOutcome:
    target: str
    click: ReferralClick | None = None
    cookie: str | None = None  # the new cookie value, when one is to be set
    cookie_max_age: int = 0
    attribution: ReferralAttribution | None = None


def _click_flood(ip_hash: str, now: datetime) -> bool:
    """More than REFERRAL_CLICKS_PER_MINUTE requests from one address: stop recording them."""
    if not ip_hash:
        return False
    key = f"referral-clicks:{ip_hash[:32]}:{int(now.timestamp() // 60)}"
    if cache.add(key, 1, timeout=120):
        return False
    try:
        return cache.incr(key) > settings.REFERRAL_CLICKS_PER_MINUTE
    except ValueError:
        cache.set(key, 1, timeout=120)
        return False


def _customer_of(user) -> Organisation | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    for m in actor_for(user).memberships:
        if m.organisation.kind == OrgKind.CUSTOMER:
            return m.organisation
    return None


def record_click(
    *, code: str, method: str, headers, ip: str | None, cookie: str | None, user=None, now: datetime | None = None
) -> ClickOutcome:
    """Record a request for ``/r/<code>`` and say where to send the visitor; 404 for an unknown link.

    The click is written (and committed) before the caller answers with the redirect.
    """
    link = (
        ReferralLink.objects.select_related("organisation")
        .filter(
            code=normalise_code(code), is_active=True, organisation__is_active=True, organisation__kind=OrgKind.PARTNER
        )
        .first()
    )
    if link is None:
        raise Http404
    now = now or timezone.now()
    outcome = ClickOutcome(target=tracking.safe_target(link.target))
    user_agent = str(headers.get("User-Agent", ""))
    bot = tracking.is_bot(user_agent=user_agent, method=method, headers=headers)
    visit = tracking.read_cookie(cookie)
    ip_hash = tracking.ip_hash(ip)
    if _click_flood(ip_hash, now):
        return outcome
    visitor = visit.visitor_id if visit else uuid.uuid4()
    excerpt = user_agent[:200]
    duplicate = False
    if not bot:
        recent = ReferralClick.objects.filter(
            link=link, is_bot=False, at__gte=now - timedelta(minutes=settings.REFERRAL_DUPLICATE_MINUTES), at__lte=now
        )
        same = Q(visitor_id=visitor)
        if visit is None and ip_hash:  # no cookie (refused or cleared): the same address and browser
            same |= Q(ip_hash=ip_hash, user_agent=excerpt)
        duplicate = recent.filter(same).exists()
    customer = None if bot else _customer_of(user)
    with transaction.atomic():
        click = ReferralClick.objects.create(
            link=link,
            at=now,
            visitor_id=visitor,
            ip_hash=ip_hash,
            user_agent=excerpt,
            referer_host=tracking.referer_host(str(headers.get("Referer", ""))),
            is_bot=bot,
            is_duplicate=duplicate,
            customer=customer,
        )
        if customer is not None and not duplicate:
            try:
                with transaction.atomic():
                    outcome.attribution = _returning_customer(click=click, customer=customer, user=user, now=now)
            except IntegrityError:  # a simultaneous click of the same customer was attributed first
                outcome.attribution = None
    outcome.click = click
    if not bot:
        window = terms_for(link.organisation_id, timezone.localdate(now)).window_days
        outcome.cookie = tracking.make_cookie(visitor_id=visitor, click_id=click.pk)
        outcome.cookie_max_age = window * 86400
    return outcome
