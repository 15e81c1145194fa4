"""Who a user may see: a gestor sees their team, everyone else the whole company; employees in
the order Brazilians sort names; the lookups that answer 404 for what is out of sight."""

from __future__ import annotations

import re

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from app.central.auth import CurrentUser
from app.central.errors import NotFound
from app.central.hr_models import EmployeeProfile
from app.central.models import Employee, Punch


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
