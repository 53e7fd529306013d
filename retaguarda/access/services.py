"""Users, sign-in with lockout, API tokens: the only writers of the access tables."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone

from retaguarda.access.errors import InvalidCredentials, LockedOut
from retaguarda.access.models import ApiToken, Department, LoginFailure, User, hash_token
from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.errors import NotFound


def _recent_failures(username: str) -> int:
    since = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    return LoginFailure.objects.filter(username__iexact=username, created_at__gte=since).count()


def sign_in(username: str, password: str, *, ip: str | None = None, request=None) -> User:
    """Check a username and password; lock the username out after repeated failures in the window."""
    username = (username or "").strip()
    if _recent_failures(username) >= settings.LOGIN_FAILURE_LIMIT:
        raise LockedOut()
    user = authenticate(request, username=username, password=password)
    if user is None:
        LoginFailure.objects.create(username=username[:150], ip=ip)
        raise InvalidCredentials()
    LoginFailure.objects.filter(username__iexact=username).delete()
    return user


def create_user(
    username: str,
    password: str,
    *,
    actor: Actor,
    departments: list[str] = (),
    companies: list = (),
    email: str = "",
    first_name: str = "",
    is_superuser: bool = False,
) -> User:
    with transaction.atomic():
        user = User(
            username=username, email=email, first_name=first_name, is_superuser=is_superuser, is_staff=is_superuser
        )
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save()
        set_departments(user, departments)
        if companies:
            user.companies.set(companies)
            user.default_company = companies[0]
            user.save(update_fields=["default_company"])
        audit.record(
            actor,
            user,
            "created",
            {"username": [None, username], "departments": [None, sorted(departments)]},
            company_id=companies[0].pk if companies else actor.company_id,
        )
    return user


def set_departments(user: User, codes) -> None:
    departments = [Department.objects.get_or_create(code=code)[0] for code in codes]
    user.departments.set(departments)
    user.__dict__.pop("_department_codes", None)
    user.__dict__.pop("_dept_perms", None)


def change_password(user: User, new_password: str, *, actor: Actor) -> None:
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        audit.record(actor, user, "password_changed")


def issue_token(user: User, name: str, *, actor: Actor) -> tuple[ApiToken, str]:
    """Create a token; returns it and the raw value, which is never stored and shown only now."""
    raw = ApiToken.new_raw()
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name or "API", token_hash=hash_token(raw), hint=raw[:10])
        audit.record(actor, token, "created", {"name": [None, token.name]}, company_id=actor.company_id)
    return token, raw


def revoke_token(token_id: int, *, actor: Actor) -> ApiToken:
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(pk=token_id, user=actor.user).first()
        if token is None:
            raise NotFound()
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit.record(actor, token, "revoked", company_id=actor.company_id)
    return token


def user_for_token(raw: str) -> User | None:
    try:
        token = ApiToken.objects.select_related("user").get(token_hash=hash_token(raw), revoked_at__isnull=True)
    except ApiToken.DoesNotExist:
        return None
    if not token.user.is_active:
        return None
    now = timezone.now()
    # Touch at most once a minute: a busy integration should not write on every call.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
