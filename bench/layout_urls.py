"""The app's URLs plus one page only the bench has: the layout with nothing in it.

`reports` times it beside the inventory pages: what every page of the layout costs before it reads anything (the
session, the user with its companies and departments, the permission check, the menu, the template), through
the same middleware as the pages, so a page's distance to its hand-written floor can be read against it."""

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse
from django.template import engines
from django.urls import path

from retaguarda.config.urls import urlpatterns as app_urlpatterns

EMPTY_PAGE = "/__bench/empty-page/"
_EMPTY = engines["django"].from_string(
    '{% extends "web/base.html" %}{% block title %}Bench{% endblock %}{% block content %}<h1>Bench</h1>{% endblock %}'
)


@login_required
@permission_required("inventory.view", raise_exception=True)
def empty_page(request):
    return HttpResponse(_EMPTY.render({}, request))


urlpatterns = [path(EMPTY_PAGE.strip("/") + "/", empty_page), *app_urlpatterns]
