"""The listing wizard: create, step 1 (the service), 2 (pricing), 3 (provisioning), 4 (storefronts), submit.

Every step writes the listing's working version. A live listing's first edit copies the live
version into a new working version (``working``), so the approved version stays on the storefronts
until a moderator approves the new one. A version awaiting moderation cannot be edited.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.core import audit, uploads
from partnerhub.core.validators import clean_web_url
from partnerhub.identity.models import Organisation, User
from partnerhub.identity.roles import Role
from partnerhub.rewards import fx

from .. import billing
from ..choices import Category, Industry, Language, ProvisioningMode
from ..models import Listing, ListingText, ListingVersion, Screenshot, Storefront, VersionIndustry
from . import conformance, pricing_document
from .access import require_seller
from .admission import is_admitted
from .versions import copy_version

MAX_LINKS = 10
MAX_SCREENSHOTS = 10
TEXT_LIMITS = {"name": 120, "short_description": 300, "long_description": 10000, "technical_description": 10000}


@transaction.atomic
def listing_create(*, actor: User, organisation: Organisation) -> Listing:
    """A new listing with an empty draft (admitted vendors only)."""
    require_seller(actor=actor, organisation=organisation)
    if not is_admitted(organisation.pk):
        raise ValidationError({"organisation": [ValidationError(
            _("Only vendors admitted to the marketplace create listings."), code="not_admitted")]})  # fmt: skip
    listing = Listing.objects.create(organisation=organisation)
    listing.working_version = ListingVersion.objects.create(listing=listing, number=1)
    listing.save(update_fields=["working_version"])
    audit.record(actor=actor, action="listing.created", obj=listing, organisation=organisation)
    return listing


def working(*, actor: User, listing: Listing) -> ListingVersion:
    """The version an edit writes (locked): the working draft, else a new copy of the live version."""
    require_seller(actor=actor, organisation=listing.organisation)
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    version = listing.working_version
    if version is not None:
        if not version.editable:
            raise ValidationError({"__all__": [ValidationError(
                _("This version awaits moderation; it cannot be changed now."), code="submitted")]})  # fmt: skip
        if version.status == ListingVersion.Status.REJECTED:
            version.status = ListingVersion.Status.DRAFT
            version.save(update_fields=["status"])
        return version
    number = (listing.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = copy_version(listing.live_version, number=number)
    listing.working_version = version
    listing.save(update_fields=["working_version"])
    audit.record(actor=actor, action="listing.revision_started", obj=version, organisation=listing.organisation,
                 after=audit.snapshot(version))  # fmt: skip
    return version


def _links(errors: dict, field: str, values) -> list[str]:
    values = [v for v in (values or []) if str(v).strip()]
    if len(values) > MAX_LINKS:
        errors[field] = [_("At most %(n)s links.") % {"n": MAX_LINKS}]
        return []
    out = []
    for i, value in enumerate(values):
        try:
            out.append(clean_web_url(str(value), field=f"{field}.{i}", max_length=500))
        except ValidationError as exc:
            errors.update(exc.message_dict)
    return out


@transaction.atomic
def set_service(
    *, actor: User, listing: Listing, texts: dict[str, dict], category: str, industries: list[str],
    video_links: list[str] = (), documentation_links: list[str] = (), technical_requirements: str = "",
) -> ListingVersion:  # fmt: skip
    """Step 1: the texts per language (Russian and/or English), category, industries, links, requirements."""
    version = working(actor=actor, listing=listing)
    errors: dict[str, list] = {}
    if category not in Category.values:
        errors["category"] = [ValidationError(_("Choose a category."), code="required")]
    bad = [c for c in industries or [] if c not in Industry.values]
    if bad:
        errors["industries"] = [_("Unknown industries: %(codes)s.") % {"codes": ", ".join(map(str, bad))}]
    rows = []
    for language, values in (texts or {}).items():
        if language not in Language.values:
            errors[f"texts.{language}"] = [_("Texts are written in Russian or English.")]
            continue
        values = {k: str(values.get(k) or "").strip() for k in TEXT_LIMITS}
        if not any(values.values()):
            continue  # a language left empty is no translation
        for key, limit in TEXT_LIMITS.items():
            if key != "technical_description" and not values[key]:
                errors[f"texts.{language}.{key}"] = [ValidationError(_("This field is required."), code="required")]
            elif len(values[key]) > limit:
                errors[f"texts.{language}.{key}"] = [_("At most %(n)s characters.") % {"n": limit}]
        rows.append(ListingText(version=version, language=language, **values))
    if not rows and "texts" not in errors:
        errors["texts"] = [ValidationError(_("Write the texts in at least one language."), code="required")]
    videos = _links(errors, "video_links", video_links)
    docs = _links(errors, "documentation_links", documentation_links)
    if len(technical_requirements or "") > 5000:
        errors["technical_requirements"] = [_("At most %(n)s characters.") % {"n": 5000}]
    if errors:
        raise ValidationError(errors)
    before = _service_snapshot(version)
    version.texts.all().delete()
    ListingText.objects.bulk_create(rows)
    version.industries.all().delete()
    VersionIndustry.objects.bulk_create([VersionIndustry(version=version, code=c) for c in sorted(set(industries))])
    version.category, version.video_links, version.documentation_links = category, videos, docs
    version.technical_requirements = (technical_requirements or "").strip()
    version.save(update_fields=["category", "video_links", "documentation_links", "technical_requirements"])
    audit.record(actor=actor, action="listing.service_saved", obj=version, organisation=listing.organisation,
                 before=before, after=_service_snapshot(version))  # fmt: skip
    return version


def _service_snapshot(version: ListingVersion) -> dict:
    return {"category": version.category, "languages": sorted(version.texts.values_list("language", flat=True)),
            "industries": sorted(version.industries.values_list("code", flat=True))}  # fmt: skip


@transaction.atomic
def screenshot_add(*, actor: User, listing: Listing, image, caption: str = "") -> Screenshot:
    """A screenshot checked (type by content, size, dimensions) and stored with its thumbnail."""
    version = working(actor=actor, listing=listing)
    image = uploads.IMAGE.accept(image, field="image", required=True)
    if version.screenshots.count() >= MAX_SCREENSHOTS:
        raise ValidationError({"image": [_("At most %(n)s screenshots.") % {"n": MAX_SCREENSHOTS}]})
    if len(caption or "") > 200:
        raise ValidationError({"caption": [_("At most %(n)s characters.") % {"n": 200}]})
    from PIL import Image

    with Image.open(image) as opened:
        width, height = opened.size
    image.seek(0)
    shot = Screenshot(version=version, caption=(caption or "").strip(), width=width, height=height,
                      position=version.screenshots.count())  # fmt: skip
    thumb = uploads.thumbnail(image)
    shot.thumbnail.save(thumb.name, thumb, save=False)
    shot.image.save(image.name, image, save=False)
    shot.save()
    audit.record(actor=actor, action="listing.screenshot_added", obj=version, organisation=listing.organisation,
                 after={"screenshot": shot.pk, "width": width, "height": height})  # fmt: skip
    return shot


@transaction.atomic
def screenshot_remove(*, actor: User, screenshot: Screenshot) -> None:
    listing = screenshot.version.listing
    version = working(actor=actor, listing=listing)
    if screenshot.version_id != version.pk:  # the live version's screenshot: remove the copy in the draft
        screenshot = version.screenshots.filter(image=screenshot.image.name).first()
        if screenshot is None:
            return
    audit.record(actor=actor, action="listing.screenshot_removed", obj=version, organisation=listing.organisation,
                 before={"screenshot": screenshot.pk})  # fmt: skip
    screenshot.delete()


@transaction.atomic
def set_pricing(*, actor: User, listing: Listing, document: dict) -> ListingVersion:
    """Step 2: the resources and plans (charge models, prices per currency) of the working version."""
    version = working(actor=actor, listing=listing)
    parsed = pricing_document.parse(document if isinstance(document, dict) else {})
    before = {"plans": list(version.plans.values_list("code", flat=True))}
    pricing_document.write(version, parsed)
    audit.record(actor=actor, action="listing.pricing_saved", obj=version, organisation=listing.organisation,
                 before=before, after={"plans": [p["code"] for p in parsed["plans"]]})  # fmt: skip
    return version


@transaction.atomic
def set_provisioning(*, actor: User, listing: Listing, mode: str, url: str = "", email: str = "",
                     token: str | None = None) -> ListingVersion:  # fmt: skip
    """Step 3: the vendor's provisioning API (with the token the platform sends it; empty keeps the saved one)
    or manual handling. An API listing is submitted only once its conformance check passed
    (:mod:`partnerhub.marketplace.services.conformance`)."""
    version = working(actor=actor, listing=listing)
    errors: dict[str, list] = {}
    if mode not in ProvisioningMode.values:
        raise ValidationError({"mode": [_("Choose the vendor API or manual provisioning.")]})
    if mode == ProvisioningMode.API:
        try:
            url = clean_web_url(url, field="url", required=True)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    email = (email or "").strip()
    if mode == ProvisioningMode.MANUAL and not email:
        errors["email"] = [ValidationError(_("Give the e-mail address that receives requests."), code="required")]
    elif email:
        try:
            validate_email(email)
        except ValidationError as exc:
            errors["email"] = exc.error_list
    if errors:
        raise ValidationError(errors)
    token = (token or "").strip()
    if len(token) > 500:
        raise ValidationError({"token": [_("The token is longer than 500 characters.")]})
    before = {"mode": version.provisioning_mode, "url": version.provisioning_url}
    version.provisioning_mode, version.provisioning_email = mode, email
    version.provisioning_url = url if mode == ProvisioningMode.API else ""
    fields = ["provisioning_mode", "provisioning_url", "provisioning_email"]
    if token or mode != ProvisioningMode.API:
        version.provisioning_token = token if mode == ProvisioningMode.API else ""
        fields.append("provisioning_token")
    version.save(update_fields=fields)
    audit.record(actor=actor, action="listing.provisioning_saved", obj=version, organisation=listing.organisation,
                 before=before, after={"mode": mode, "url": version.provisioning_url,
                                       "token_changed": bool(token)})  # fmt: skip
    return version


@transaction.atomic
def set_storefronts(*, actor: User, listing: Listing, codes: list[str]) -> ListingVersion:
    """Step 4: the regional storefronts the listing is to appear on."""
    version = working(actor=actor, listing=listing)
    found = list(Storefront.objects.filter(code__in=codes or [], is_active=True))
    unknown = sorted(set(codes or []) - {s.code for s in found})
    if unknown:
        raise ValidationError({"storefronts": [_("No open storefront %(codes)s.") % {"codes": ", ".join(unknown)}]})
    before = {"storefronts": sorted(version.storefronts.values_list("code", flat=True))}
    version.storefronts.set(found)
    audit.record(actor=actor, action="listing.storefronts_saved", obj=version, organisation=listing.organisation,
                 before=before, after={"storefronts": sorted(s.code for s in found)})  # fmt: skip
    return version


def submission_gaps(version: ListingVersion) -> dict[str, list[str]]:
    """What keeps ``version`` from moderation, each gap named by its field (empty when it can be submitted)."""
    gaps: dict[str, list[str]] = {}

    def gap(field: str, message: str) -> None:
        gaps.setdefault(field, []).append(message)

    languages = set(version.texts.values_list("language", flat=True))
    if not languages:
        gap("texts", _("Write the service's texts (step 1)."))
    if not version.category:
        gap("category", _("Choose a category (step 1)."))
    plans = list(version.plans.prefetch_related("charges__prices"))
    if not plans:
        gap("plans", _("Add at least one plan (step 2)."))
    if version.provisioning_mode == ProvisioningMode.API and not version.provisioning_url:
        gap("provisioning", _("Give the provisioning API's address (step 3)."))
    elif version.provisioning_mode == ProvisioningMode.API and not conformance.passed_for(version):
        gap("provisioning", _("Run the conformance check against the provisioning API until it passes (step 3)."))
    if version.provisioning_mode == ProvisioningMode.MANUAL and not version.provisioning_email:
        gap("provisioning", _("Give the e-mail address for manual requests (step 3)."))
    storefronts = list(version.storefronts.all())
    if not storefronts:
        gap("storefronts", _("Attach the listing to at least one storefront (step 4)."))
    for sf in storefronts:
        if sf.language not in languages:
            gap(f"texts.{sf.language}", _("Storefront %(sf)s shows %(lang)s texts; they are missing.")
                % {"sf": sf.name, "lang": Language(sf.language).label})  # fmt: skip
        for plan in plans:
            for i, charge in enumerate(plan.charges.all()):
                if any(p.currency == sf.currency for p in charge.prices.all()):
                    continue
                where = f"plans.{plan.code}.charges.{i}.prices.{sf.currency}"
                if not charge.prices.all():
                    gap(where, _("Plan %(plan)s has no price in %(cur)s for storefront %(sf)s.")
                        % {"plan": plan.code, "cur": sf.currency, "sf": sf.name})  # fmt: skip
                    continue
                try:  # priced in a base currency: shown converted at the current rate, which must exist
                    billing.charge_price(charge, sf.currency)
                except fx.MissingRate as exc:
                    message = _("Plan %(plan)s is priced in another currency and cannot be shown on storefront "
                                "%(sf)s: %(error)s")  # fmt: skip
                    gap(where, message % {"plan": plan.code, "sf": sf.name, "error": exc.message})
    return gaps


@transaction.atomic
def submit(*, actor: User, listing: Listing) -> ListingVersion:
    """Send the working version to moderation; refused with every gap named."""
    require_seller(actor=actor, organisation=listing.organisation)
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    version = listing.working_version
    if version is None or not version.editable:
        raise ValidationError({"__all__": [ValidationError(_("There is no draft to submit."), code="no_draft")]})
    gaps = submission_gaps(version)
    if gaps:
        raise ValidationError(gaps)
    before = audit.snapshot(version)
    version.status = ListingVersion.Status.SUBMITTED
    version.submitted_at, version.submitted_by = timezone.now(), actor
    version.save(update_fields=["status", "submitted_at", "submitted_by"])
    audit.record(actor=actor, action="listing.submitted", obj=version, organisation=listing.organisation,
                 before=before, after=audit.snapshot(version))  # fmt: skip
    from partnerhub.core.notify import notify

    moderators = User.objects.filter(memberships__organisation__kind="vendor", memberships__role=Role.MODERATOR)
    notify(users=moderators, kind="marketplace.moderation", title=_("A listing awaits moderation"),
           url=f"/marketplace/moderation/{version.pk}/", email=False)  # fmt: skip
    return version
