"""Reads of partner onboarding: the review queue, the partner's checklist and the public catalogue."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from partnerhub.core.i18n import pick
from partnerhub.core.tenancy import actor_for
from partnerhub.enablement.models import Specialist
from partnerhub.identity.models import Organisation, User
from partnerhub.identity.roles import OrgKind, Role
from partnerhub.partners.models import Application, Enrolment, PartnerProfile
from partnerhub.programmes.models import ProductFamily, Programme, ProgrammeRole, ProgrammeVersion, Tier
from partnerhub.programmes.selectors import version_in_force, versions_in_force_first

from . import index
from .models import CatalogueTerm

# ---------------------------------------------------------------------------- review queue


def applications_in_scope(*, actor: User) -> QuerySet[Application]:
    """Applications the actor may read.

    The tenancy rules, plus: a partner manager reads the applications not decided yet or
    rejected (they belong to no organisation: the vendor's own records), as a vendor
    administrator does. After approval an application belongs to the new partner and follows
    its organisation (its members and its partner manager).
    """
    qs = Application.objects.visible_to(actor)
    if actor_for(actor).is_partner_manager:
        qs = Application.objects.filter(Q(pk__in=qs.values("pk")) | Q(organisation__isnull=True))
    return qs


def applications(
    *, actor: User, status: str = "", programme_id: int | None = None, search: str = ""
) -> QuerySet[Application]:
    """The review queue: the vendor's staff only (others: 403, as no foreign object is named)."""
    if not actor_for(actor).is_vendor_staff:
        raise PermissionDenied(_("The application queue is for the vendor's staff."))
    qs = applications_in_scope(actor=actor).select_related("programme", "organisation", "decided_by")
    if status:
        qs = qs.filter(status=status)
    if programme_id:
        qs = qs.filter(programme_id=programme_id)
    if search:
        qs = qs.filter(Q(company_name__icontains=search) | Q(inn__startswith=search))
    return qs


def application(*, actor: User, pk: int) -> Application:
    """One application: vendor staff in scope, and the members of the partner it created."""
    found = (
        applications_in_scope(actor=actor).select_related("programme", "organisation", "decided_by").filter(pk=pk)
    ).first()
    if found is None:
        raise Http404
    return found


def organisations_with_same_inn(*, actor: User, application: Application) -> QuerySet[Organisation]:
    """Organisations already registered under the application's INN, for a side-by-side check."""
    return (
        Organisation.objects.visible_to(actor)
        .filter(inn=application.inn)
        .exclude(pk=application.organisation_id or 0)
        .select_related("partner_manager")
    )


def role_of(application: Application, on: date | None = None) -> tuple[ProgrammeVersion | None, ProgrammeRole | None]:
    version = version_in_force(programme=application.programme, on=on or timezone.localdate())
    role = version.roles.filter(code=application.role_code).first() if version is not None else None
    return version, role


def partner_managers() -> QuerySet[User]:
    from partnerhub.identity.selectors import partner_managers as vendor_partner_managers

    return vendor_partner_managers().order_by("full_name", "email")


# ---------------------------------------------------------------------------- applying


def open_programmes(on: date | None = None) -> list[tuple[Programme, ProgrammeVersion]]:
    """Programmes taking applications: those with a published version in force and at least one role."""
    on = on or timezone.localdate()
    out = []
    for programme in Programme.objects.order_by("name"):
        version = version_in_force(programme=programme, on=on)
        if version is not None and version.roles.exists():
            out.append((programme, version))
    return out


def programme_for_application(*, code: str) -> tuple[Programme, ProgrammeVersion]:
    """The programme behind a "become a partner" page, with its version in force; 404 when it takes none."""
    programme = Programme.objects.filter(code=code).first()
    version = version_in_force(programme=programme, on=timezone.localdate()) if programme else None
    if programme is None or version is None or not version.roles.exists():
        raise Http404
    return programme, version


# ---------------------------------------------------------------------------- checklist


@dataclass
class ChecklistItem:
    code: str
    label: str
    done: bool
    url: str = ""
    detail: str = ""


@dataclass
class Checklist:
    organisation: Organisation
    application: Application
    enrolment: Enrolment | None
    version: ProgrammeVersion | None
    profile: PartnerProfile | None
    items: list[ChecklistItem] = field(default_factory=list)
    can_act: bool = False

    @property
    def done(self) -> bool:
        return all(i.done for i in self.items)

    @property
    def terms(self) -> str:
        return self.version.terms if self.version is not None else ""

    @property
    def contract_done(self) -> bool:
        return self.application.status == Application.Status.ACTIVE


CHECKLIST_LABELS = {
    "account": gettext_lazy("Account created"),
    "profile": gettext_lazy("Company profile complete: description, competences, regions served"),
    "contract": gettext_lazy("Contract: upload the signed contract or accept the programme terms"),
    "specialists": gettext_lazy("At least one specialist listed"),
    "catalogue": gettext_lazy("Listed in the public partner catalogue"),
}


def onboarding_organisation(*, actor: User, organisation_id: int | None = None) -> Organisation:
    """The partner organisation whose onboarding the actor looks at: the one named, else their first partner."""
    if organisation_id is not None:
        org = Organisation.objects.get_visible_or_404(actor, pk=organisation_id)
    else:
        org = next((m.organisation for m in actor_for(actor).memberships if m.organisation.kind == OrgKind.PARTNER),
                   None)  # fmt: skip
    if org is None or org.kind != OrgKind.PARTNER:
        raise Http404
    return org


def checklist(*, actor: User, organisation: Organisation) -> Checklist | None:
    """The onboarding checklist of a partner that joined through an application (None otherwise)."""
    app = (
        applications_in_scope(actor=actor)
        .filter(organisation=organisation)
        .select_related("programme", "organisation")
        .order_by("-created_at", "-id")
        .first()
    )
    if app is None:
        return None
    enrolment = Enrolment.objects.visible_to(actor).filter(organisation=organisation, programme=app.programme).first()
    version = version_in_force(programme=app.programme, on=timezone.localdate())
    profile = PartnerProfile.objects.visible_to(actor).filter(organisation=organisation).first()
    has_specialist = Specialist.objects.visible_to(actor).filter(organisation=organisation, is_active=True).exists()
    profile_done = bool(profile and profile.description.strip() and profile.competences and profile.regions)
    items = [
        ChecklistItem("account", str(CHECKLIST_LABELS["account"]), True),
        ChecklistItem("profile", str(CHECKLIST_LABELS["profile"]), profile_done, reverse("onboarding-profile")),
        ChecklistItem(
            "contract",
            str(CHECKLIST_LABELS["contract"]),
            app.status == Application.Status.ACTIVE,
            reverse("onboarding-contract"),
        ),
        ChecklistItem(
            "specialists",
            str(CHECKLIST_LABELS["specialists"]),
            has_specialist,
            reverse("specialist-list", args=[organisation.pk]),
        ),
        ChecklistItem(
            "catalogue",
            str(CHECKLIST_LABELS["catalogue"]),
            bool(profile and profile.listed_in_catalogue),
            reverse("onboarding-profile"),
        ),
    ]
    return Checklist(
        organisation=organisation, application=app, enrolment=enrolment, version=version, profile=profile,
        items=items, can_act=Role.PARTNER_ADMIN in actor_for(actor).roles_in(organisation.pk),
    )  # fmt: skip


def profile(*, actor: User, organisation: Organisation) -> PartnerProfile | None:
    return PartnerProfile.objects.visible_to(actor).filter(organisation=organisation).first()


# ---------------------------------------------------------------------------- public catalogue


@dataclass
class Badge:
    programme_code: str
    programme_name: str
    tier_code: str | None
    tier_name: str


@dataclass
class CatalogueEntry:
    id: int
    name: str
    region: str
    city: str
    website: str
    description: str
    competences: list[str]
    regions: list[str]
    programmes: list[Badge]
    product_families: list[str] = field(default_factory=list)  # codes the partner declared


# What a catalogue entry shows, and nothing more: the list reads these columns only.
CATALOGUE_COLUMNS = ("name", "region", "city", "website", "profile__description", "profile__competences",
                     "profile__regions", "profile__product_families")  # fmt: skip


def _listed() -> QuerySet[Organisation]:
    """Partners the public may see: active organisations with an active enrolment that opted in."""
    return (
        Organisation.objects.filter(
            Exists(Enrolment.objects.filter(organisation_id=OuterRef("pk"), status=Enrolment.Status.ACTIVE)),
            kind=OrgKind.PARTNER,
            is_active=True,
            profile__listed_in_catalogue=True,
        )
        .select_related("profile")
        .only(*CATALOGUE_COLUMNS)
        .prefetch_related(
            Prefetch(
                "enrolments",
                queryset=Enrolment.objects.filter(status=Enrolment.Status.ACTIVE)
                .select_related("programme")
                .only(
                    "organisation_id",
                    "programme_id",
                    "tier_code",
                    "programme__code",
                    "programme__name",
                    "programme__name_en",
                ),
                to_attr="active_enrolments",
            )
        )
        .order_by("name", "id")
    )


def _tier_names(programme_ids: set[int], on: date) -> dict[tuple[int, str], str]:
    """The tier names of each programme's version in force on ``on`` (:func:`version_in_force`), in one query."""
    in_force = versions_in_force_first(on=on, programme_id=OuterRef("version__programme_id")).values("pk")[:1]
    tiers = (
        Tier.objects.filter(version__programme_id__in=programme_ids, version_id=Subquery(in_force))
        .select_related("version").only("code", "name", "name_en", "version__programme_id")
    )  # fmt: skip
    return {(t.version.programme_id, t.code): str(t) for t in tiers}


def _entries(orgs: list[Organisation]) -> list[CatalogueEntry]:
    names = _tier_names({e.programme_id for o in orgs for e in o.active_enrolments}, timezone.localdate())
    return [
        CatalogueEntry(
            id=o.pk,
            name=o.name,
            region=o.region,
            city=o.city,
            website=o.website,
            description=o.profile.description,
            competences=list(o.profile.competences or []),
            regions=list(o.profile.regions or []),
            product_families=list(o.profile.product_families or []),
            programmes=[
                Badge(
                    e.programme.code, str(e.programme), e.tier_code, names.get((e.programme_id, e.tier_code or ""), "")
                )
                for e in sorted(o.active_enrolments, key=lambda e: e.programme.name)
            ],
        )
        for o in orgs
    ]


class CataloguePage:
    """The filtered catalogue as a lazy sequence: counted and sliced in SQL, so the API's
    pagination and Django's ``Paginator`` load only the partners of the page shown."""

    def __init__(self, queryset: QuerySet[Organisation]):
        self.queryset = queryset

    def count(self) -> int:
        return self.queryset.count()

    def count_upto(self, limit: int) -> int:
        """How many match, counting no further than ``limit`` (the UI's pager, core.pagination)."""
        return self.queryset.order_by()[:limit].count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if isinstance(index, slice):
            return _entries(list(self.queryset[index]))
        return _entries([self.queryset[index]])[0]

    def __iter__(self):
        return iter(_entries(list(self.queryset)))


def _has_term(kind: str, value: str) -> Exists:
    return Exists(CatalogueTerm.objects.filter(organisation_id=OuterRef("pk"), kind=kind, value=value))


def catalogue(
    *, region: str = "", competence: str = "", programme: str = "", tier: str = "", city: str = "",
    product_family: str = "",
) -> CataloguePage:  # fmt: skip
    """The public partner catalogue — the partner locator — (no actor: it is public), filtered.

    Programme and tier are filtered on one and the same active enrolment. Region (where the
    partner sits or a region it serves) and competence are matched ignoring case and ё/е, city
    normalised ("г. Москва" finds "Москва"), product family by its code — each through the
    indexed ``CatalogueTerm`` rows, so filtering, ordering and pagination all happen in SQL.
    """
    qs = _listed()
    if programme or tier:
        enrolments = Enrolment.objects.filter(organisation_id=OuterRef("pk"), status=Enrolment.Status.ACTIVE)
        if programme:
            enrolments = enrolments.filter(programme__code=programme)
        if tier:
            enrolments = enrolments.filter(tier_code=tier)
        qs = qs.filter(Exists(enrolments))
    for kind, value in (
        (CatalogueTerm.Kind.REGION, index.fold(region)),
        (CatalogueTerm.Kind.COMPETENCE, index.fold(competence)),
        (CatalogueTerm.Kind.CITY, index.city_key(city) if city.strip() else ""),
        (CatalogueTerm.Kind.FAMILY, product_family.strip()),
    ):
        if value:
            qs = qs.filter(_has_term(kind, value))
    return CataloguePage(qs)


def catalogue_entry(*, org_id: int) -> CatalogueEntry:
    """One listed partner; 404 for every partner not in the catalogue."""
    org = _listed().filter(pk=org_id).first()
    if org is None:
        raise Http404
    return _entries([org])[0]


@dataclass
class Facets:
    regions: list[str]
    competences: list[str]
    programmes: list[tuple[str, str]]
    tiers: list[tuple[str, str]]
    cities: list[str] = field(default_factory=list)
    product_families: list[tuple[str, str]] = field(default_factory=list)


def catalogue_facets() -> Facets:
    """The values the catalogue's filters offer, drawn from the listed partners. They take a pass over
    every listed partner's index rows and enrolments, so they are cached (per language) for
    ``CATALOGUE_FACETS_SECONDS`` and dropped whenever a partner's terms, listing or enrolment change
    (``index.forget_facets``): the partners listed are always read live."""
    key = index.facets_key(get_language() or settings.LANGUAGE_CODE)
    facets = cache.get(key)
    if facets is None:
        facets = _catalogue_facets()
        cache.set(key, facets, settings.CATALOGUE_FACETS_SECONDS)
    return facets


def _catalogue_facets() -> Facets:
    listed = _listed().values("pk")
    labels: dict[str, dict[str, str]] = {kind: {} for kind in CatalogueTerm.Kind.values}
    terms = (
        CatalogueTerm.objects.filter(organisation_id__in=listed)
        .values_list("kind", "value", "label")
        .distinct()
        .order_by("kind", "value", "label")
    )
    for kind, value, label in terms:
        labels[kind].setdefault(value, label)

    def sorted_labels(kind: str) -> list[str]:
        return sorted(labels[kind].values(), key=str.casefold)

    enrolled = (
        Enrolment.objects.filter(organisation_id__in=listed, status=Enrolment.Status.ACTIVE)
        .values_list("programme_id", "programme__code", "programme__name", "programme__name_en", "tier_code")
        .order_by()  # no model ordering in the SELECT DISTINCT: one row per programme and tier, not per enrolment
        .distinct()
    )
    programmes, tier_codes = set(), set()
    for programme_id, code, name, name_en, tier_code in enrolled:
        programmes.add((code, pick(name, name_en)))
        if tier_code:
            tier_codes.add((programme_id, tier_code))
    names = _tier_names({p for p, _t in tier_codes}, timezone.localdate())
    return Facets(
        regions=sorted_labels(CatalogueTerm.Kind.REGION),
        competences=sorted_labels(CatalogueTerm.Kind.COMPETENCE),
        programmes=sorted(programmes, key=lambda p: p[1]),
        tiers=sorted({(code, names.get((p, code), "")) for p, code in tier_codes}, key=lambda t: t[1]),
        cities=sorted_labels(CatalogueTerm.Kind.CITY),
        product_families=[
            (f.code, str(f)) for f in ProductFamily.objects.filter(code__in=list(labels[CatalogueTerm.Kind.FAMILY]))
        ],
    )
