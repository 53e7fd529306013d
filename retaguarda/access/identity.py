"""Who is asking and for which company: the one place a request's identity is resolved.

`CurrentCompanyMiddleware` calls `resolve_identity` once per request; everything after it reads
`request.user`, `request.auth_method` and `request.company`.
"""

from django.contrib.auth.models import AnonymousUser

from retaguarda.access.errors import ForeignCompany, InvalidCompanyHeader
from retaguarda.access.session_identity import workplaces
from retaguarda.access.token_identity import resolve_token
from retaguarda.companies.models import Company


def _wanted_company_id(request) -> int | None:
    header = request.META.get("HTTP_X_COMPANY", "").strip()
    if header:
        if not header.isascii() or not header.isdigit() or len(header) > 18:
            raise InvalidCompanyHeader()
        return int(header)
    return None


def current_company(request) -> Company | None:
    """The company named by `X-Company` (refused when malformed or not the user's), else the one chosen
    in the session, else the user's default, else the first the user may work in; None without any.

    Its departments and the switcher's list come with it (`access.session_identity`): the page's
    permission checks and its company menu cost no query of their own."""
    user = request.user
    if not user.is_authenticated:
        return None
    header_id = _wanted_company_id(request)
    places = workplaces(user)
    request.workable_companies = places.companies
    if header_id is not None:
        company = places.find(header_id)
        if company is None:
            raise ForeignCompany()
    else:
        company = places.find(_session_company_id(request)) or places.find(user.default_company_id)
        company = company or (places.companies[0] if places.companies else None)
    if company is not None:
        # What `User.department_codes` would read (the lazy user proxies the attribute to the instance).
        user._department_codes = {company.pk: places.departments[company.pk]}
    return company


def _session_company_id(request) -> int | None:
    return request.session.get("company_id") if hasattr(request, "session") else None


def _resolve_token(request, raw: str) -> None:
    """A program's request: its user, company and departments in one query (`access.token_identity`)."""
    try:
        header_id = _wanted_company_id(request)
    except InvalidCompanyHeader:
        # A malformed header is the signed-in caller's mistake (400); without a valid token, a 401.
        if resolve_token(raw, header_company_id=None, preferred_company_id=None) is not None:
            raise
        request.user = AnonymousUser()
        return
    found = resolve_token(
        raw,
        header_company_id=header_id,
        preferred_company_id=None if header_id is not None else _session_company_id(request),
    )
    if found is None:
        request.user = AnonymousUser()
        return
    if found.company is None and header_id is not None:
        raise ForeignCompany()
    request.user, request.company = found.user, found.company
    if found.company is not None:
        # What `User.department_codes` would read: already known, so permission checks cost no query.
        found.user.__dict__["_department_codes"] = {found.company.pk: found.department_codes}


def resolve_identity(request) -> None:
    """Set `request.user` from a bearer token (when one is sent), `request.auth_method` and
    `request.company`. A token request is a program, not a browser: it carries no cookie to forge,
    so CSRF is off for it."""
    request.auth_method = "session"
    request.company = None
    # META, not `request.headers`: that builds a dict of every header on first use (a sixtieth of a
    # reservation's CPU), and an API request reads only these.
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header[:7].lower() == "bearer ":
        request.auth_method = "token"
        request._dont_enforce_csrf_checks = True
        _resolve_token(request, header[7:].strip())
    else:
        request.company = current_company(request)
    if request.user.is_authenticated:
        # Permissions come from the membership in this company only (`User.department_codes`).
        request.user.current_company_id = request.company.pk if request.company else None
