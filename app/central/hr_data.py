"""From Central's tables to the timesheet's inputs: marks (punches + treatment records),
schedules, holidays, absences; one query per kind for a whole month, however many employees.

One rule for time: a punch is shown at the local time its kiosk wrote, with the UTC offset of
that kiosk's zone (``Punch.punched_at`` keeps the kiosk's text, e.g. ``...T07:00:00-04:00`` in
Manaus), so the espelho, the AEJ and the AFD agree on the hour and the day of every punch.
``TZ`` (America/Sao_Paulo) is only the default zone for what has no punch of its own: the query
window (widened a day each side), HR's manual inclusions and "today".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.central.hr_models import (
    Absence,
    EmployeeProfile,
    Holiday,
    ManualPunch,
    PunchDecision,
    WorkSchedule,
)
from app.central.models import Employee, Punch
from app.central.timesheet import (
    APPROVED,
    INCLUDED,
    ORIGINAL,
    PENDING,
    REJECTED,
    Espelho,
    Mark,
    Schedule,
    espelho,
)
from app.rep.reasons import reason_pt

TZ = ZoneInfo("America/Sao_Paulo")
DEFAULT_SCHEDULE = "PADRAO"


def _hm(text: str) -> time:
    h, m = text.split(":")
    return time(int(h), int(m))


def to_schedule(row: WorkSchedule | None) -> Schedule:
    if row is None:
        return Schedule()
    week = tuple(int(x) for x in row.week.split(","))
    if len(week) != 7:
        return Schedule(code=row.code)
    return Schedule(
        code=row.code,
        week=week,
        start=_hm(row.start),
        break_minutes=row.break_minutes,
        night_start=_hm(row.night_start),
        night_end=_hm(row.night_end),
    )


def schedules_for(s: Session, employee_ids: Sequence[int]) -> dict[int, Schedule]:
    """Each employee's schedule (default PADRAO). Both tables are small (one row per employee,
    a handful of schedules): read whole, no IN list of hundreds of ids to compile."""
    codes = dict(
        s.execute(select(EmployeeProfile.employee_id, EmployeeProfile.schedule_code)).all()
    )
    known = {w.code: to_schedule(w) for w in s.scalars(select(WorkSchedule))}
    default = known.get(DEFAULT_SCHEDULE) or Schedule()
    return {eid: known.get(codes.get(eid) or DEFAULT_SCHEDULE, default) for eid in employee_ids}


def month_bounds(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return first, nxt - timedelta(days=1)


def local_range(first: date, last: date) -> tuple[datetime, datetime]:
    """[first 00:00, last+1 00:00) local, widened by a day each side for overnight shifts."""
    start = datetime.combine(first - timedelta(days=1), time(0), TZ)
    end = datetime.combine(last + timedelta(days=2), time(0), TZ)
    return start, end


def latest_decisions(s: Session, punch_ids: Sequence[int]) -> dict[int, PunchDecision]:
    if not punch_ids:
        return {}
    newest = (
        select(func.max(PunchDecision.id))
        .where(PunchDecision.punch_id.in_(punch_ids))
        .group_by(PunchDecision.punch_id)
    )
    rows = s.scalars(select(PunchDecision).where(PunchDecision.id.in_(newest))).all()
    return {d.punch_id: d for d in rows}


def marks_for(
    s: Session, employee_ids: Sequence[int] | None, start: datetime, end: datetime
) -> dict[int, list[Mark]]:
    """Every mark in [start, end) per employee (None = everyone), treatment records applied."""
    q = select(
        Punch.id,
        Punch.uuid,
        Punch.employee_id,
        Punch.type,
        Punch.punched_at_ts,
        Punch.punched_at,
        Punch.flagged,
        Punch.flag_reason,
        Punch.kiosk_id,
    ).where(Punch.punched_at_ts >= start, Punch.punched_at_ts < end)
    if employee_ids is not None:
        q = q.where(Punch.employee_id.in_(employee_ids))
    rows = s.execute(q).all()
    flagged_ids = [r.id for r in rows if r.flagged]
    decisions = {}
    for i in range(0, len(flagged_ids), 5000):
        decisions.update(latest_decisions(s, flagged_ids[i : i + 5000]))
    out: dict[int, list[Mark]] = defaultdict(list)
    for r in rows:
        if r.employee_id is None:
            continue
        status, note = ORIGINAL, ""
        if r.flagged:
            d = decisions.get(r.id)
            status = PENDING if d is None else (APPROVED if d.approved else REJECTED)
            note = reason_pt(r.flag_reason) if d is None else d.justification
        at = punch_local(r.punched_at, r.punched_at_ts)
        out[r.employee_id].append(
            Mark(at, r.type, status, ref=r.uuid, note=note, kiosk=str(r.kiosk_id))
        )
    mq = select(ManualPunch).where(ManualPunch.punched_at >= start, ManualPunch.punched_at < end)
    if employee_ids is not None:
        mq = mq.where(ManualPunch.employee_id.in_(employee_ids))
    for mp in s.scalars(mq):
        at = mp.punched_at.astimezone(TZ)
        out[mp.employee_id].append(
            Mark(at, mp.type, INCLUDED, ref=f"manual:{mp.id}", note=mp.reason)
        )
    return out


def punch_local(text: str, instant: datetime) -> datetime:
    """A punch's local time with its kiosk's UTC offset, as the kiosk wrote it (its AFD
    field); the instant in ``TZ`` only when the text cannot be read."""
    try:
        at = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return instant.astimezone(TZ)
    return at if at.tzinfo is not None else instant.astimezone(TZ)


def holidays_between(s: Session, first: date, last: date) -> dict[date, str]:
    rows = s.scalars(select(Holiday).where(Holiday.day >= first, Holiday.day <= last))
    return {h.day: h.name for h in rows}


def absences_between(
    s: Session, employee_ids: Sequence[int] | None, first: date, last: date
) -> dict[int, dict[date, str]]:
    q = select(Absence).where(Absence.day >= first, Absence.day <= last)
    if employee_ids is not None:
        q = q.where(Absence.employee_id.in_(employee_ids))
    out: dict[int, dict[date, str]] = defaultdict(dict)
    for a in s.scalars(q):
        out[a.employee_id][a.day] = a.reason
    return out


def espelhos(
    s: Session,
    year: int,
    month: int,
    employees: Sequence[Employee],
    today: date | None = None,
) -> list[tuple[Employee, Espelho]]:
    """The month's espelho for each employee, with a constant number of queries."""
    first, last = month_bounds(year, month)
    start, end = local_range(first, last)
    ids = [e.id for e in employees]
    everyone = None if len(ids) > 500 else ids
    marks = marks_for(s, everyone, start, end)
    sched = schedules_for(s, ids)
    hol = holidays_between(s, first, last)
    absn = absences_between(s, everyone, first, last)
    until = today if today is not None and first <= today <= last else None
    if today is not None and today < first:
        until = first - timedelta(days=1)
    out = []
    for e in employees:
        args = (marks.get(e.id, []), sched[e.id], hol, absn.get(e.id), until)
        out.append((e, espelho(year, month, *args, since=_admission(e))))
    return out


def _admission(e: Employee) -> date | None:
    """First day owed: the admission date on file, else the day the employee was registered
    in Central."""
    admitted = getattr(e, "admission_date", None)
    if admitted is not None:
        return admitted
    return e.created_at.astimezone(TZ).date() if e.created_at else None
