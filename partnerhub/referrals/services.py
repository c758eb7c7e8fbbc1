"""Writes of the referrals context: links, clicks, attributions, conversions and their settlement.

Every function that changes state runs in one transaction and writes the audit log; clicks are
traffic, not decisions, and are counted rather than audited.

Attribution rules (per programme version: ``referral_attribution``, ``referral_window_days``):

* a click counts for a sign-up within the window after it; the sign-up's attribution counts
  for purchases dated within the window after the sign-up (``window_ends_on``);
* ``last_click``: the latest counted click wins, and a later click of a signed-in customer on
  another partner's link moves the customer (through the claim registry, so the partner
  manager decides while the first partner's claim is protected);
* ``first_click``: the earliest click in the window wins; the customer moves only once the
  attribution has ended;
* ``bind_once``: the earliest click wins and the customer's first attribution never moves;
* when the clicks come from partners of different programmes, the rule of the programme behind
  the latest click decides; a typed code counts only when no click does.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.core import audit
from partnerhub.core.money import CURRENCIES, quantize
from partnerhub.core.notify import notify
from partnerhub.core.problems import Problem
from partnerhub.core.tenancy import actor_for
from partnerhub.identity.models import Membership, Organisation, User
from partnerhub.identity.roles import OrgKind, Perm, Role
from partnerhub.identity.services import require_perm
from partnerhub.programmes.models import ProductFamily, Programme, ProgrammeRole, ProgrammeVersion
from partnerhub.programmes.selectors import version_in_force

from . import tracking
from .models import Conversion, ReferralAttribution, ReferralClick, ReferralLink

logger = logging.getLogger(__name__)

A = ReferralAttribution.Status
C = Conversion.Status
CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: codes are typed by people
CODE_LENGTH = 8
RULES = ("last_click", "first_click", "bind_once")


# ---------------------------------------------------------------------------- programme terms


@dataclass(frozen=True)
class Terms:
    """The referral rules that apply to a partner on a date."""

    programme: Programme | None
    version: ProgrammeVersion | None
    window_days: int
    rule: str
    reward_percent: Decimal


def terms_for(organisation_id: int, on: date) -> Terms:
    """The partner's referral terms: its referral-role enrolment first, else its first active one."""
    from partnerhub.partners.models import Enrolment

    best: tuple[bool, Enrolment, ProgrammeVersion] | None = None
    enrolments = Enrolment.objects.filter(organisation_id=organisation_id, status=Enrolment.Status.ACTIVE)
    for e in enrolments.select_related("programme").order_by("programme_id"):
        version = version_in_force(programme=e.programme, on=on)
        if version is None:
            continue
        is_referral = version.roles.filter(code=e.role_code, kind=ProgrammeRole.Kind.REFERRAL).exists()
        if best is None or (is_referral and not best[0]):
            best = (is_referral, e, version)
    if best is None:
        return Terms(None, None, settings.REFERRAL_DEFAULT_WINDOW_DAYS, "last_click", Decimal(0))
    _ref, enrolment, version = best
    rule = version.referral_attribution if version.referral_attribution in RULES else "last_click"
    return Terms(enrolment.programme, version, version.referral_window_days, rule, version.referral_reward_percent)


def _longest_window() -> int:
    longest = ProgrammeVersion.objects.filter(status=ProgrammeVersion.Status.PUBLISHED).aggregate(
        m=Max("referral_window_days")
    )["m"]
    return max(longest or 0, settings.REFERRAL_DEFAULT_WINDOW_DAYS)


# ---------------------------------------------------------------------------- helpers


def _partner_users(org_id: int) -> list[User]:
    return list(
        User.objects.filter(
            memberships__organisation_id=org_id, memberships__role__in=[Role.PARTNER_ADMIN, Role.SALES], is_active=True
        ).distinct()
    )


def require_purchase_recorder(actor: User) -> None:
    if not actor_for(actor).vendor_roles & {Role.VENDOR_ADMIN, Role.FINANCE}:
        raise PermissionDenied(_("Only the vendor's administrators and finance record purchases."))


def conversion_payload(conversion: Conversion) -> dict:
    """What the referral partner may know about its own conversion."""
    link = conversion.attribution.link if conversion.attribution_id else None
    return {
        "id": conversion.pk,
        "kind": conversion.kind,
        "status": conversion.status,
        "organisation_id": conversion.organisation_id,
        "customer_name": conversion.customer.name,
        "link_code": link.code if link else None,
        "amount": str(conversion.amount),
        "currency": conversion.currency,
        "reward_amount": str(conversion.reward_amount),
        "occurred_on": conversion.occurred_on.isoformat(),
        "reference": conversion.reference,
    }


def _publish(conversion: Conversion) -> None:
    """Outgoing webhooks, when the webhooks context is installed."""
    try:
        from partnerhub.webhooks.services import publish_event
    except ImportError:  # the webhooks context is being built alongside
        return
    publish_event(
        event_type="referral.conversion",
        organisation_ids=[conversion.organisation_id],
        payload=conversion_payload(conversion),
    )


def _announce(conversion: Conversion) -> None:
    """Tell the partner about a conversion credited to it (or waiting for review)."""
    if conversion.organisation_id is None:
        return
    customer = conversion.customer.name
    if conversion.kind == Conversion.Kind.SIGNUP:
        title = _("%(customer)s signed up through your referral") % {"customer": customer}
    else:
        title = _("Purchase by %(customer)s: reward %(reward)s %(currency)s") % {
            "customer": customer,
            "reward": conversion.reward_amount,
            "currency": conversion.currency,
        }
    body = _("The partner manager reviews this referral first.") if conversion.status == C.HELD else ""
    notify(
        users=_partner_users(conversion.organisation_id),
        organisation=conversion.organisation,
        kind=f"referral.{conversion.kind}",
        title=title,
        body=body,
        url=reverse("referral-home"),
    )
    _publish(conversion)


# ---------------------------------------------------------------------------- links


def link_url(link: ReferralLink) -> str:
    return f"{settings.SITE_URL}{reverse('referral-click', args=[link.code])}"


def _new_code() -> str:
    for _attempt in range(10):
        code = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
        if not ReferralLink.objects.filter(code=code).exists():
            return code
    raise RuntimeError("could not draw a free referral code")  # pragma: no cover - 31^8 codes


def normalise_code(raw: str) -> str:
    return (raw or "").strip().lower()


@transaction.atomic
def link_create(*, actor: User, organisation: Organisation, target: str, campaign: str = "") -> ReferralLink:
    require_perm(actor=actor, perm=Perm.REFERRALS_MANAGE, organisation=organisation)
    errors: dict[str, list] = {}
    if organisation.kind != OrgKind.PARTNER:
        errors["organisation"] = [ValidationError(_("Referral links belong to partner organisations."), code="invalid")]
    try:
        target = tracking.clean_target(target)
    except ValidationError as exc:
        errors.update(exc.error_dict)
    campaign = (campaign or "").strip()
    if len(campaign) > 100:
        errors["campaign"] = [ValidationError(_("At most 100 characters."), code="max_length")]
    if errors:
        raise ValidationError(errors)
    link = ReferralLink.objects.create(
        organisation=organisation, code=_new_code(), target=target, campaign=campaign, created_by=actor
    )
    audit.record(
        actor=actor, action="referral_link.created", obj=link, organisation=organisation, after=audit.snapshot(link)
    )
    return link


@transaction.atomic
def link_update(*, actor: User, link: ReferralLink, **changes) -> ReferralLink:
    """Change the target or campaign, or (de)activate the link. The code never changes."""
    link = ReferralLink.objects.select_for_update().select_related("organisation").get(pk=link.pk)
    require_perm(actor=actor, perm=Perm.REFERRALS_MANAGE, organisation=link.organisation)
    unknown = set(changes) - {"target", "campaign", "is_active"}
    if unknown:
        raise ValidationError({f: [_("This field cannot be changed here.")] for f in sorted(unknown)})
    if "target" in changes:
        changes["target"] = tracking.clean_target(changes["target"])
    if "campaign" in changes:
        changes["campaign"] = (changes["campaign"] or "").strip()
        if len(changes["campaign"]) > 100:
            raise ValidationError({"campaign": [ValidationError(_("At most 100 characters."), code="max_length")]})
    before = audit.snapshot(link)
    for key, value in changes.items():
        setattr(link, key, value)
    after = audit.snapshot(link)
    if after == before:
        return link
    link.save()
    action = "referral_link.updated"
    if before["is_active"] != after["is_active"]:
        action = "referral_link.activated" if link.is_active else "referral_link.deactivated"
    audit.record(actor=actor, action=action, obj=link, organisation=link.organisation, before=before, after=after)
    return link


# ---------------------------------------------------------------------------- clicks


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


# ---------------------------------------------------------------------------- attribution


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


def active_link_for_code(code: str) -> ReferralLink | None:
    code = normalise_code(code)
    if not code:
        return None
    return (
        ReferralLink.objects.select_related("organisation")
        .filter(code=code, is_active=True, organisation__is_active=True, organisation__kind=OrgKind.PARTNER)
        .first()
    )


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


# ---------------------------------------------------------------------------- settlement


def _activate(attribution: ReferralAttribution, *, actor, now: datetime) -> None:
    before = audit.snapshot(attribution)
    _end_current(
        attribution.customer,
        actor=actor,
        reason=ReferralAttribution.EndReason.MOVED,
        now=now,
        keep_partner=attribution.organisation,
    )
    attribution.status = A.ACTIVE
    attribution.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        action="referral.attribution_confirmed",
        obj=attribution,
        organisation=attribution.organisation,
        before=before,
        after=audit.snapshot(attribution),
    )
    for conversion in attribution.conversions.filter(status=C.HELD).select_related("customer", "organisation"):
        conv_before = audit.snapshot(conversion)
        conversion.status = C.ATTRIBUTED
        if conversion.kind == Conversion.Kind.PURCHASE:
            conversion.sale = _referral_sale(conversion, actor=actor)
        conversion.save(update_fields=["status", "sale"])
        audit.record(
            actor=actor,
            action="referral.conversion_credited",
            obj=conversion,
            organisation=attribution.organisation,
            before=conv_before,
            after=audit.snapshot(conversion),
        )
        _announce(conversion)


@transaction.atomic
def settle_attribution(*, attribution: ReferralAttribution, actor=None, now: datetime | None = None) -> str:
    """Bring one attribution in line with its claim and its window; returns the resulting status.

    Idempotent. Called by the hourly job, before a purchase is rated, and by anyone who learns that
    the partner manager decided on a referral claim.
    """
    now = now or timezone.now()
    a = (
        ReferralAttribution.objects.select_for_update(of=("self",))
        .select_related("claim", "customer", "organisation", "link")
        .get(pk=attribution.pk)
    )
    if a.status == A.ENDED:
        return a.status
    claimed = _status_of_claim(a.claim) if a.claim_id else a.status
    if claimed == A.ENDED:
        reason = (
            ReferralAttribution.EndReason.CLAIM_REJECTED
            if a.status == A.HELD
            else ReferralAttribution.EndReason.CLAIM_ENDED
        )
        _end(a, actor=actor, reason=reason, now=now)
    elif a.status == A.HELD and claimed == A.ACTIVE:
        _activate(a, actor=actor, now=now)
    if a.status == A.ACTIVE and a.window_ends_on < timezone.localdate(now):
        _end(a, actor=actor, reason=ReferralAttribution.EndReason.WINDOW, now=now)
    return a.status


def settle_claim(*, claim, actor=None) -> None:
    """The deals context decided on a referral claim: apply it to its attributions now."""
    for a in ReferralAttribution.objects.filter(claim=claim):
        settle_attribution(attribution=a, actor=actor)


def on_claim_status_changed(sender, *, claim, actor=None, **kwargs) -> None:
    """Receiver of ``deals.signals.claim_status_changed`` (connected in ``ReferralsConfig.ready``)."""
    if claim.kind == claim.Kind.REFERRAL:
        settle_claim(claim=claim, actor=actor)


def settle_attributions(*, now: datetime | None = None) -> dict[str, int]:
    """The job: every held or active attribution is settled; returns how many ended or were confirmed."""
    now = now or timezone.now()
    from partnerhub.deals.models import Claim

    out = {"confirmed": 0, "ended": 0}
    due = (
        Q(status=A.HELD)
        | Q(status=A.ACTIVE, window_ends_on__lt=timezone.localdate(now))
        | Q(
            status=A.ACTIVE,
            claim__status__in=[Claim.Status.REJECTED, Claim.Status.EXPIRED, Claim.Status.WITHDRAWN, Claim.Status.LOST],
        )
    )
    for pk, status in ReferralAttribution.objects.filter(due).values_list("id", "status"):
        new = settle_attribution(attribution=ReferralAttribution(pk=pk), now=now)
        if new != status:
            out["ended" if new == A.ENDED else "confirmed"] += 1
    return out


# ---------------------------------------------------------------------------- purchases


def _referral_sale(conversion: Conversion, *, actor):
    from partnerhub.rewards.services import record_referral_sale

    return record_referral_sale(
        actor=actor,
        organisation=conversion.organisation,
        customer_name=conversion.customer.name,
        customer_inn=conversion.customer.inn,
        product_family=conversion.product_family,
        amount=conversion.amount,
        currency=conversion.currency,
        sold_on=conversion.occurred_on,
        reference=conversion.reference,
    )


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


# ---------------------------------------------------------------------------- customer sign-up


class TooManySignups(Problem):
    status = 429
    code = "throttled"
    title = "Too many requests"


def _throttle_signup(ip: str | None) -> None:
    if not ip:
        return
    key = f"customer-signups:{tracking.ip_hash(ip)[:32]}"
    if cache.add(key, 1, timeout=3600):
        return
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=3600)
        return
    if count > settings.CUSTOMER_SIGNUPS_PER_HOUR:
        raise TooManySignups(_("Too many sign-ups from your address. Try again in an hour."))


@transaction.atomic
def sign_up_customer(
    *,
    company_name: str,
    inn: str,
    email: str,
    password: str,
    full_name: str = "",
    referral_code: str = "",
    cookie: str | None = None,
    ip: str | None = None,
) -> tuple[Membership, ReferralAttribution | None]:
    """The public sign-up: a customer organisation, its administrator, and the referral behind it."""
    from partnerhub.identity.services import customer_signup

    _throttle_signup(ip)
    errors: dict[str, list] = {}
    code = normalise_code(referral_code)
    if code and active_link_for_code(code) is None:
        errors["referral_code"] = [
            ValidationError(_("No active referral code like this. Check it, or leave it empty."), code="unknown_code")
        ]
    try:
        membership = customer_signup(
            company_name=company_name, inn=inn, email=email, password=password, full_name=full_name
        )
    except ValidationError as exc:
        raise ValidationError({**exc.error_dict, **errors}) from exc
    if errors:
        raise ValidationError(errors)
    attribution = attribute_signup(customer=membership.organisation, user=membership.user, cookie=cookie, code=code)
    return membership, attribution


def customer_by_inn(*, actor: User, inn: str) -> Organisation:
    """The customer organisation with this INN, for the purchase form; a field error when there is none."""
    found = list(Organisation.objects.visible_to(actor).filter(kind=OrgKind.CUSTOMER, inn=(inn or "").strip())[:2])
    if len(found) != 1:
        raise ValidationError(
            {
                "customer_inn": [
                    ValidationError(
                        _("No customer with this INN.")
                        if not found
                        else _("Several customers have this INN; use the API."),
                        code="unknown_customer",
                    )
                ]
            }
        )
    return found[0]
