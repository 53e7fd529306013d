"""API authentication and permissions: a bearer token or the browser session, a company, then a department check."""

from django.core.exceptions import PermissionDenied
from ninja.security.base import AuthBase
from ninja.utils import check_csrf

from retaguarda.core.scope import NoCompany


class UserAuth(AuthBase):
    """Accepts the user resolved by CurrentCompanyMiddleware (token) or by the session (with CSRF).

    Business routes need a current company (403 `access.no_company` without one); routes about the
    user's own account, the companies and the reference tables pass `company=False`."""

    openapi_type = "http"
    openapi_scheme = "bearer"

    def __init__(self, perm: str | None = None, *, company: bool = True):
        self.perm = perm
        self.company = company
        super().__init__()

    def __call__(self, request):
        user = request.user
        if not user.is_authenticated:
            return None
        if request.auth_method == "session" and request.method not in ("GET", "HEAD", "OPTIONS"):
            error = check_csrf(request)
            if error:
                raise PermissionDenied
        if self.company and request.company is None:
            raise NoCompany()
        if self.perm and not user.has_perm(self.perm):
            raise PermissionDenied
        return user


def require(perm: str | None = None, *, company: bool = True) -> list[AuthBase]:
    """`auth=require("inventory.post")` on a route: signed in, working in a company, and a department
    that grants the permission. `company=False` for the few routes that need no company."""
    return [UserAuth(perm, company=company)]
