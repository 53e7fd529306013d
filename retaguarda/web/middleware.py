"""Requests the request guard refused (too large, control characters), shown in the app's layout.

The guard runs first, before the session and the user exist, so it only marks a page request it
refuses; this middleware, last in the list, answers it with the layout, the menu and a way back to
the form (the browser's history keeps what was typed) before any view or CSRF check reads the body.
"""

from retaguarda.core.request_guard import refusal_of
from retaguarda.web.views import refusal_page


class RefusalPageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refusal = refusal_of(request)
        if refusal is not None:
            status, message = refusal
            return refusal_page(request, status, message)
        return self.get_response(request)
