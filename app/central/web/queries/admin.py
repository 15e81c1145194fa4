"""Users, teams and the audit log (the pages only IT-style admins and auditors open)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.central.hr_models import AuditEntry, Team, User


def users_by_username(s: Session) -> Sequence[User]:
    return s.scalars(select(User).order_by(User.username)).all()


def user_by_id(s: Session, user_id: int) -> User | None:
    return s.get(User, user_id)


def teams_by_name(s: Session) -> Sequence[Team]:
    return s.scalars(select(Team).order_by(Team.name)).all()


def team_names(s: Session) -> dict[int, str]:
    return {t.id: t.name for t in s.scalars(select(Team))}


def team_exists(s: Session, team_id: int) -> bool:
    return s.get(Team, team_id) is not None


def team_name_taken(s: Session, name: str) -> bool:
    return s.scalar(select(Team.id).where(Team.name == name)) is not None


def add_team(s: Session, name: str) -> Team:
    """A new team, flushed so its id can go into the audit entry."""
    team = Team(name=name)
    s.add(team)
    s.flush()
    return team


def audit_page_rows(s: Session, page: int, per_page: int = 100) -> Sequence[AuditEntry]:
    """Page ``page`` (from 1) of the log, newest first, with one row more than ``per_page`` when
    there is a next page."""
    q = select(AuditEntry).order_by(AuditEntry.id.desc())
    return s.scalars(q.limit(per_page + 1).offset((page - 1) * per_page)).all()
