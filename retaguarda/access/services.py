"""Users, sign-in with lockout, API tokens: the only writers of the access tables."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from retaguarda.access.departments import DEPARTMENTS, grants, permissions_of
from retaguarda.access.errors import InvalidCredentials, LockedOut, UserInOtherCompanies
from retaguarda.access.models import ApiToken, Department, LoginFailure, Membership, User, hash_token
from retaguarda.companies.models import Company
from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.errors import Forbidden, NotFound, ValidationFailed, missing_row


def _recent_failures(**where) -> int:
    since = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    return LoginFailure.objects.filter(created_at__gte=since, **where).count()


def sign_in(username: str, password: str, *, ip: str | None = None, request=None) -> User:
    """Check a username and password; lock the username out after repeated failures in the window, and
    the client address after more (one address trying many usernames)."""
    username = (username or "").strip()
    if _recent_failures(username__iexact=username) >= settings.LOGIN_FAILURE_LIMIT:
        raise LockedOut()
    if ip and _recent_failures(ip=ip) >= settings.LOGIN_FAILURE_IP_LIMIT:
        raise LockedOut()
    user = authenticate(request, username=username, password=password)
    if user is None:
        LoginFailure.objects.create(username=username[:150], ip=ip)
        raise InvalidCredentials()
    LoginFailure.objects.filter(username__iexact=username).delete()
    return user


def _system(actor: Actor) -> bool:
    return actor.user is None or actor.user.is_superuser


def administered_company_ids(actor: Actor) -> set[int] | None:
    """The companies whose users `actor` may manage (a membership granting `access.change`);
    None for the system and superusers, who may manage any."""
    if _system(actor):
        return None
    memberships = Membership.objects.filter(user=actor.user).prefetch_related("departments")
    return {
        m.company_id
        for m in memberships
        if grants("access.change", permissions_of({d.code for d in m.departments.all()}))
    }


def _clean_memberships(memberships, administered: set[int] | None) -> dict[int, list[str]]:
    """`{company_id: [department codes]}` from `{company or id: codes}`; every problem at once."""
    wanted: dict[int, list[str]] = {}
    problems = []
    for index, (company, codes) in enumerate(memberships.items()):
        company_id = getattr(company, "pk", company)
        field = f"memberships.{index}"
        if company_id in wanted:
            problems.append({"field": f"{field}.company_id", "message": _("The same company appears twice.")})
        if administered is not None and company_id not in administered:
            problems.append(missing_row(f"{field}.company_id", _("Company not found among those you administer.")))
        unknown = sorted(set(codes) - set(DEPARTMENTS))
        if unknown:
            problems.append(
                {
                    "field": f"{field}.departments",
                    "message": _("Unknown departments: %(codes)s.") % {"codes": ", ".join(unknown)},
                }
            )
        wanted[company_id] = sorted(set(codes))
    if administered is None and wanted:
        found = set(Company.objects.filter(pk__in=wanted).values_list("pk", flat=True))
        for index, company_id in enumerate(wanted):
            if company_id not in found:
                problems.append(missing_row(f"memberships.{index}.company_id", _("Company not found.")))
    if problems:
        raise ValidationFailed(details=problems)
    return wanted


def memberships_of(user: User, company_ids=None) -> dict[int, list[str]]:
    qs = Membership.objects.filter(user=user).prefetch_related("departments").order_by("company_id")
    if company_ids is not None:
        qs = qs.filter(company_id__in=company_ids)
    return {m.company_id: sorted(d.code for d in m.departments.all()) for m in qs}


def _write_memberships(user: User, wanted: dict[int, list[str]], scope: set[int] | None) -> None:
    """Make the user's memberships within `scope` (None: all) exactly `wanted`."""
    existing = {m.company_id: m for m in Membership.objects.filter(user=user)}
    departments = {d.code: d for d in _departments({code for codes in wanted.values() for code in codes})}
    for company_id, membership in existing.items():
        if company_id not in wanted and (scope is None or company_id in scope):
            membership.delete()
    for company_id, codes in wanted.items():
        membership = existing.get(company_id) or Membership.objects.create(user=user, company_id=company_id)
        membership.departments.set([departments[code] for code in codes])
    remaining = set(Membership.objects.filter(user=user).values_list("company_id", flat=True))
    if user.default_company_id not in remaining:
        user.default_company_id = min(remaining) if remaining else None
        User.objects.filter(pk=user.pk).update(default_company_id=user.default_company_id)
    user.forget_departments()


def _departments(codes) -> list[Department]:
    return [Department.objects.get_or_create(code=code)[0] for code in sorted(codes)]


def create_user(
    username: str,
    password: str,
    *,
    actor: Actor,
    departments: list[str] = (),
    companies: list = (),
    memberships: dict | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    is_superuser: bool = False,
) -> User:
    """A new user with `memberships` (`{company or id: [department codes]}`), or the same `departments`
    in each of `companies`. An administrator grants memberships only in companies they administer."""
    if memberships is None:
        memberships = {company: list(departments) for company in companies}
    if is_superuser and not _system(actor):
        raise Forbidden()
    with transaction.atomic():
        wanted = _clean_memberships(memberships, administered_company_ids(actor))
        user = User(
            username=username,
            email=email,
            first_name=first_name,
            last_name=last_name,
            is_superuser=is_superuser,
            is_staff=is_superuser,
        )
        if not _system(actor):
            _check_password(password, user)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save()
        _write_memberships(user, wanted, None)
        audit.record(
            actor,
            user,
            "created",
            {"username": [None, username], "memberships": [None, _labelled(wanted)]},
            company_id=min(wanted) if wanted else actor.company_id,
        )
    return user


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationFailed(details=[{"field": "password", "message": m} for m in exc.messages]) from None


def _labelled(memberships: dict[int, list[str]]) -> dict[str, list[str]]:
    return {str(company_id): codes for company_id, codes in sorted(memberships.items())}


def _managed_user(user_id: int, actor: Actor) -> User:
    """A user of the actor's current company, locked; another company's user is not found."""
    qs = User.objects.select_for_update()
    if not _system(actor) or actor.company_id:
        qs = qs.filter(memberships__company_id=actor.company_id)
    user = qs.filter(pk=user_id).first()
    if user is None:
        raise NotFound()
    return user


def update_user(
    user_id: int,
    *,
    actor: Actor,
    first_name: str | None = None,
    last_name: str | None = None,
    email: str | None = None,
    is_active: bool | None = None,
    memberships: dict | None = None,
) -> User:
    """Change a user of the actor's company. `memberships` replaces their memberships in the
    companies the actor administers; memberships in other companies stay as they are."""
    with transaction.atomic():
        user = _managed_user(user_id, actor)
        administered = administered_company_ids(actor)
        before = {"first_name": user.first_name, "last_name": user.last_name, "email": user.email}
        before["is_active"] = user.is_active
        for name, value in (("first_name", first_name), ("last_name", last_name), ("email", email)):
            if value is not None:
                setattr(user, name, value)
        if is_active is not None:
            if not is_active:
                _check_deactivation(user, actor, administered)
            user.is_active = is_active
        user.full_clean(exclude=["password"])
        user.save()
        changes = audit.diff(before, {k: getattr(user, k) for k in before})
        if memberships is not None:
            wanted = _clean_memberships(memberships, administered)
            if user.pk == getattr(actor.user, "pk", None) and not _system(actor):
                kept = permissions_of(wanted.get(actor.company_id, []))
                if not grants("access.change", kept):
                    raise ValidationFailed(
                        details=[{"field": "memberships", "message": _("You cannot remove your own administration.")}]
                    )
            old = memberships_of(user, administered)
            _write_memberships(user, wanted, administered)
            if old != wanted:
                changes["memberships"] = [_labelled(old), _labelled(wanted)]
        if changes:
            audit.record(actor, user, "updated", changes, company_id=actor.company_id)
    return user


def _check_deactivation(user: User, actor: Actor, administered: set[int] | None) -> None:
    if user.pk == getattr(actor.user, "pk", None):
        raise ValidationFailed(details=[{"field": "is_active", "message": _("You cannot deactivate yourself.")}])
    if administered is not None:
        elsewhere = set(Membership.objects.filter(user=user).values_list("company_id", flat=True)) - administered
        if elsewhere:
            raise UserInOtherCompanies()


def deactivate_user(user_id: int, *, actor: Actor) -> User:
    """Stop a user from signing in (sessions and tokens stop working). Refused for a user who also
    works in a company the actor does not administer: remove their membership here instead."""
    with transaction.atomic():
        user = _managed_user(user_id, actor)
        _check_deactivation(user, actor, administered_company_ids(actor))
        if user.is_active:
            user.is_active = False
            user.save(update_fields=["is_active"])
            audit.record(actor, user, "deactivated", company_id=actor.company_id)
    return user


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
