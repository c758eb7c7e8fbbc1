"""Roles per organisation kind and the permissions each role grants.

A missing permission on one's own organisation answers 403; an organisation outside the
actor's scope answers 404 (see :mod:`partnerhub.core.tenancy`).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    VENDOR = "vendor", _("Vendor")
    PARTNER = "partner", _("Partner")
    CUSTOMER = "customer", _("Customer")


class Role(models.TextChoices):
    # Vendor (platform owner) roles
    VENDOR_ADMIN = "vendor_admin", _("Vendor administrator")
    PARTNER_MANAGER = "partner_manager", _("Partner manager (BDM)")
    FINANCE = "finance", _("Finance")
    MODERATOR = "moderator", _("Marketplace moderator")
    # Partner roles
    PARTNER_ADMIN = "partner_admin", _("Partner administrator")
    SALES = "sales", _("Sales")
    ENGINEER = "engineer", _("Engineer")
    # Customer roles
    CUSTOMER_ADMIN = "customer_admin", _("Customer administrator")
    CUSTOMER_MEMBER = "customer_member", _("Customer member")


ROLES_BY_KIND: dict[str, tuple[str, ...]] = {
    OrgKind.VENDOR: (Role.VENDOR_ADMIN, Role.PARTNER_MANAGER, Role.FINANCE, Role.MODERATOR),
    OrgKind.PARTNER: (Role.PARTNER_ADMIN, Role.SALES, Role.ENGINEER),
    OrgKind.CUSTOMER: (Role.CUSTOMER_ADMIN, Role.CUSTOMER_MEMBER),
}

# Vendor roles whose reads span every organisation.
ROLES_SEEING_ALL = {Role.VENDOR_ADMIN, Role.FINANCE, Role.MODERATOR}

# Roles that administer their own organisation (profile, members, invitations).
ORG_ADMIN_ROLES = {Role.VENDOR_ADMIN, Role.PARTNER_ADMIN, Role.CUSTOMER_ADMIN}


class Perm:
    ORG_CREATE = "organisation.create"  # create partner/customer organisations
    ORG_CHANGE = "organisation.change"  # edit an organisation's profile
    ORG_ASSIGN_MANAGER = "organisation.assign_manager"
    MEMBERS_MANAGE = "members.manage"  # invite, change roles, remove
    AUDIT_VIEW = "audit.view"
    DEALS_REGISTER = "deals.register"  # register and work the organisation's own deals
    PROGRAMMES_MANAGE = "programmes.manage"  # import, draft, publish and retire programme versions
    DEALS_DECIDE = "deals.decide"  # approve, reject, settle conflicts, withdraw protection
    REFERRALS_MANAGE = "referrals.manage"  # create, change and deactivate the organisation's referral links
    WEBHOOKS_MANAGE = "webhooks.manage"  # endpoints: create, edit, delete, rotate; test, redeliver
    WEBHOOKS_VIEW = "webhooks.view"  # read endpoints and the delivery log
    LEADS_MANAGE = "leads.manage"  # create, route and close leads (vendor administrators; BDMs for their partners)
    LEADS_RESPOND = "leads.respond"  # accept or decline the organisation's lead offers
    MARKETPLACE_SELL = "marketplace.sell"  # a software vendor: apply for admission, build and submit listings
    MARKETPLACE_ASSESS = "marketplace.assess"  # the vendor's experts: score and decide vendor applications
    MARKETPLACE_MODERATE = "marketplace.moderate"  # approve or return submitted listings
    STOREFRONTS_MANAGE = "marketplace.storefronts"  # regional storefronts and the admission scorecard


WEBHOOK_PERMS = {Perm.WEBHOOKS_MANAGE, Perm.WEBHOOKS_VIEW}


def role_allows(role: str, perm: str, *, on_own_org: bool, vendor_scope: bool) -> bool:
    """Whether ``role`` grants ``perm`` on an organisation.

    ``on_own_org``: the role is held in that very organisation.
    ``vendor_scope``: the role is a vendor role acting on an organisation it can see.
    """
    if on_own_org and role in ORG_ADMIN_ROLES and perm in {Perm.ORG_CHANGE, Perm.MEMBERS_MANAGE, Perm.AUDIT_VIEW}:
        return True
    if on_own_org and role in {Role.PARTNER_ADMIN, Role.SALES, Role.PARTNER_MANAGER} and perm == Perm.DEALS_REGISTER:
        return True
    if on_own_org and role in {Role.VENDOR_ADMIN, Role.PARTNER_ADMIN} and perm in WEBHOOK_PERMS:
        return True
    if on_own_org and role in {Role.PARTNER_ADMIN, Role.SALES} and perm == Perm.REFERRALS_MANAGE:
        return True
    if on_own_org and role in {Role.PARTNER_ADMIN, Role.SALES} and perm == Perm.LEADS_RESPOND:
        return True
    if on_own_org and role == Role.PARTNER_ADMIN and perm == Perm.MARKETPLACE_SELL:
        return True
    if vendor_scope and role == Role.MODERATOR and perm == Perm.MARKETPLACE_MODERATE:
        return True
    if vendor_scope and role == Role.PARTNER_MANAGER and perm == Perm.MARKETPLACE_ASSESS:
        return True
    if role == Role.PARTNER_MANAGER and perm == Perm.LEADS_MANAGE and (on_own_org or vendor_scope):
        return True
    if vendor_scope and role == Role.VENDOR_ADMIN:
        return True
    if vendor_scope and role == Role.PARTNER_MANAGER and perm == Perm.WEBHOOKS_VIEW:
        return True
    return (
        vendor_scope and role == Role.PARTNER_MANAGER and perm in {Perm.ORG_CHANGE, Perm.AUDIT_VIEW, Perm.DEALS_DECIDE}
    )
