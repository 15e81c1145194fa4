"""The kiosk's employee admin over the real ledger (``app.store.Ledger``).

Punches go through ``app.punch.service.PunchService`` (the same code as ``python -m app punch``);
this module only adapts employee management for the admin screens (add, edit, deactivate),
turning the store's English errors into Portuguese messages.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.store.errors import LedgerError
from app.store.ledger import Ledger


@dataclass
class Employee:
    """An employee as the admin form edits it (the badge is write-only: never read back)."""

    id: int
    name: str
    cpf: str  # 11 digits
    badge: str = ""
    active: bool = True
    has_badge: bool = False


def valid_cpf(cpf: str) -> bool:
    digits = [int(c) for c in cpf if c.isdigit()]
    if len(digits) != 11 or len(set(digits)) == 1:
        return False
    for n in (9, 10):
        total = sum(d * w for d, w in zip(digits[:n], range(n + 1, 1, -1), strict=True))
        if (total * 10 % 11) % 10 != digits[n]:
            return False
    return True


_STORE_MESSAGES = (
    ("already registered", "Esse CPF já está cadastrado."),
    ("PIN is already used", "Esse PIN já pertence a outro funcionário."),
    ("BADGE is already used", "Esse crachá já pertence a outro funcionário."),
    ("no employee", "Funcionário não encontrado."),
)


def _pt(exc: Exception) -> str:
    text = str(exc)
    for needle, message in _STORE_MESSAGES:
        if needle in text:
            return message
    return f"Não foi possível salvar o funcionário ({text})."


class EmployeeBook:
    """Employee admin for the kiosk's screens; the store stays the only writer."""

    def __init__(self, ledger: Ledger) -> None:
        self.store = ledger

    @staticmethod
    def _emp(e) -> Employee:
        return Employee(id=e.id, name=e.name, cpf=e.cpf, active=e.active, has_badge=e.has_badge)

    def employees(self) -> list[Employee]:
        return [self._emp(e) for e in self.store.list_employees()]

    def save_employee(self, employee: Employee, pin: str | None = None) -> Employee:
        """Add (id 0) or update; ValueError with a pt-BR message when the store refuses."""
        try:
            if not employee.id:
                e = self.store.add_employee(
                    employee.name, employee.cpf, pin or "", employee.badge or None
                )
            else:
                e = self.store.update_employee(
                    employee.cpf,
                    name=employee.name,
                    pin=pin or None,
                    badge=employee.badge or None,
                    active=employee.active,
                )
        except LedgerError as exc:
            raise ValueError(_pt(exc)) from exc
        return self._emp(e)


def open_ledger() -> Ledger:
    """The kiosk's SQLite ledger in the per-user data dir (PONTOVOZ_HOME respected)."""
    return Ledger.open()
