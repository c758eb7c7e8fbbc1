from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from partnerhub.core import audit
from partnerhub.identity.models import Organisation, User
from partnerhub.identity.roles import OrgKind, Perm
from partnerhub.identity.services import require_perm

from .. import tracking
from ..models import ReferralLink
from .terms import CODE_ALPHABET, CODE_LENGTH


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


def active_link_for_code(code: str) -> ReferralLink | None:
    code = normalise_code(code)
    if not code:
        return None
    return (
        ReferralLink.objects.select_related("organisation")
        .filter(code=code, is_active=True, organisation__is_active=True, organisation__kind=OrgKind.PARTNER)
        .first()
    )
