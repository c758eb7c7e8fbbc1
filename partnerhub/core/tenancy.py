"""The one scoping layer.

Every read of tenant-owned data goes through ``Model.objects.visible_to(user)`` (directly
or through an app's selectors). A model opts in by using :class:`TenantQuerySet` as its
manager and naming, in ``tenant_path``, the lookup from the model to the owning
:class:`~partnerhub.identity.models.Organisation` ("" when the model *is* the organisation).

Core knows nothing of roles or memberships: the identity app installs a :class:`ScopePolicy`
(how to load a user's memberships and which roles see what) when it starts. Without one,
everybody sees nothing.

Rules (fail closed: anything not listed sees nothing):

* vendor administrators, finance and marketplace moderators see every organisation's records;
* a partner manager (BDM) sees the vendor's own records and those of the organisations
  assigned to them;
* everybody else sees the records of the organisations they are a member of.

Objects outside the visible set are answered with 404 by every view and endpoint, so a
partner cannot even learn that another partner's record exists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django.db import models
from django.db.models import Q
from django.http import Http404


@dataclass(frozen=True)
class ScopePolicy:
    """What the identity app tells the scoping layer (installed by ``IdentityConfig.ready``)."""

    load_memberships: Callable[[object], list]
    roles_seeing_all: frozenset[str]
    partner_manager_role: str
    vendor_admin_role: str
    org_admin_roles: frozenset[str]
    vendor_kind: str


_policy: ScopePolicy | None = None


def install_policy(policy: ScopePolicy) -> None:
    global _policy
    _policy = policy


@dataclass
class Actor:
    """What the scoping layer knows about the acting user."""

    user: object | None
    memberships: list = field(default_factory=list)

    @property
    def is_authenticated(self) -> bool:
        return bool(self.user is not None and getattr(self.user, "is_authenticated", False))

    @cached_property
    def org_ids(self) -> set[int]:
        return {m.organisation_id for m in self.memberships}

    @cached_property
    def roles(self) -> set[str]:
        return {m.role for m in self.memberships}

    def roles_in(self, organisation_id: int) -> set[str]:
        return {m.role for m in self.memberships if m.organisation_id == organisation_id}

    @cached_property
    def vendor_roles(self) -> set[str]:
        if _policy is None:
            return set()
        return {m.role for m in self.memberships if m.organisation.kind == _policy.vendor_kind}

    @property
    def sees_everything(self) -> bool:
        return _policy is not None and bool(self.vendor_roles & _policy.roles_seeing_all)

    @property
    def is_partner_manager(self) -> bool:
        return _policy is not None and _policy.partner_manager_role in self.vendor_roles

    @property
    def is_vendor_admin(self) -> bool:
        return _policy is not None and _policy.vendor_admin_role in self.vendor_roles

    @cached_property
    def admin_org_ids(self) -> set[int]:
        """Organisations this actor administers (profile, members, invitations)."""
        if _policy is None:
            return set()
        return {m.organisation_id for m in self.memberships if m.role in _policy.org_admin_roles}

    @property
    def is_vendor_staff(self) -> bool:
        return bool(self.vendor_roles)

    def org_filter(self, path: str) -> Q:
        """A Q object selecting rows whose owning organisation this actor may see."""
        if not self.is_authenticated:
            return Q(pk__in=[])
        if self.sees_everything:
            return Q()
        prefix = f"{path}__" if path else ""
        own = Q(**{f"{path or 'pk'}__in": sorted(self.org_ids)})
        if self.is_partner_manager:
            own |= Q(**{f"{prefix}partner_manager": self.user})
        return own


def actor_for(user) -> Actor:
    """Build (once per user object) the actor with its memberships."""
    if user is None or not getattr(user, "is_authenticated", False) or _policy is None:
        return Actor(user=None)
    cached = getattr(user, "_partnerhub_actor", None)
    if cached is not None:
        return cached
    actor = Actor(user=user, memberships=list(_policy.load_memberships(user)))
    user._partnerhub_actor = actor
    return actor


def forget_actor(user) -> None:
    """Drop the cached actor after the user's memberships changed."""
    if user is not None and hasattr(user, "_partnerhub_actor"):
        del user._partnerhub_actor


class TenantQuerySet(models.QuerySet):
    def visible_to(self, user) -> TenantQuerySet:
        path = getattr(self.model, "tenant_path", None)
        if path is None:
            raise TypeError(f"{self.model.__name__} does not declare tenant_path")
        return self.filter(actor_for(user).org_filter(path))

    def get_visible_or_404(self, user, **lookup):
        try:
            return self.visible_to(user).get(**lookup)
        except (self.model.DoesNotExist, ValueError, TypeError) as exc:
            raise Http404(f"No {self.model._meta.verbose_name} matches the given query.") from exc


TenantManager = models.Manager.from_queryset(TenantQuerySet)
