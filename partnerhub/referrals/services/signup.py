from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from partnerhub.core.problems import Problem
from partnerhub.identity.models import Membership, Organisation, User
from partnerhub.identity.roles import OrgKind

from .. import tracking
from ..models import ReferralAttribution
from .attribution import attribute_signup
from .links import active_link_for_code, normalise_code


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
