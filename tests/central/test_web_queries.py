# ruff: noqa: F811 - pytest fixtures imported from hr_helpers are redefined as parameters
"""The HR pages keep no queries (docs/ARCHITECTURE.md, "The rooms"): every read and write goes
through a named function in ``app.central.web.queries``. import-linter keeps SQLAlchemy out of
the pages; the first test keeps the pages from asking the session anything, the others run the
query functions whose logic is more than one SELECT against the seeded company on a real
PostgreSQL."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

from app.central.auth import CurrentUser
from app.central.db import session_scope
from app.central.web.queries.people import credential_clash
from app.central.web.queries.punches import PunchFilter, punch_page
from tests.central.hr_helpers import Site, site  # noqa: F401

WEB = Path(__file__).resolve().parents[2] / "app" / "central" / "web"
PAGES = sorted(WEB.glob("pages_*.py"))
# login_submit commits on a refused login so its audit entry and throttle count survive the
# error page; that is transaction control, not a query.
ALLOWED_SESSION_CALLS = {"commit"}


def session_calls(path: Path) -> list[str]:
    """``s.<method>(`` calls in a page module, as "line: method"."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        f"{node.lineno}: {node.func.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "s"
        and node.func.attr not in ALLOWED_SESSION_CALLS
    ]


def test_pages_ask_the_session_nothing():
    assert len(PAGES) == 4, PAGES
    found = {p.name: calls for p in PAGES if (calls := session_calls(p))}
    assert found == {}, f"pages query the session directly; move it to web/queries: {found}"


def _user(site: Site, username: str) -> CurrentUser:
    ((uid, name, role, team),) = site.sql(
        "SELECT id, name, role, team_id FROM hr_users WHERE username = :u", u=username
    )
    return CurrentUser(uid, username, name, role, team, csrf="")


def _add_manual(site: Site, employee_id: int, at: datetime) -> int:
    rows = site.sql(
        "INSERT INTO hr_manual_punches (employee_id, punched_at, type, reason, user_id, author)"
        " SELECT :e, :at, 'ENTRADA', 'teste', id, name FROM hr_users WHERE username = 'rh'"
        " RETURNING id",
        e=employee_id,
        at=at,
    )
    return int(rows[0][0])


def test_punch_page_puts_manual_inclusions_among_its_own_punches(site: Site):
    emp = site.employees[0]
    times = [r[0] for r in site.sql(
        "SELECT punched_at_ts FROM punches WHERE employee_id = :e"
        " ORDER BY punched_at_ts DESC, id DESC", e=emp,
    )]  # fmt: skip
    per_page = 10
    assert len(times) > 3 * per_page  # the seed gives the person several pages
    newest, page2_new, page2_old = times[0], times[per_page], times[2 * per_page - 1]
    after_all = _add_manual(site, emp, newest.replace(year=newest.year + 1))
    inside_page2 = _add_manual(site, emp, page2_old + (page2_new - page2_old) / 2)
    before_all = _add_manual(site, emp, times[-1].replace(year=times[-1].year - 1))
    rh = _user(site, "rh")
    with session_scope(site.factory) as s:

        def page(n: int, **kw: object) -> tuple[list[datetime], set[int], bool]:
            got = punch_page(s, rh, PunchFilter(employee_id=emp, page=n, **kw), per_page)
            return (
                [p.punched_at_ts for p, _ in got.punches],
                {m.id for m, _ in got.manual},
                got.more,
            )

        first, manual1, more1 = page(1)
        assert first == times[:per_page] and more1
        assert manual1 == {after_all}  # newer than the page's oldest punch, unbounded above
        second, manual2, more2 = page(2)
        assert second == times[per_page : 2 * per_page] and more2
        assert manual2 == {inside_page2}  # bounded on both sides by the page's own punches
        last = (len(times) - 1) // per_page + 1
        _, manual_last, more_last = page(last)
        assert not more_last and before_all in manual_last  # unbounded below on the last page
        assert page(1, kiosk_id=1)[1] == set()  # an inclusion has no kiosk
        assert page(1, flagged_only=True)[1] == set()  # nor a flag


def test_punch_page_shows_a_gestor_only_their_team(site: Site):
    gestor = _user(site, "gestor")
    team = {r[0] for r in site.sql(
        "SELECT employee_id FROM hr_employee_profiles WHERE team_id = :t", t=site.team_a
    )}  # fmt: skip
    outsider = next(e for e in site.employees if e not in team)
    mine = _add_manual(site, next(iter(team)), datetime(2026, 11, 30, 12, tzinfo=UTC))
    _add_manual(site, outsider, datetime(2026, 11, 30, 12, tzinfo=UTC))
    with session_scope(site.factory) as s:
        got = punch_page(s, gestor, PunchFilter(), per_page=100)
        alien = punch_page(s, gestor, PunchFilter(employee_id=outsider), per_page=100)
    assert team and got.punches and {e.id for _, e in got.punches} <= team
    assert {m.id for m, _ in got.manual} == {mine}
    assert alien.punches == [] and alien.manual == []


def test_credential_clash_is_another_active_employee(site: Site):
    a, b = site.employees[:2]
    ((index,),) = site.sql("SELECT pin_index FROM employees WHERE id = :e", e=a)
    with session_scope(site.factory) as s:
        assert credential_clash(s, "pin", [index], b)  # b may not take a's PIN
        assert not credential_clash(s, "pin", [index], a)  # a keeps their own
        assert not credential_clash(s, "badge", [index], b)  # a PIN index is not a badge
    site.sql("UPDATE employees SET active = false WHERE id = :e RETURNING id", e=a)
    with session_scope(site.factory) as s:
        assert not credential_clash(s, "pin", [index], b)  # a deactivated person frees it
