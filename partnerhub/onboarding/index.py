"""Keeping the catalogue's search index (``CatalogueTerm``) equal to the profiles it is made from."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from partnerhub.core.geo import normalise_city
from partnerhub.identity.models import Organisation
from partnerhub.identity.roles import OrgKind
from partnerhub.partners.models import PartnerProfile

from .models import CatalogueTerm

K = CatalogueTerm.Kind
MAX = 200


def fold(text: str) -> str:
    """How a region or competence is compared: case and ё/е ignored, outer spaces dropped."""
    return str(text).strip().casefold().replace("ё", "е")[:MAX]


def city_key(text: str) -> str:
    return normalise_city(str(text))[:MAX]


def _terms(org: Organisation, profile: PartnerProfile | None) -> dict[tuple[str, str], str]:
    terms: dict[tuple[str, str], str] = {}

    def add(kind: str, value: str, label: str) -> None:
        if value:
            terms.setdefault((kind, value), str(label).strip()[:MAX])

    add(K.REGION, fold(org.region), org.region)
    add(K.CITY, city_key(org.city), org.city)
    if profile is not None:
        for region in profile.regions or []:
            add(K.REGION, fold(region), region)
        for competence in profile.competences or []:
            add(K.COMPETENCE, fold(competence), competence)
        for code in profile.product_families or []:
            add(K.FAMILY, str(code).strip()[:MAX], code)
    return terms


def facets_key(language: str) -> str:
    """Where the catalogue's filter values are cached (selectors.catalogue_facets), per language."""
    return f"catalogue-facets:{language}"


def forget_facets() -> None:
    """Drop the cached filter values: the next catalogue page reads them afresh. Called when a partner's
    terms, listing or enrolment change; what changes elsewhere (a tier renamed) shows within
    ``CATALOGUE_FACETS_SECONDS``."""
    keys = [facets_key(code) for code, _name in settings.LANGUAGES]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))  # and again: a reader may have cached the old state


@transaction.atomic
def sync_terms(organisation_ids: Iterable[int]) -> None:
    """Rewrite the index rows of these organisations from their current data (idempotent)."""
    ids = sorted(set(organisation_ids))
    if not ids:
        return
    orgs = Organisation.objects.filter(pk__in=ids, kind=OrgKind.PARTNER)
    profiles = {p.organisation_id: p for p in PartnerProfile.objects.filter(organisation_id__in=ids)}
    CatalogueTerm.objects.filter(organisation_id__in=ids).delete()
    CatalogueTerm.objects.bulk_create(
        [
            CatalogueTerm(organisation_id=org.pk, kind=kind, value=value, label=label)
            for org in orgs
            for (kind, value), label in _terms(org, profiles.get(org.pk)).items()
        ]
    )
    forget_facets()


def on_organisation_saved(sender, instance, raw=False, **kwargs) -> None:
    if not raw and instance.kind == OrgKind.PARTNER:
        sync_terms([instance.pk])


def on_profile_saved(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        sync_terms([instance.organisation_id])


def on_enrolment_saved(sender, instance, raw=False, **kwargs) -> None:
    if not raw:  # its status lists or unlists the partner; its tier is a filter value
        forget_facets()
