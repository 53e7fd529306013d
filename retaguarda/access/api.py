from datetime import datetime

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from retaguarda.access import services
from retaguarda.access.departments import DEPARTMENTS, permissions_of
from retaguarda.access.models import ApiToken, Membership, User
from retaguarda.companies.selectors import workable_companies
from retaguarda.core.actor import Origin, actor_of
from retaguarda.core.api import Page, PageLimit, StrictSchema, idempotent, keyset_page_body
from retaguarda.core.api_auth import require
from retaguarda.core.errors import ValidationFailed

router = Router(tags=["access"])


class TokenRequest(StrictSchema):
    writes = (ApiToken,)
    # A password is never stored: it is bounded like the one a user can be given (the hash's column).
    columns = {"username": User.username, "password": User.password}
    username: str
    password: str
    name: str = "API"


class TokenOut(Schema):
    token: str


class MeOut(Schema):
    id: int
    username: str
    departments: list[str]
    permissions: list[str]
    company_id: int | None


class ApiTokenOut(Schema):
    id: int
    name: str
    hint: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class MembershipIO(StrictSchema):
    company_id: int
    departments: list[str] = Field(
        default_factory=list,
        description="department codes, e.g. sales, stock",
        json_schema_extra={"items": {"type": "string", "enum": list(DEPARTMENTS)}},  # checked by the service
    )


class UserOut(Schema):
    id: int
    username: str
    first_name: str
    last_name: str
    email: str
    is_active: bool
    departments: list[str] = Field(description="the departments held in the current company")
    memberships: list[MembershipIO] = Field(description="memberships in the companies the caller works in")


class UserIn(StrictSchema):
    writes = (User,)
    username: str = Field(min_length=1)
    password: str = Field(min_length=8)
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    memberships: list[MembershipIO] = Field(min_length=1)


class UserPatch(StrictSchema):
    writes = (User,)
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    is_active: bool | None = None
    memberships: list[MembershipIO] | None = Field(
        None, description="replaces the memberships in the companies you administer; others stay"
    )


@router.post("/auth/token", response={200: TokenOut}, auth=None)
def obtain_token(request, body: TokenRequest):
    """Exchange a username and password for a personal token to send as `Authorization: Bearer`."""
    user = services.sign_in(body.username, body.password, ip=request.META.get("REMOTE_ADDR"))
    actor = actor_of(request, Origin.API)
    _token, raw = services.issue_token(user, body.name, actor=type(actor)(user, Origin.API, None, actor.ip))
    return {"token": raw}


@router.get("/auth/me", response=MeOut, auth=require(company=False))
def me(request):
    user = request.user
    codes = sorted(user.department_codes())
    return {
        "id": user.pk,
        "username": user.username,
        "departments": codes,
        "permissions": ["*"] if user.is_superuser else sorted(permissions_of(codes)),
        "company_id": request.company.pk if request.company else None,
    }


@router.get("/auth/tokens", response=list[ApiTokenOut], auth=require(company=False))
def my_tokens(request):
    return ApiToken.objects.filter(user=request.user)


class NewTokenIn(StrictSchema):
    writes = (ApiToken,)
    name: str


class NewTokenOut(Schema):
    id: int
    name: str
    token: str


@router.post("/auth/tokens", response={201: NewTokenOut}, auth=require(company=False))
def create_token(request, body: NewTokenIn):
    """A new personal token for the signed-in user; the raw value appears only in this answer.
    Not idempotent on purpose: replaying the answer would mean keeping the raw token."""
    token, raw = services.issue_token(request.user, body.name, actor=actor_of(request))
    return Status(201, {"id": token.pk, "name": token.name, "token": raw})


@router.post("/auth/tokens/{token_id}/revoke", response=ApiTokenOut, auth=require(company=False))
def revoke(request, token_id: int):
    return services.revoke_token(token_id, actor=actor_of(request))


def _memberships(body) -> dict[int, list[str]] | None:
    if body is None:
        return None
    # A repeated company must reach the service's check, not be merged away here.
    if len({m.company_id for m in body}) != len(body):
        raise ValidationFailed(details=[{"field": "memberships", "message": _("The same company appears twice.")}])
    return {m.company_id: m.departments for m in body}


def _users_out(request, users) -> list[dict]:
    """Users as the caller may see them: memberships only in companies the caller works in (one query)."""
    visible = set(workable_companies(request.user).values_list("pk", flat=True))
    memberships = (
        Membership.objects.filter(user__in=users, company_id__in=visible)
        .prefetch_related("departments")
        .order_by("company_id")
    )
    by_user: dict[int, list[dict]] = {}
    for m in memberships:
        by_user.setdefault(m.user_id, []).append(
            {"company_id": m.company_id, "departments": sorted(d.code for d in m.departments.all())}
        )
    out = []
    for user in users:
        held = by_user.get(user.pk, [])
        current = next((m["departments"] for m in held if m["company_id"] == request.company.pk), [])
        out.append(
            {
                "id": user.pk,
                "username": user.username,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "email": user.email,
                "is_active": user.is_active,
                "departments": current,
                "memberships": held,
            }
        )
    return out


@router.get("/access/users", response=Page[UserOut], auth=require("access.view"))
def list_users(request, cursor: str | None = None, limit: PageLimit = 50):
    """The users of the current company, with their memberships in the companies you work in."""
    qs = User.objects.filter(memberships__company=request.company)
    page = keyset_page_body(qs, cursor=cursor, limit=limit, ordering=("username", "id"))
    page["items"] = _users_out(request, page["items"])
    return page


@router.get("/access/users/{user_id}", response=UserOut, auth=require("access.view"))
def get_user(request, user_id: int):
    user = get_object_or_404(User, pk=user_id, memberships__company=request.company)
    return _users_out(request, [user])[0]


@router.post("/access/users", response={201: UserOut}, auth=require("access.change"))
@idempotent
def create_user(request, body: UserIn):
    """Create a user with their memberships (company and departments). You may grant memberships only
    in companies you administer."""
    user = services.create_user(
        body.username,
        body.password,
        actor=actor_of(request),
        memberships=_memberships(body.memberships),
        email=body.email,
        first_name=body.first_name,
        last_name=body.last_name,
    )
    return Status(201, _users_out(request, [user])[0])


@router.patch("/access/users/{user_id}", response=UserOut, auth=require("access.change"))
def update_user(request, user_id: int, body: UserPatch):
    user = services.update_user(
        user_id,
        actor=actor_of(request),
        first_name=body.first_name,
        last_name=body.last_name,
        email=body.email,
        is_active=body.is_active,
        memberships=_memberships(body.memberships),
    )
    return _users_out(request, [user])[0]


@router.post("/access/users/{user_id}/deactivate", response=UserOut, auth=require("access.change"))
def deactivate_user(request, user_id: int):
    """The user can no longer sign in; their tokens stop working."""
    user = services.deactivate_user(user_id, actor=actor_of(request))
    return _users_out(request, [user])[0]
