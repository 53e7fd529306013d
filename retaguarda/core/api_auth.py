"""API authentication and permissions: a bearer token or the browser session, then a department check."""

from django.core.exceptions import PermissionDenied
from ninja.security.base import AuthBase
from ninja.utils import check_csrf


class UserAuth(AuthBase):
    """Accepts the user resolved by CurrentCompanyMiddleware (token) or by the session (with CSRF)."""

    openapi_type = "http"
    openapi_scheme = "bearer"

    def __init__(self, perm: str | None = None):
        self.perm = perm
        super().__init__()

    def __call__(self, request):
        user = request.user
        if not user.is_authenticated:
            return None
        if request.auth_method == "session" and request.method not in ("GET", "HEAD", "OPTIONS"):
            error = check_csrf(request)
            if error:
                raise PermissionDenied
        if self.perm and not user.has_perm(self.perm):
            raise PermissionDenied
        return user


def require(perm: str | None = None) -> list[AuthBase]:
    """`auth=require("inventory.post")` on a route: signed in, and a department that grants it."""
    return [UserAuth(perm)]
