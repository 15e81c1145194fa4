"""Tables of the HR back office (migration ``0100_hr``), on the same metadata as Central's.

Treatment records never touch a punch: a review decision and a manual inclusion are rows of
their own, with author and reason, and the latest decision on a punch is the one that counts.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.central.models import Base

ROLES = ("rh", "gestor", "ti")


class Team(Base):
    __tablename__ = "hr_teams"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)


class WorkSchedule(Base):
    """A contractual schedule; ``week`` is seven comma-separated minute counts, Monday first."""

    __tablename__ = "hr_schedules"
    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    week: Mapped[str] = mapped_column(String(60), default="480,480,480,480,480,240,0")
    start: Mapped[str] = mapped_column(String(5), default="08:00")
    break_minutes: Mapped[int] = mapped_column(Integer, default=60)
    night_start: Mapped[str] = mapped_column(String(5), default="22:00")
    night_end: Mapped[str] = mapped_column(String(5), default="05:00")


class EmployeeProfile(Base):
    """What HR adds to Central's employee: team and schedule."""

    __tablename__ = "hr_employee_profiles"
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), primary_key=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("hr_teams.id"), index=True)
    schedule_code: Mapped[str | None] = mapped_column(ForeignKey("hr_schedules.code"))


class User(Base):
    __tablename__ = "hr_users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(150))
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(10))  # rh | gestor | ti
    team_id: Mapped[int | None] = mapped_column(ForeignKey("hr_teams.id"))  # gestor's team
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class WebSession(Base):
    """A login: only the SHA-256 of the cookie's token is stored; CSRF token per session."""

    __tablename__ = "hr_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("hr_users.id"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AuditEntry(Base):
    __tablename__ = "hr_audit"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("hr_users.id"))
    username: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str] = mapped_column(String(120), default="")
    detail: Mapped[str] = mapped_column(Text, default="")


class PunchDecision(Base):
    """A review decision on a flagged punch: a new record; the punch itself never changes."""

    __tablename__ = "hr_punch_decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    punch_id: Mapped[int] = mapped_column(ForeignKey("punches.id"), index=True)
    approved: Mapped[bool] = mapped_column(Boolean)
    justification: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int] = mapped_column(ForeignKey("hr_users.id"))
    author: Mapped[str] = mapped_column(String(150))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ManualPunch(Base):
    """A forgotten punch added by HR (AEJ source "I"): a treatment record with reason and author."""

    __tablename__ = "hr_manual_punches"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"), index=True)
    punched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    type: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int] = mapped_column(ForeignKey("hr_users.id"))
    author: Mapped[str] = mapped_column(String(150))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Holiday(Base):
    __tablename__ = "hr_holidays"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))


class Absence(Base):
    """A justified absence (atestado, férias...): the day owes nothing."""

    __tablename__ = "hr_absences"
    __table_args__ = (UniqueConstraint("employee_id", "day", name="hr_absences_employee_day"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(150))
    author: Mapped[str] = mapped_column(String(150))


class Employer(Base):
    """The employer printed on the espelho and written in the AEJ (one row)."""

    __tablename__ = "hr_employer"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cnpj: Mapped[str] = mapped_column(String(14))
    name: Mapped[str] = mapped_column(String(150))
    inpi: Mapped[str] = mapped_column(String(17), default="")  # REP-P registration at INPI
    developer_id: Mapped[str] = mapped_column(String(14), default="")  # REP-P developer CNPJ/CPF
    developer_name: Mapped[str] = mapped_column(String(150), default="")  # AEJ record 08
    developer_email: Mapped[str] = mapped_column(String(50), default="")  # AEJ record 08
