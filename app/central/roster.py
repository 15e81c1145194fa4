"""The employee lists a kiosk and Central exchange: the kiosk's own list comes up first (CPFs
Central does not know become employees), then the roster goes down (what the kiosk merges into
its list, with a version for ``ETag``). A roster never erases a kiosk's list."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from app.central.errors import BadInput
from app.central.models import (
    KIOSK_EMPLOYEE_TABLE,
    Employee,
    EmployeeKiosk,
    Kiosk,
    KioskEmployee,
    KioskEvent,
)
from app.central.schemas import KioskEmployeeIn, RosterEmployee
from app.rep.cpf import normalize_cpf
from app.rep.errors import CpfError


def roster_for(session: Session, kiosk_id: int) -> tuple[str, list[RosterEmployee]]:
    """What this kiosk merges into its own list, and a version (changes with any of it):
    active employees in its scope with Central's PIN/badge verifiers; those it reported
    holding without a Central PIN with empty verifiers (it keeps its own); and those it
    holds whom HR deactivated or took off this kiosk, as inactive. Everyone else it holds is
    left alone: a roster never erases a kiosk's list."""
    assigned = select(EmployeeKiosk.employee_id).where(EmployeeKiosk.kiosk_id == kiosk_id)
    held = set(session.scalars(select(KioskEmployee.cpf).where(KioskEmployee.kiosk_id == kiosk_id)))
    in_scope = Employee.all_kiosks | Employee.id.in_(assigned)
    rows = session.execute(
        select(Employee, in_scope.label("in_scope"))
        .where(Employee.active.is_(True) | Employee.cpf.in_(held))
        .order_by(Employee.cpf)
    ).all()
    people = []
    for e, scoped in rows:
        active = bool(e.active and scoped)
        if active and not e.has_credentials and e.cpf not in held:
            continue  # no PIN in Central and not on this kiosk: it could not identify them
        if not active and e.cpf not in held:
            continue
        creds = active and e.has_credentials
        people.append(
            RosterEmployee(
                name=e.name,
                cpf=e.cpf,
                pin_index=e.pin_index if creds else "",
                pin_hash=e.pin_hash if creds else "",
                badge_index=e.badge_index if creds else None,
                badge_hash=e.badge_hash if creds else None,
                active=active,
            )
        )
    canonical = json.dumps([p.model_dump() for p in people], sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32], people


@dataclass(frozen=True)
class Merged:
    created: int
    known: int


def merge_kiosk_employees(
    session: Session, kiosk: Kiosk, people: Sequence[KioskEmployeeIn]
) -> Merged:
    """A kiosk's own list, sent before it takes the roster down: CPFs Central does not know
    become employees (no PIN in Central: it stays on the kiosk, under the kiosk's key; admission
    = when the kiosk registered them, for HR to confirm); known CPFs keep Central's data. Either
    way the kiosk is noted as holding them (see `roster_for`). Their earlier punches get linked."""
    seen: dict[str, KioskEmployeeIn] = {}
    for p in people:
        seen[p.cpf] = p
    known = dict(
        session.execute(select(Employee.cpf, Employee.id).where(Employee.cpf.in_(seen))).all()
    )
    created = 0
    for cpf, p in seen.items():
        if cpf in known:
            continue
        try:
            normalize_cpf(cpf)
        except CpfError as exc:
            raise BadInput(f"CPF inválido enviado pelo quiosque: {cpf!r}") from exc
        name = " ".join(p.name.split())[:150] or cpf
        session.add(
            Employee(
                name=name, cpf=cpf, pin_index="", pin_hash="", active=p.active,
                all_kiosks=True, admission_date=_date_of(p.since),
            )
        )  # fmt: skip
        created += 1
    session.flush()
    if seen:
        stmt = pg_insert(KIOSK_EMPLOYEE_TABLE).values(
            [
                {"kiosk_id": kiosk.id, "cpf": cpf, "name": p.name[:150], "active": p.active}
                for cpf, p in seen.items()
            ]
        )
        session.execute(
            stmt.on_conflict_do_update(
                index_elements=["kiosk_id", "cpf"],
                set_={
                    "name": stmt.excluded.name,
                    "active": stmt.excluded.active,
                    "reported_at": func.now(),
                },
            )
        )
    if created:
        session.add(
            KioskEvent(
                kiosk_id=kiosk.id, kind="roster",
                detail=f"{created} funcionário(s) do quiosque cadastrado(s) na Central (sem PIN"
                " na Central: confirme a admissão e o cargo)",
            )
        )  # fmt: skip
    return Merged(created, len(seen) - created)


def _date_of(stamp: str) -> date | None:
    try:
        return datetime.fromisoformat(stamp).date() if stamp else None
    except ValueError:
        return None
