from datetime import datetime

from ninja import Router, Schema, Status

from retaguarda.access import services
from retaguarda.access.departments import permissions_of
from retaguarda.access.models import ApiToken, User
from retaguarda.core.actor import Origin, actor_of
from retaguarda.core.api import Page, keyset_page_body
from retaguarda.core.api_auth import require

router = Router(tags=["access"])


class TokenRequest(Schema):
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


class UserOut(Schema):
    id: int
    username: str
    first_name: str
    email: str
    is_active: bool
    departments: list[str]

    @staticmethod
    def resolve_departments(obj):
        return sorted(d.code for d in obj.departments.all())


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


class NewTokenIn(Schema):
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


@router.get("/access/users", response=Page[UserOut], auth=require("access.view"))
def list_users(request, cursor: str | None = None, limit: int = 50):
    qs = User.objects.prefetch_related("departments").filter(companies=request.company)
    return keyset_page_body(qs, cursor=cursor, limit=limit, ordering=("username", "id"))
