"""REST endpoints of the identity context: thin wrappers over selectors and services."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from partnerhub.core.api import InputSchema, Pagination, model_type

from . import selectors, services
from .models import ApiToken, Organisation, User
from .roles import OrgKind, Role

router = Router(tags=["identity"])
public_router = Router(tags=["invitations"], auth=None)


class MembershipBrief(Schema):
    organisation_id: int
    organisation_name: str = Field(..., alias="organisation.name")
    organisation_kind: str = Field(..., alias="organisation.kind")
    role: str


class MeOut(Schema):
    id: int
    email: str
    full_name: str
    language: str
    memberships: list[MembershipBrief]


class OrganisationOut(Schema):
    id: int
    kind: OrgKind
    name: str
    legal_name: str
    inn: str
    kpp: str
    ogrn: str
    country: str
    region: str
    city: str
    address: str
    website: str
    email: str
    phone: str
    partner_manager_id: int | None
    is_active: bool
    created_at: datetime
    updated_at: datetime


class OrganisationCreateIn(InputSchema):
    kind: OrgKind
    name: model_type(Organisation, "name", min_length=1)
    legal_name: model_type(Organisation, "legal_name") = ""
    inn: model_type(Organisation, "inn") = ""
    kpp: model_type(Organisation, "kpp") = ""
    ogrn: model_type(Organisation, "ogrn") = ""
    country: model_type(Organisation, "country") = "RU"
    region: model_type(Organisation, "region") = ""
    city: model_type(Organisation, "city") = ""
    address: model_type(Organisation, "address") = ""
    website: model_type(Organisation, "website") = ""
    email: model_type(Organisation, "email") = ""
    phone: model_type(Organisation, "phone") = ""
    partner_manager_id: model_type(Organisation, "partner_manager") = None


class OrganisationPatchIn(InputSchema):
    name: model_type(Organisation, "name", min_length=1) = None
    legal_name: model_type(Organisation, "legal_name") = None
    inn: model_type(Organisation, "inn") = None
    kpp: model_type(Organisation, "kpp") = None
    ogrn: model_type(Organisation, "ogrn") = None
    country: model_type(Organisation, "country") = None
    region: model_type(Organisation, "region") = None
    city: model_type(Organisation, "city") = None
    address: model_type(Organisation, "address") = None
    website: model_type(Organisation, "website") = None
    email: model_type(Organisation, "email") = None
    phone: model_type(Organisation, "phone") = None
    partner_manager_id: model_type(Organisation, "partner_manager") = None
    is_active: model_type(Organisation, "is_active") = None


class OrganisationFilter(Schema):
    kind: OrgKind | None = None
    search: str = ""
    region: str = ""


class MemberOut(Schema):
    id: int
    user_id: int
    email: str = Field(..., alias="user.email")
    full_name: str = Field(..., alias="user.full_name")
    role: Role
    created_at: datetime


class RoleIn(InputSchema):
    role: Role


class InvitationIn(InputSchema):
    email: str = Field(..., min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    role: Role


class InvitationOut(Schema):
    id: int
    email: str
    role: Role
    status: str
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None


class InvitationPublicOut(Schema):
    organisation_name: str = Field(..., alias="organisation.name")
    email: str
    role: Role
    expires_at: datetime


class InvitationAcceptIn(InputSchema):
    full_name: model_type(User, "full_name") = ""
    password: str = ""


class TokenIn(InputSchema):
    name: model_type(ApiToken, "name", min_length=1)
    expires_at: model_type(ApiToken, "expires_at") = None


class TokenOut(Schema):
    id: int
    name: str
    hint: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    is_active: bool


class TokenCreatedOut(TokenOut):
    token: str = Field(..., description="The secret. Shown only in this response; store it now.")


def _me(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


@router.get("/me", response=MeOut, summary="The authenticated user and their memberships")
def me(request):
    user = _me(request)
    return {
        "id": user.pk, "email": user.email, "full_name": user.full_name, "language": user.language,
        "memberships": list(user.memberships.select_related("organisation")),
    }  # fmt: skip


@router.get("/organisations", response=list[OrganisationOut], summary="Organisations visible to you")
@paginate(Pagination)
def list_organisations(request, filters: Query[OrganisationFilter]):
    return selectors.organisations(actor=_me(request), kind=filters.kind, search=filters.search, region=filters.region)


@router.post("/organisations", response={201: OrganisationOut}, summary="Create a partner or customer organisation")
def create_organisation(request, payload: OrganisationCreateIn):
    data = payload.dict()
    return Status(201, services.organisation_create(actor=_me(request), **data))


@router.get("/organisations/{org_id}", response=OrganisationOut)
def get_organisation(request, org_id: int):
    return selectors.organisation(actor=_me(request), pk=org_id)


@router.patch("/organisations/{org_id}", response=OrganisationOut)
def update_organisation(request, org_id: int, payload: OrganisationPatchIn):
    org = selectors.organisation(actor=_me(request), pk=org_id)
    return services.organisation_update(actor=_me(request), organisation=org, **payload.dict(exclude_unset=True))


@router.get("/organisations/{org_id}/members", response=list[MemberOut])
@paginate(Pagination)
def list_members(request, org_id: int):
    org = selectors.organisation(actor=_me(request), pk=org_id)
    return selectors.members(actor=_me(request), organisation=org)


@router.patch("/organisations/{org_id}/members/{member_id}", response=MemberOut, summary="Change a member's role")
def change_member_role(request, org_id: int, member_id: int, payload: RoleIn):
    org = selectors.organisation(actor=_me(request), pk=org_id)
    m = selectors.membership(actor=_me(request), organisation=org, pk=member_id)
    return services.membership_change_role(actor=_me(request), membership=m, role=payload.role)


@router.delete("/organisations/{org_id}/members/{member_id}", response={204: None}, summary="Remove a member")
def remove_member(request, org_id: int, member_id: int):
    org = selectors.organisation(actor=_me(request), pk=org_id)
    m = selectors.membership(actor=_me(request), organisation=org, pk=member_id)
    services.membership_remove(actor=_me(request), membership=m)
    return Status(204, None)


@router.get("/organisations/{org_id}/invitations", response=list[InvitationOut])
@paginate(Pagination)
def list_invitations(request, org_id: int, status: str = ""):
    org = selectors.organisation(actor=_me(request), pk=org_id)
    return selectors.invitations(actor=_me(request), organisation=org, status=status)


@router.post("/organisations/{org_id}/invitations", response={201: InvitationOut}, summary="Invite a person by e-mail")
def create_invitation(request, org_id: int, payload: InvitationIn):
    org = selectors.organisation(actor=_me(request), pk=org_id)
    invitation, _key = services.invitation_create(
        actor=_me(request), organisation=org, email=payload.email, role=payload.role
    )
    return Status(201, invitation)


@router.post("/organisations/{org_id}/invitations/{invitation_id}/revoke", response=InvitationOut)
def revoke_invitation(request, org_id: int, invitation_id: int):
    org = selectors.organisation(actor=_me(request), pk=org_id)
    inv = selectors.invitation(actor=_me(request), organisation=org, pk=invitation_id)
    return services.invitation_revoke(actor=_me(request), invitation=inv)


@public_router.get("/invitations/{key}", response=InvitationPublicOut, summary="What an invitation link offers")
def get_invitation(request, key: str):
    return services.invitation_for_key(raw_key=key)


@public_router.post(
    "/invitations/{key}/accept", response={201: MemberOut},
    summary="Accept an invitation, creating the account when there is none",
)  # fmt: skip
def accept_invitation(request, key: str, payload: InvitationAcceptIn):
    user = request.user if request.user.is_authenticated else None
    membership = services.invitation_accept(
        raw_key=key, user=user, full_name=payload.full_name, password=payload.password
    )
    return Status(201, membership)


@router.get("/tokens", response=list[TokenOut], summary="Your API tokens")
@paginate(Pagination)
def list_tokens(request):
    return selectors.tokens(actor=_me(request))


@router.post("/tokens", response={201: TokenCreatedOut}, summary="Create an API token (the secret is shown once)")
def create_token(request, payload: TokenIn):
    token, raw = services.token_create(actor=_me(request), name=payload.name, expires_at=payload.expires_at)
    token.token = raw
    return Status(201, token)


@router.post("/tokens/{token_id}/revoke", response=TokenOut)
def revoke_token(request, token_id: int):
    tok = selectors.token(actor=_me(request), pk=token_id)
    return services.token_revoke(actor=_me(request), token=tok)
