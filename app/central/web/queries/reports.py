"""The employer row the espelho, the AEJ and the AFD print (one row, id 1)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.central.hr_models import Employer


def registered_employer(s: Session) -> Employer | None:
    return s.scalar(select(Employer).limit(1))


@dataclass(frozen=True)
class EmployerData:
    """What HR files on Exportações, already checked."""

    cnpj: str
    name: str
    inpi: str
    developer_id: str
    developer_name: str
    developer_email: str


def save_employer(s: Session, data: EmployerData) -> Employer:
    row = registered_employer(s) or Employer(id=1)
    row.cnpj, row.name, row.inpi = data.cnpj, data.name, data.inpi
    row.developer_id, row.developer_name = data.developer_id, data.developer_name
    row.developer_email = data.developer_email
    s.add(row)
    return row
