"""A signed-in page's user, companies and departments in one round trip.

A page used to spend four queries after the session: the user, the company it works in, the
departments held there (the first permission check) and the company switcher's list. Here one
hand-written SELECT reads the user with every company the user may work in (all of them for a
superuser) and the departments the user holds in each, one row per department; the session's user is
loaded through it (`DepartmentBackend.get_user`), and the current company is picked from those rows
in Python, in the order `access.identity.current_company` states. Nothing is cached between requests:
a membership changed or removed counts from the next page on.
"""

from dataclasses import dataclass

from django.db import connection

from retaguarda.access.models import Department, Membership, User
from retaguarda.companies.models import Company
from retaguarda.core.raw_rows import Columns, per_vendor


@dataclass
class Workplaces:
    companies: list[Company]  # every company the user may work in, by id (the switcher's list)
    departments: dict[int, set[str]]  # {company id: the codes of the departments held there}

    def find(self, company_id: int | None) -> Company | None:
        if company_id is None:
            return None
        return next((c for c in self.companies if c.pk == company_id), None)


class _Statement:
    """The SELECT for one database vendor, built once: the user's row and, beside it, one row per
    company the user may work in and department held there (the user alone when there is none)."""

    def __init__(self):
        qn = connection.ops.quote_name
        self.user = Columns(User, "u")
        self.company = Columns(Company, "c")
        link = Membership.departments.through._meta
        m = qn(Membership._meta.db_table)
        may_work = f"(u.is_superuser OR EXISTS (SELECT 1 FROM {m} w WHERE w.user_id = u.id AND w.company_id = c.id))"
        self.sql = (
            f"SELECT {self.user.sql}, {self.company.sql}, d.code FROM {qn(User._meta.db_table)} u "
            f"LEFT JOIN {qn(Company._meta.db_table)} c ON {may_work} "
            f"LEFT JOIN {m} m ON m.user_id = u.id AND m.company_id = c.id "
            f"LEFT JOIN {qn(link.db_table)} md ON md.{qn(link.get_field('membership').column)} = m.id "
            f"LEFT JOIN {qn(Department._meta.db_table)} d ON d.id = md.{qn(link.get_field('department').column)} "
            "WHERE u.id = %s ORDER BY c.id"
        )


_statement = per_vendor(_Statement)


def user_with_workplaces(user_id) -> User | None:
    """The user (None when there is no such row) with `workplaces(user)` already read."""
    st = _statement()
    with connection.cursor() as cursor:
        cursor.execute(st.sql, [user_id])
        rows = cursor.fetchall()
    if not rows:
        return None
    n_user, n_company = len(st.user), len(st.company)
    user = st.user.build(rows[0][:n_user])
    companies, departments = [], {}
    for row in rows:
        company_id = row[n_user]
        if company_id is None:
            continue
        codes = departments.get(company_id)
        if codes is None:
            companies.append(st.company.build(row[n_user : n_user + n_company]))
            codes = departments[company_id] = set()
        if row[-1] is not None:
            codes.add(row[-1])
    user._workplaces = Workplaces(companies, departments)
    return user


def workplaces(user) -> Workplaces:
    """The companies `user` may work in and the departments held in each (`workable_companies`'s rows):
    read with the user when the session's user came through `user_with_workplaces`."""
    found = getattr(user, "_workplaces", None)
    if found is None:
        found = user_with_workplaces(user.pk)._workplaces
    return found
