"""A bearer token's user, company and departments in one round trip.

An API request used to spend three ORM queries (token and user, company, departments) and about a
quarter of its CPU before the route ran (docs/request-cost.md). Here one hand-written SELECT joins
them: the token, its active user, the company the request works in (the `X-Company` header's when it
names one the user may work in; else the session's, the user's default, the first by id) and one row
per department held there. Nothing is cached between requests, so a revoked token, a deactivated
user or a changed membership counts from the next request on.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from retaguarda.access.models import ApiToken, Department, Membership, User, hash_token
from retaguarda.companies.models import Company
from retaguarda.core.raw_rows import Columns, first_read, per_vendor

TOUCH_EVERY = timedelta(minutes=1)  # a busy integration should not write on every call


@dataclass
class TokenIdentity:
    user: User
    company: Company | None  # None: the user works in no company, or not in the one the header names
    department_codes: set[str]


class _Statement:
    """The SELECT for one database vendor, built once: with the header's company or the fallbacks."""

    def __init__(self):
        qn = connection.ops.quote_name
        self.user = Columns(User, "u")
        self.company = Columns(Company, "c")
        t = qn(ApiToken._meta.db_table)
        m = qn(Membership._meta.db_table)
        link = Membership.departments.through._meta
        md = qn(link.db_table)
        md_membership = qn(link.get_field("membership").column)
        md_department = qn(link.get_field("department").column)
        d = qn(Department._meta.db_table)
        co = qn(Company._meta.db_table)
        may_work = f"(u.is_superuser OR EXISTS (SELECT 1 FROM {m} w WHERE w.user_id = u.id AND w.company_id = k.id))"

        def named(company_id: str) -> str:
            return f"SELECT k.id FROM {co} k WHERE k.id = {company_id} AND {may_work}"

        preferred = (
            f"COALESCE(({named('%s')}), ({named('u.default_company_id')}), "
            f"(SELECT MIN(k.id) FROM {co} k WHERE {may_work}))"
        )
        body = (
            f"SELECT t.id, t.last_used_at, {self.user.sql}, {self.company.sql}, d.code FROM {t} t "
            f"INNER JOIN {qn(User._meta.db_table)} u ON u.id = t.user_id "
            "LEFT JOIN {co} c ON c.id = {choice} "
            f"LEFT JOIN {m} m ON m.user_id = u.id AND m.company_id = c.id "
            f"LEFT JOIN {md} md ON md.{md_membership} = m.id "
            f"LEFT JOIN {d} d ON d.id = md.{md_department} "
            "WHERE t.token_hash = %s AND t.revoked_at IS NULL AND u.is_active"
        )
        self.by_header = body.format(co=co, choice=f"({named('%s')})")
        self.by_preference = body.format(co=co, choice=preferred)
        self._last_used = ApiToken._meta.get_field("last_used_at").get_col("t")
        self._last_used_converters = connection.ops.get_db_converters(
            self._last_used
        ) + self._last_used.get_db_converters(connection)

    def last_used(self, value):
        for convert in self._last_used_converters:
            value = convert(value, self._last_used, connection)
        return value


_statement = per_vendor(_Statement)


def resolve_token(raw: str, *, header_company_id: int | None, preferred_company_id: int | None):
    """The identity behind a raw bearer token, or None when the token is unknown, revoked or its user
    inactive. `header_company_id` (the `X-Company` header) is the only company considered when given;
    otherwise `preferred_company_id` (the session's), then the user's default, then the first by id."""
    st = _statement()
    if header_company_id is not None:
        sql, params = st.by_header, [header_company_id, hash_token(raw)]
    else:
        sql, params = st.by_preference, [preferred_company_id, hash_token(raw)]
    rows = first_read(sql, params)  # the request's first statement: the connection's health check too
    if not rows:
        return None
    first = list(rows[0])
    token_id, last_used_at = first[0], st.last_used(first[1])
    n_user = len(st.user.fields)
    user = st.user.build(first[2 : 2 + n_user])
    company_values = first[2 + n_user : 2 + n_user + len(st.company.fields)]
    company = st.company.build(company_values) if company_values[0] is not None else None
    codes = {row[-1] for row in rows if row[-1] is not None}
    now = timezone.now()
    if last_used_at is None or now - last_used_at > TOUCH_EVERY:
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
    return TokenIdentity(user, company, codes)
