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


def _partner_staff(actor: Actor) -> bool:
    return bool({"partner_admin", "sales", "engineer"} & actor.roles)


def _partner_sales(actor: Actor) -> bool:
    return bool({"partner_admin", "sales"} & actor.roles)


def _vendor_admin(actor: Actor) -> bool:
    return "vendor_admin" in actor.vendor_roles


def _assesses(actor: Actor) -> bool:
    return bool({"vendor_admin", "partner_manager"} & actor.vendor_roles)


def _moderates(actor: Actor) -> bool:
    return bool({"vendor_admin", "moderator"} & actor.vendor_roles)


def _finance(actor: Actor) -> bool:
    return bool({"vendor_admin", "finance"} & actor.vendor_roles)


def _decides(actor: Actor) -> bool:
    return actor.is_partner_manager or _vendor_admin(actor)


@dataclass(frozen=True)
class NavGroup:
    """A top-level entry that opens a menu of related pages (a job: partners, sales and deals, …)."""

    label: str
    items: tuple[NavItem, ...]
    key: str


Entry = NavItem | NavGroup

HOME = NavItem(_("Home"), "home", _any)

# Vendor staff: at most seven top-level entries, grouped by the job they serve.
VENDOR_NAVIGATION: list[Entry] = [
    HOME,
    NavGroup(_("Partners"), (
        NavItem(_("Organisations"), "organisation-list", _vendor),
        NavItem(_("Enrolments"), "enrolment-list", _vendor),
        NavItem(_("Applications"), "onboarding-application-list", _vendor),
        NavItem(_("Tiers"), "tier-overview", _vendor),
        NavItem(_("Obligations"), "obligation-list", _decides),
        NavItem(_("Support queue"), "support-console", _decides),
        NavItem(_("Partner catalogue"), "catalogue", _any),
    ), "partners"),
    NavGroup(_("Sales and deals"), (
        NavItem(_("Deals"), "deal-board", _vendor),
        NavItem(_("Deal review"), "deal-review", _decides),
        NavItem(_("Leads"), "lead-list", _vendor),
        NavItem(_("Sales"), "sale-list", _vendor),
        NavItem(_("Referral traffic"), "referral-traffic", _vendor),
    ), "sales"),
    NavGroup(_("Programmes"), (
        NavItem(_("Programmes"), "programme-list", _vendor),
        NavItem(_("Courses"), "course-console", _vendor_admin),
        NavItem(_("Exams"), "exam-console", _vendor_admin),
        NavItem(_("Events"), "event-console", _vendor_admin),
        NavItem(_("Library"), "library-console", _vendor_admin),
    ), "programmes"),
    NavGroup(_("Rewards"), (
        NavItem(_("Rewards: finance"), "rewards-finance", lambda a: bool({"vendor_admin", "finance"} & a.vendor_roles)),
        NavItem(_("Reward periods"), "rewards-periods", lambda a: bool({"vendor_admin", "finance"} & a.vendor_roles)),
        NavItem(_("Payout runs"), "rewards-payout-runs", lambda a: bool({"vendor_admin", "finance"} & a.vendor_roles)),
        NavItem(_("Products"), "product-list", _vendor),
        NavItem(_("Exchange rates"), "rate-list", _vendor),
        NavItem(_("Contests and SPIFs"), "incentive-list", _vendor),
        NavItem(_("Quarterly rebates"), "incentive-rebates", _finance),
        NavItem(_("Development funds"), "funds-console", _vendor),
        NavItem(_("Benefit requests"), "benefits-console", _decides),
    ), "rewards"),
    NavGroup(_("Marketplace"), (
        NavItem(_("Vendor applications"), "marketplace-applications", _assesses),
        NavItem(_("Moderation queue"), "marketplace-moderation", _moderates),
        NavItem(_("Listings"), "marketplace-listings", _vendor),
        NavItem(_("Storefronts"), "marketplace-storefronts", _vendor_admin),
        NavItem(_("Admission scorecard"), "marketplace-criteria", _assesses),
        NavItem(_("Public storefronts"), "store-list", _vendor),
        NavItem(_("Subscriptions"), "subscriptions", _vendor),
        NavItem(_("Provisioning requests"), "marketplace-requests", _vendor),
    ), "marketplace"),
    NavGroup(_("Settings"), (
        NavItem(_("Members"), "my-members", _any),
        NavItem(_("API tokens"), "token-list", _any),
        NavItem(_("Webhooks"), "webhook-list", _vendor_admin),
        NavItem(_("Audit log"), "audit-list", _org_admin_or_vendor),
    ), "settings"),
]  # fmt: skip

# Partners and customers.
MEMBER_NAVIGATION: list[Entry] = [
    HOME,
    NavGroup(_("Sales and deals"), (
        NavItem(_("Deals"), "deal-board", _partner_sales),
        NavItem(_("Leads"), "lead-inbox", _partner_sales),
        NavItem(_("Referrals"), "referral-home", _partner_staff),
        NavItem(_("Sales"), "sale-list", _partner_sales),
        NavItem(_("Earnings"), "earnings-home", _partner_sales),
        NavItem(_("Contests"), "incentive-list", _partner_sales),
    ), "sales"),
    NavGroup(_("Programme"), (
        NavItem(_("My tier"), "partner-tier", _partner_staff),
        NavItem(_("Obligations"), "obligation-list", _partner_staff),
        NavItem(_("Specialists"), "my-specialists", _partner_staff),
        NavItem(_("Development funds"), "funds-home", _partner_staff),
        NavItem(_("Benefits"), "benefits-home", _partner_staff),
        NavItem(_("Support"), "support-home", _partner_staff),
    ), "programme"),
    NavItem(_("Partner catalogue"), "catalogue", _any),
    NavGroup(_("Learn"), (
        NavItem(_("Courses and exams"), "learn", _partner_staff),
        NavItem(_("Events"), "learn-events", _partner_staff),
        NavItem(_("Library"), "library", _partner_staff),
    ), "learn"),
    NavGroup(_("Marketplace"), (
        NavItem(_("My marketplace"), "marketplace-home", lambda a: "partner_admin" in a.roles),
        NavItem(_("Storefronts"), "store-list", _any),
        NavItem(_("Subscriptions"), "subscriptions", _any),
        NavItem(_("Provisioning requests"), "marketplace-requests", lambda a: "partner_admin" in a.roles),
        NavItem(_("Customers"), "marketplace-customers", lambda a: bool({"partner_admin", "sales"} & a.roles)),
    ), "marketplace"),
    NavGroup(_("Organisation"), (
        NavItem(_("My organisation"), "my-organisation", _any),
        NavItem(_("Members"), "my-members", _any),
        NavItem(_("API tokens"), "token-list", _any),
        NavItem(_("Webhooks"), "webhook-list", lambda a: "partner_admin" in a.roles),
        NavItem(_("Audit log"), "audit-list", _org_admin_or_vendor),
    ), "organisation"),
]  # fmt: skip

MAX_TOP_LEVEL = 7


def _link(item: NavItem, current: str | None) -> dict:
    return {"label": item.label, "url": reverse(item.url_name), "active": item.url_name == current}


def menu(actor: Actor, current: str | None = None) -> list[dict]:
    """The actor's top-level entries: links, and groups with their links (a group of one is a link)."""
    out = []
    for entry in VENDOR_NAVIGATION if actor.is_vendor_staff else MEMBER_NAVIGATION:
        if isinstance(entry, NavItem):
            if entry.shown(actor):
                out.append(_link(entry, current))
            continue
        links = [_link(i, current) for i in entry.items if i.shown(actor)]
        if len(links) == 1:
            out.append(links[0])
        elif links:
            out.append({"label": entry.label, "key": entry.key, "children": links,
                        "active": any(link["active"] for link in links)})  # fmt: skip
    return out[:MAX_TOP_LEVEL]


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    actor = actor_for(user)
    current = getattr(getattr(request, "resolver_match", None), "url_name", None)
    org = home_organisation(actor=user, preferred_id=request.session.get("organisation_id"))
    role_labels = [m.get_role_display() for m in actor.memberships if org and m.organisation_id == org.pk]
    return {
        "unread_notifications": Notification.objects.filter(user=user, read_at__isnull=True).count(),
        "nav": menu(actor, current),
        "current_organisation": org,
        "current_roles": role_labels,
        "switchable_organisations": [m.organisation for m in actor.memberships] if len(actor.memberships) > 1 else [],
    }
