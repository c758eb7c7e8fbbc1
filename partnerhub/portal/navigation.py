"""Role-aware navigation (a template context processor): the entries each role sees."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from partnerhub.core.models import Notification
from partnerhub.core.tenancy import Actor, actor_for
from partnerhub.identity.roles import ORG_ADMIN_ROLES
from partnerhub.identity.selectors import home_organisation


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    shown: Callable[[Actor], bool]
    section: str = ""


def _any(actor: Actor) -> bool:
    return actor.is_authenticated


def _vendor(actor: Actor) -> bool:
    return actor.is_vendor_staff


def _org_admin_or_vendor(actor: Actor) -> bool:
    return bool(actor.roles & ORG_ADMIN_ROLES) or actor.is_partner_manager


NAVIGATION: list[NavItem] = [
    NavItem(_("Home"), "home", _any),
    NavItem(_("Organisations"), "organisation-list", _vendor),
    NavItem(
        _("My tier"),
        "partner-tier",
        lambda a: (
            a.is_authenticated and not a.is_vendor_staff and bool({"partner_admin", "sales", "engineer"} & a.roles)
        ),
    ),
    NavItem(_("Programmes"), "programme-list", _vendor),
    NavItem(_("Tiers"), "tier-overview", _vendor),
    NavItem(
        _("Obligations"),
        "obligation-list",
        lambda a: (
            a.is_partner_manager
            or "vendor_admin" in a.vendor_roles
            or bool({"partner_admin", "sales", "engineer"} & a.roles)
        ),
    ),
    NavItem(_("Deals"), "deal-board", lambda a: a.is_vendor_staff or bool({"partner_admin", "sales"} & a.roles)),
    NavItem(_("Deal review"), "deal-review", lambda a: a.is_partner_manager or "vendor_admin" in a.vendor_roles),
    NavItem(_("Leads"), "lead-list", _vendor),
    NavItem(_("Leads"), "lead-inbox", lambda a: not a.is_vendor_staff and bool({"partner_admin", "sales"} & a.roles)),
    NavItem(_("Enrolments"), "enrolment-list", _vendor),
    NavItem(_("Applications"), "onboarding-application-list", _vendor),
    NavItem(_("My organisation"), "my-organisation", lambda a: a.is_authenticated and not a.is_vendor_staff),
    NavItem(_("Members"), "my-members", _any),
    NavItem(
        _("Referrals"),
        "referral-home",
        lambda a: not a.is_vendor_staff and bool({"partner_admin", "sales", "engineer"} & a.roles),
    ),
    NavItem(_("Referral traffic"), "referral-traffic", _vendor),
    NavItem(_("Sales"), "sale-list", lambda a: bool(a.vendor_roles) or bool({"partner_admin", "sales"} & a.roles)),
    NavItem(_("Specialists"), "my-specialists", lambda a: bool({"partner_admin", "sales", "engineer"} & a.roles)),
    NavItem(_("Partner catalogue"), "catalogue", _any),
    NavItem(_("API tokens"), "token-list", _any),
    NavItem(_("Webhooks"), "webhook-list", lambda a: "vendor_admin" in a.vendor_roles or "partner_admin" in a.roles),
    NavItem(_("Audit log"), "audit-list", _org_admin_or_vendor),
]


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    actor = actor_for(user)
    items = []
    current = getattr(getattr(request, "resolver_match", None), "url_name", None)
    for item in NAVIGATION:
        if item.shown(actor):
            items.append({"label": item.label, "url": reverse(item.url_name), "active": item.url_name == current})
    org = home_organisation(actor=user, preferred_id=request.session.get("organisation_id"))
    role_labels = [m.get_role_display() for m in actor.memberships if org and m.organisation_id == org.pk]
    return {
        "unread_notifications": Notification.objects.filter(user=user, read_at__isnull=True).count(),
        "nav_items": items,
        "current_organisation": org,
        "current_roles": role_labels,
        "switchable_organisations": [m.organisation for m in actor.memberships] if len(actor.memberships) > 1 else [],
    }
