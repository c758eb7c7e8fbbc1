"""Reads of the marketplace: each takes the acting user and returns what it may see (404 otherwise)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from partnerhub.core.money import quantize
from partnerhub.core.tenancy import actor_for
from partnerhub.identity.models import Organisation, User
from partnerhub.identity.roles import Perm
from partnerhub.rewards import fx

from . import billing, pricing
from .models import (
    ApplicationScore,
    Listing,
    ListingText,
    ListingVersion,
    ScoreCriterion,
    Screenshot,
    Storefront,
    VendorApplication,
    VersionIndustry,
)
from .services.access import require_vendor_perm


def applications(*, actor: User, status: str = "") -> QuerySet[VendorApplication]:
    qs = VendorApplication.objects.visible_to(actor).select_related("organisation")
    return qs.filter(status=status) if status else qs


def application(*, actor: User, pk: int) -> VendorApplication:
    return VendorApplication.objects.select_related("organisation", "decided_by").get_visible_or_404(actor, pk=pk)


def scores(*, actor: User, application: VendorApplication) -> QuerySet[ApplicationScore]:
    """The experts' scores: vendor staff read them; the applicant reads only the decision's scorecard."""
    if not actor_for(actor).is_vendor_staff:
        return ApplicationScore.objects.none()
    return (
        ApplicationScore.objects.visible_to(actor).filter(application=application).select_related("criterion", "expert")
    )


def criteria(*, active_only: bool = False) -> QuerySet[ScoreCriterion]:
    qs = ScoreCriterion.objects.all()
    return qs.filter(is_active=True) if active_only else qs


def _versions_prefetch() -> list:
    return [
        Prefetch("texts", queryset=ListingText.objects.order_by("language")),
        Prefetch("storefronts", queryset=Storefront.objects.order_by("code")),
    ]


def listings(*, actor: User, organisation: Organisation | None = None) -> QuerySet[Listing]:
    qs = Listing.objects.visible_to(actor).select_related("organisation", "live_version", "working_version")
    qs = qs.prefetch_related(
        *(Prefetch(f"{rel}__texts", queryset=ListingText.objects.order_by("language"))
          for rel in ("live_version", "working_version"))
    )  # fmt: skip
    return qs.filter(organisation=organisation) if organisation is not None else qs


def listing(*, actor: User, pk: int) -> Listing:
    return Listing.objects.select_related("organisation", "live_version", "working_version").get_visible_or_404(
        actor, pk=pk
    )


def version(*, actor: User, pk: int) -> ListingVersion:
    return (
        ListingVersion.objects.select_related("listing__organisation", "listing__live_version")
        .prefetch_related(*_versions_prefetch(), "industries", "screenshots", "comments")
        .get_visible_or_404(actor, pk=pk)
    )


def screenshot(*, actor: User, pk: int) -> Screenshot:
    return Screenshot.objects.select_related("version__listing").get_visible_or_404(actor, pk=pk)


def public_screenshot(*, actor: User, pk: int) -> Screenshot:
    """A screenshot of a live version (anyone), or one the actor may see (its vendor, vendor staff)."""
    shot = Screenshot.objects.select_related("version").filter(pk=pk).first()
    if shot is not None and shot.version.status == ListingVersion.Status.LIVE:
        return shot
    return screenshot(actor=actor, pk=pk)


def moderation_queue(*, actor: User) -> QuerySet[ListingVersion]:
    """Submitted versions, oldest first (moderators and vendor administrators)."""
    require_vendor_perm(actor=actor, perm=Perm.MARKETPLACE_MODERATE)
    return (
        ListingVersion.objects.visible_to(actor)
        .filter(status=ListingVersion.Status.SUBMITTED)
        .select_related("listing__organisation", "listing__live_version")
        .prefetch_related(*_versions_prefetch())
        .order_by("submitted_at", "pk")
    )


# ------------------------------------------------------------------------------ storefronts (public)


def storefronts(*, include_closed: bool = False) -> QuerySet[Storefront]:
    qs = Storefront.objects.all()
    return qs if include_closed else qs.filter(is_active=True)


def storefront(*, code: str) -> Storefront:
    sf = Storefront.objects.filter(code=code, is_active=True).first()
    if sf is None:
        raise Http404
    return sf


def catalogue(
    *, storefront: Storefront, search: str = "", category: str = "", industry: str = "", vendor: int | None = None
) -> QuerySet[ListingVersion]:
    """The live versions on a storefront, with their texts in its language; every filter in SQL."""
    texts = ListingText.objects.filter(version=OuterRef("pk"), language=storefront.language)
    qs = ListingVersion.objects.filter(status=ListingVersion.Status.LIVE, storefronts=storefront).filter(Exists(texts))
    if search:
        qs = qs.filter(Exists(texts.filter(Q(name__icontains=search) | Q(short_description__icontains=search)
                                           | Q(long_description__icontains=search))))  # fmt: skip
    if category:
        qs = qs.filter(category=category)
    if industry:
        qs = qs.filter(Exists(VersionIndustry.objects.filter(version=OuterRef("pk"), code=industry)))
    if vendor:
        qs = qs.filter(listing__organisation_id=vendor)
    return (
        qs.select_related("listing__organisation")
        .prefetch_related(Prefetch("texts", queryset=ListingText.objects.filter(language=storefront.language)))
        .order_by("-decided_at", "-pk")
    )


def catalogue_vendors(*, storefront: Storefront) -> QuerySet[Organisation]:
    """The vendors with a live listing on the storefront (the vendor filter's choices)."""
    live = ListingVersion.objects.filter(
        status=ListingVersion.Status.LIVE, storefronts=storefront, listing__organisation=OuterRef("pk")
    )
    return Organisation.objects.filter(Exists(live)).order_by("name")


def public_listing(*, storefront: Storefront, pk: int) -> ListingVersion:
    """A listing's live version on the storefront with its texts, plans and prices; 404 if not shown there."""
    v = (
        catalogue(storefront=storefront)
        .filter(listing_id=pk)
        .prefetch_related(
            "industries", "screenshots", "resources", "plans__charges__prices", "plans__charges__resource"
        )
        .first()
    )
    if v is None:
        raise Http404
    return v


def public_vendor(*, storefront: Storefront, pk: int) -> Organisation:
    org = catalogue_vendors(storefront=storefront).filter(pk=pk).first()
    if org is None:
        raise Http404
    return org


def priced_plans(version: ListingVersion, storefront: Storefront) -> list[dict]:
    """The version's plans with each charge's price in the storefront's currency (converted at the current
    rate from the vendor's base currency when the charge has no price in it: ``billing.charge_price``).
    A plan whose price cannot be converted (no rate) says so in ``unavailable`` and shows no price, never a zero."""
    out = []
    for plan in version.plans.all():
        charges, unavailable = [], ""
        for c in plan.charges.all():
            try:
                price = billing.charge_price(c, storefront.currency)
            except fx.MissingRate as exc:
                charges, unavailable = [], exc.message
                break
            tiers = [{"up_to": t.up_to, "unit": quantize(t.unit), "flat": quantize(t.flat)} for t in price.tiers]
            amount = quantize(price.amount) if price.amount is not None else None
            charges.append({"model": c.model, "resource": price.resource,
                            "unit": c.resource.unit if c.resource_id else None, "block_size": c.block_size,
                            "resource_name": c.resource.name(storefront.language) if c.resource_id else "",
                            "amount": amount, "tiers": tiers, "converted_from": price.converted_from,
                            "from": pricing.starting_price(c.model, amount=amount, tiers=price.tiers)})  # fmt: skip
        out.append({"code": plan.code, "name": plan.name(storefront.language), "billing_period": plan.billing_period,
                    "trial_days": plan.trial_days, "charges": charges, "unavailable": unavailable})  # fmt: skip
    return out


def vendor_products(*, org_id: int, language: str) -> list[dict]:
    """A software vendor's live listings on open storefronts, named in ``language`` (else the other one):
    what the public partner catalogue shows as the vendor's products. Three queries, whatever their number."""
    versions = (
        ListingVersion.objects.filter(status=ListingVersion.Status.LIVE, listing__organisation_id=org_id,
                                      storefronts__is_active=True)
        .distinct()
        .prefetch_related(Prefetch("texts", queryset=ListingText.objects.order_by("language")),
                          Prefetch("storefronts", queryset=Storefront.objects.filter(is_active=True).order_by("code")))
        .order_by("-decided_at", "-pk")[:50]
    )  # fmt: skip
    out = []
    for v in versions:
        texts = {t.language: t for t in v.texts.all()}
        text = texts.get(language) or next(iter(texts.values()), None)
        fronts = list(v.storefronts.all())
        home = next((sf for sf in fronts if sf.language == language), fronts[0] if fronts else None)
        if text is None or home is None:
            continue
        out.append({"listing_id": v.listing_id, "name": text.name, "short_description": text.short_description,
                    "storefronts": [sf.code for sf in fronts], "storefront": home.code})  # fmt: skip
    return out
