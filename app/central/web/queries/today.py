"""The Hoje board: who is in now, on a break, gone, late, and who has not punched yet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.central.auth import CurrentUser
from app.central.hr_data import TZ, schedules_for
from app.central.hr_models import ManualPunch
from app.central.models import Employee, Punch
from app.central.timesheet import OPENERS
from app.central.web.queries.scope import visible_employees

# The last punch of the day says where a person is: in (an opener), on a break (INTERVALO, and
# PAUSA from kiosks that name it so) or gone (SAIDA).
BREAKS = frozenset({"INTERVALO", "PAUSA"})


@dataclass(frozen=True)
class Presence:
    employee: Employee
    first_entry: datetime | None
    last_type: str | None
    last_at: datetime | None
    expected_start: datetime | None


@dataclass(frozen=True)
class TodayBoard:
    """The Hoje board: ``inside``/``on_break``/``left`` by each person's last punch today,
    ``late`` (first entry after start + tolerance) and ``missing`` (owed, past the limit, no
    punch)."""

    day: date
    inside: list[Presence]
    on_break: list[Presence]
    left: list[Presence]
    late: list[Presence]
    missing: list[Presence]


def _marks_between(
    s: Session, start: datetime, end: datetime
) -> dict[int, list[tuple[str, datetime]]]:
    """Each employee's punches and manual inclusions in [start, end), oldest first, local time."""
    rows = s.execute(
        select(Punch.employee_id, Punch.type, Punch.punched_at_ts)
        .where(Punch.punched_at_ts >= start, Punch.punched_at_ts < end)
        .order_by(Punch.punched_at_ts)
    ).all()
    manual = s.execute(
        select(ManualPunch.employee_id, ManualPunch.type, ManualPunch.punched_at).where(
            ManualPunch.punched_at >= start, ManualPunch.punched_at < end
        )
    ).all()
    by_emp: dict[int, list[tuple[str, datetime]]] = {}
    for eid, type_, at in sorted([*rows, *manual], key=lambda r: r[2]):
        if eid is None:  # a punch whose CPF Central does not know yet
            continue
        by_emp.setdefault(eid, []).append((type_, at.astimezone(TZ)))
    return by_emp


def today_board(s: Session, user: CurrentUser, now: datetime | None = None) -> TodayBoard:
    """Who is in now, on a break, gone, late, and who has not punched yet."""
    now = (now or datetime.now(UTC)).astimezone(TZ)
    today: date = now.date()
    start = datetime.combine(today, datetime.min.time(), TZ)
    employees = visible_employees(s, user)
    sched = schedules_for(s, [e.id for e in employees])
    by_emp = _marks_between(s, start, start + timedelta(days=1))
    board = TodayBoard(today, [], [], [], [], [])
    for e in employees:
        sc = sched[e.id]
        marks = by_emp.get(e.id, [])
        expected = datetime.combine(today, sc.start, TZ) if sc.owed(today) else None
        first = next((at for t, at in marks if t in OPENERS), None)
        last_type, last_at = marks[-1] if marks else (None, None)
        p = Presence(e, first, last_type, last_at, expected)
        if last_type in OPENERS:
            board.inside.append(p)
        elif last_type in BREAKS:
            board.on_break.append(p)
        elif last_type is not None:
            board.left.append(p)
        if expected is not None:
            limit = expected + timedelta(minutes=sc.tolerance)
            if first is not None and first > limit:
                board.late.append(p)
            elif not marks and now > limit:
                board.missing.append(p)
    return board
