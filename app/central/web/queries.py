"""Queries the pages share: who a user may see, the today board, kiosk health."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from app.central.auth import CurrentUser
from app.central.errors import NotFound
from app.central.hr_data import TZ, schedules_for
from app.central.hr_models import EmployeeProfile, ManualPunch, PunchDecision
from app.central.models import Employee, Kiosk, KioskEvent, Punch, QuarantinedRecord
from app.central.timesheet import OPENERS

ONLINE_SECONDS = 300


def scoped(q: Select, user: CurrentUser) -> Select:
    """Restrict a query that selects from Employee to what ``user`` may see."""
    if user.role == "gestor":
        q = q.join(EmployeeProfile, EmployeeProfile.employee_id == Employee.id).where(
            EmployeeProfile.team_id == user.team_id
        )
    return q


# Names as Brazilians write them (migration 0106): ICU pt-BR at level 1 ignores case and accents,
# so "Ângela Müller" sorts among the A's; the id breaks ties between equal names.
NAME_COLLATION = "pt_br_nome"


def by_name(q: Select) -> Select:
    return q.order_by(Employee.name.collate(NAME_COLLATION), Employee.id)


def search_name_or_cpf(q: Select, text: str) -> Select:
    """Employees whose name holds ``text`` ignoring case and accents ("angela" finds "Ângela"),
    or whose CPF holds its digits ("529.982" finds 52998224725)."""
    text = " ".join(text.split())[:150]
    if not text:
        return q
    pattern = "%" + re.sub(r"([\\%_])", r"\\\1", text) + "%"
    name_match = func.unaccent(Employee.name).ilike(func.unaccent(pattern), escape="\\")
    digits = re.sub(r"\D", "", text)
    if digits:
        return q.where(or_(name_match, Employee.cpf.contains(digits, autoescape=True)))
    return q.where(name_match)


def visible_employees(
    s: Session, user: CurrentUser, active_only: bool = True, search: str = ""
) -> list[Employee]:
    q = by_name(select(Employee))
    if active_only:
        q = q.where(Employee.active)
    return list(s.scalars(scoped(search_name_or_cpf(q, search), user)))


def employee_or_404(s: Session, user: CurrentUser, employee_id: int | None) -> Employee:
    if employee_id is None:
        raise NotFound("Funcionário não encontrado.")
    emp = s.scalar(scoped(select(Employee).where(Employee.id == employee_id), user))
    if emp is None:
        raise NotFound("Funcionário não encontrado.")
    return emp


def punch_or_404(s: Session, user: CurrentUser, punch_id: int) -> Punch:
    p = s.get(Punch, punch_id)
    if p is None or p.employee_id is None:
        raise NotFound("Marcação não encontrada.")
    employee_or_404(s, user, p.employee_id)
    return p


def pending_review_query(user: CurrentUser) -> Select:
    """Flagged punches, and punches whose chain failed on arrival (held before quarantine
    existed), that have no decision yet."""
    decided = select(PunchDecision.punch_id)
    q = (
        select(Punch, Employee)
        .join(Employee, Employee.id == Punch.employee_id)
        .where(Punch.flagged | Punch.chain_ok.is_(False), Punch.id.not_in(decided))
    )
    return scoped(q, user)


def open_quarantine_count(s: Session) -> int:
    """Records Central refused to hold that nobody has looked at yet (the Hoje alert)."""
    q = QuarantinedRecord
    return int(
        s.scalar(
            select(func.count()).where(
                q.reason != "gap", q.resolved_at.is_(None), q.acknowledged_at.is_(None)
            )
        )
        or 0
    )


def pending_review_count(s: Session, user: CurrentUser) -> int:
    q = pending_review_query(user).with_only_columns(func.count(Punch.id))
    return int(s.scalar(q) or 0)


@dataclass(frozen=True)
class KioskRow:
    id: int
    name: str
    online: bool
    last_seen: datetime | None
    clock_offset_s: float | None
    queue: int | None  # records the kiosk still had to send, as it reported on its last call
    queue_at: datetime | None  # when it reported the queue
    version: str | None
    head_nsr: int
    problems: int
    revoked: bool
    rep: str = ""  # Central's REP number for the kiosk ("01")


def kiosk_rows(s: Session) -> list[KioskRow]:
    now = datetime.now(UTC)
    problems = dict(
        s.execute(select(KioskEvent.kiosk_id, func.count()).group_by(KioskEvent.kiosk_id)).all()
    )
    rows = []
    for k in s.scalars(select(Kiosk).order_by(Kiosk.name)):
        seen = k.last_seen_at
        online = bool(seen and (now - seen).total_seconds() <= ONLINE_SECONDS) and not k.revoked_at
        rows.append(
            KioskRow(
                id=k.id,
                name=k.name,
                online=online,
                last_seen=seen,
                clock_offset_s=k.clock_offset_s,
                queue=k.queue_pending,
                queue_at=k.status_reported_at,
                version=k.app_version,
                head_nsr=k.head_nsr,
                problems=int(problems.get(k.id, 0)),
                revoked=k.revoked_at is not None,
                rep=k.rep_code,
            )
        )
    return rows


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


def today_board(s: Session, user: CurrentUser, now: datetime | None = None) -> TodayBoard:
    """Who is in now, on a break, gone, late, and who has not punched yet."""
    now = (now or datetime.now(UTC)).astimezone(TZ)
    today: date = now.date()
    start = datetime.combine(today, datetime.min.time(), TZ)
    employees = visible_employees(s, user)
    ids = [e.id for e in employees]
    sched = schedules_for(s, ids)
    rows = s.execute(
        select(Punch.employee_id, Punch.type, Punch.punched_at_ts)
        .where(Punch.punched_at_ts >= start, Punch.punched_at_ts < start + timedelta(days=1))
        .order_by(Punch.punched_at_ts)
    ).all()
    manual = s.execute(
        select(ManualPunch.employee_id, ManualPunch.type, ManualPunch.punched_at).where(
            ManualPunch.punched_at >= start, ManualPunch.punched_at < start + timedelta(days=1)
        )
    ).all()
    by_emp: dict[int, list[tuple[str, datetime]]] = {}
    for eid, type_, at in sorted([*rows, *manual], key=lambda r: r[2]):
        if eid is None:  # a punch whose CPF Central does not know yet
            continue
        by_emp.setdefault(eid, []).append((type_, at.astimezone(TZ)))
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
