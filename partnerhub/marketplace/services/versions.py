"""Copying a version (a live listing's edit starts from a copy of the live version)."""

from __future__ import annotations

from ..models import Charge, ListingText, ListingVersion, Plan, Price, Resource, Screenshot, VersionIndustry


def copy_version(source: ListingVersion, *, number: int) -> ListingVersion:
    """A new draft with everything of ``source``: texts, industries, screenshots (same files), pricing, storefronts."""
    copy = ListingVersion.objects.create(
        listing=source.listing, number=number, category=source.category,
        technical_requirements=source.technical_requirements, video_links=list(source.video_links),
        documentation_links=list(source.documentation_links), provisioning_mode=source.provisioning_mode,
        provisioning_url=source.provisioning_url, provisioning_email=source.provisioning_email,
    )  # fmt: skip
    copy.storefronts.set(source.storefronts.all())
    ListingText.objects.bulk_create([
        ListingText(version=copy, language=t.language, name=t.name, short_description=t.short_description,
                    long_description=t.long_description, technical_description=t.technical_description)
        for t in source.texts.all()])  # fmt: skip
    VersionIndustry.objects.bulk_create([VersionIndustry(version=copy, code=i.code) for i in source.industries.all()])
    Screenshot.objects.bulk_create([
        Screenshot(version=copy, image=s.image.name, thumbnail=s.thumbnail.name, caption=s.caption, width=s.width,
                   height=s.height, position=s.position) for s in source.screenshots.all()])  # fmt: skip
    resources = {}
    for r in source.resources.all():
        resources[r.pk] = Resource.objects.create(version=copy, code=r.code, name_ru=r.name_ru, name_en=r.name_en,
                                                  unit=r.unit)  # fmt: skip
    for plan in source.plans.prefetch_related("charges__prices"):
        new_plan = Plan.objects.create(version=copy, code=plan.code, name_ru=plan.name_ru, name_en=plan.name_en,
                                       billing_period=plan.billing_period, trial_days=plan.trial_days,
                                       position=plan.position)  # fmt: skip
        for charge in plan.charges.all():
            new_charge = Charge.objects.create(plan=new_plan, model=charge.model, block_size=charge.block_size,
                                               position=charge.position,
                                               resource=resources.get(charge.resource_id))  # fmt: skip
            Price.objects.bulk_create([Price(charge=new_charge, currency=p.currency, amount=p.amount, tiers=p.tiers)
                                       for p in charge.prices.all()])  # fmt: skip
    return copy
