"""Employees' HR data (profile, team, schedule, kiosks), work schedules and holidays."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.central.hr_models import EmployeeProfile, Holiday, Team, WorkSchedule
from app.central.models import Employee, Kiosk
from app.central.web.queries.kiosks import enrolled_kiosks


@dataclass(frozen=True)
class FormChoices:
    """What the employee form offers: teams, schedules and the kiosks still enrolled."""

    teams: Sequence[Team]
    schedules: Sequence[WorkSchedule]
    kiosks: Sequence[Kiosk]


def employee_form_choices(s: Session) -> FormChoices:
    return FormChoices(
        teams=s.scalars(select(Team).order_by(Team.name)).all(),
        schedules=schedules_by_code(s),
        kiosks=enrolled_kiosks(s),
    )


def profiles_of(s: Session, employee_ids: Sequence[int]) -> dict[int, EmployeeProfile]:
    q = select(EmployeeProfile).where(EmployeeProfile.employee_id.in_(employee_ids))
    return {p.employee_id: p for p in s.scalars(q)}


def profile_of(s: Session, employee_id: int) -> EmployeeProfile | None:
    return s.get(EmployeeProfile, employee_id)


def save_profile(s: Session, employee_id: int, team_id: int | None, schedule: str | None) -> None:
    """Set the employee's team and schedule, creating the profile on first save."""
    profile = s.get(EmployeeProfile, employee_id) or EmployeeProfile(employee_id=employee_id)
    profile.team_id, profile.schedule_code = team_id, schedule
    s.add(profile)


def cpf_taken(s: Session, cpf: str) -> bool:
    """Whether any employee, active or not, already has this CPF (11 digits)."""
    return s.scalar(select(Employee.id).where(Employee.cpf == cpf)) is not None


def credential_clash(s: Session, kind: str, indexes: Sequence[str], employee_id: int) -> bool:
    """Whether another active employee holds a PIN (``kind`` "pin") or badge with one of
    ``indexes`` (every index scheme the same secret may be stored under)."""
    column = Employee.pin_index if kind == "pin" else Employee.badge_index
    q = select(Employee.id).where(column.in_(indexes), Employee.active, Employee.id != employee_id)
    return s.scalar(q) is not None


def schedules_by_code(s: Session) -> Sequence[WorkSchedule]:
    return s.scalars(select(WorkSchedule).order_by(WorkSchedule.code)).all()


def schedule_exists(s: Session, code: str) -> bool:
    return s.get(WorkSchedule, code) is not None


def add_schedule(
    s: Session, code: str, name: str, week_minutes: Sequence[int], start: str, break_minutes: int
) -> WorkSchedule:
    """A new schedule (``week_minutes``: Monday..Sunday); night hours are the CLT's 22:00-05:00."""
    row = WorkSchedule(code=code, name=name, week=",".join(str(w) for w in week_minutes),
                       start=start, break_minutes=break_minutes, night_start="22:00",
                       night_end="05:00")  # fmt: skip
    s.add(row)
    return row


def recent_holidays(s: Session, limit: int = 60) -> Sequence[Holiday]:
    return s.scalars(select(Holiday).order_by(Holiday.day.desc()).limit(limit)).all()


def holiday_exists(s: Session, day: date) -> bool:
    return s.get(Holiday, day) is not None


def add_holiday(s: Session, day: date, name: str) -> None:
    s.add(Holiday(day=day, name=name))
