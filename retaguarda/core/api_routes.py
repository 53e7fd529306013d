"""The API's routes grouped by their leading path segments, so a request is matched against a handful of
prefixes and then its own group's routes, not against every route in turn.

ninja hands Django one flat list of every route (over 200), which Django tries one by one: a reservation
was matched after 80 others (0.1 ms of CPU; a sales route later in the list, more). `grouped` turns the
list into nested resolvers: `inventory` holds `/reservations`, which holds `` and `/release`... The result
is the same for every path, since two different literal segments never match one path: a level is left as
it was when one of its routes starts with a parameter. Names, reversing and `resolver_match.route` are
unchanged.
"""

from django.urls import URLPattern, URLResolver
from django.urls.resolvers import RoutePattern

GROUP_AT_LEAST = 3  # fewer routes under one segment are matched as they are


class _Segment(RoutePattern):
    """The path `prefix` itself, or `prefix/...` (the rest keeps its leading slash, as the routes below
    it start with one); never `prefix` glued to more text."""

    def __init__(self, prefix: str):
        super().__init__(prefix, is_endpoint=False)
        self._prefix = prefix
        self._under = prefix + "/"

    def match(self, path):
        if path == self._prefix:
            return "", (), {}
        if path.startswith(self._under):
            return path[len(self._prefix) :], (), {}
        return None

    def check(self):
        return []


class _Group(URLResolver):
    """The routes under one segment. A path outside it is a plain miss (None), as a route's own miss is: a
    resolver that does not match raises Resolver404, and the list's every such group paid for it."""

    def resolve(self, path):
        if self.pattern.match(path) is None:
            return None
        return super().resolve(path)


class _Below(RoutePattern):
    """A route under a segment: it starts with the slash that separates it from the segment."""

    def check(self):
        return self._check_pattern_unmatched_angle_brackets()


def _first_segment(route: str) -> str:
    if route.startswith("/"):
        return "/" + route[1:].split("/", 1)[0]
    return route.split("/", 1)[0]


def _pattern(route: str, original: URLPattern, nested: bool) -> URLPattern:
    if not nested:
        return original
    pattern = _Below(route, name=original.pattern.name, is_endpoint=True)
    return URLPattern(pattern, original.callback, original.default_args, original.name)


def _group(items: list[tuple[str, URLPattern]], nested: bool) -> list:
    segments = [_first_segment(route) for route, _p in items]
    if any("<" in s for s in segments):  # a parameter first: keep this level's order as it is
        return [_pattern(route, p, nested) for route, p in items]
    by_segment: dict[str, list[tuple[str, URLPattern]]] = {}
    for segment, item in zip(segments, items, strict=True):
        by_segment.setdefault(segment, []).append(item)
    result = []
    for segment, members in by_segment.items():
        if segment in ("", "/") or len(members) < GROUP_AT_LEAST:
            result += [_pattern(route, p, nested) for route, p in members]
            continue
        below = [(route[len(segment) :], p) for route, p in members]
        result.append(_Group(_Segment(segment), _group(below, nested=True)))
    return result


def grouped(patterns: list) -> list:
    """ninja's flat list of routes as nested resolvers (a list holding anything but plain routes is left as it is)."""
    if not all(isinstance(p, URLPattern) and type(p.pattern) is RoutePattern for p in patterns):
        return patterns
    return _group([(str(p.pattern), p) for p in patterns], nested=False)
