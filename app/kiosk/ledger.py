"""The kiosk's one door to employees and punches.

Everything the kiosk needs from the punch ledger (``app.store.Ledger``) goes through
``KioskLedger``, so wiring is this one file. ``StoreLedger`` adapts the real SQLite ledger;
``MemoryLedger`` is an in-memory stand-in with the same rules (sequential NSR, chained SHA-256,
punches never blocked, a failed voice check flagged for review), used when the store package is
absent and by tests that need a fault the real store cannot produce on demand. Faults come out as
``OSError`` (errno ENOSPC for a full disk) with a message, whatever the backend.
"""

from __future__ import annotations

import errno
import hashlib
import itertools
import threading
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol

from app.kiosk.settings import check_pin, hash_pin

PUNCH_TYPES = ("ENTRADA", "INTERVALO", "RETORNO", "SAIDA")
LABELS = {"ENTRADA": "Entrada", "INTERVALO": "Intervalo", "RETORNO": "Retorno", "SAIDA": "Saída"}
NEXT_AFTER = {None: "ENTRADA", "ENTRADA": "INTERVALO", "INTERVALO": "RETORNO", "RETORNO": "SAIDA"}


@dataclass
class Employee:
    id: int
    name: str
    cpf: str  # 11 digits
    pin_hash: str = ""  # MemoryLedger only; the store keeps its own secrets
    badge: str = ""  # write-only with the store (it never gives badges back)
    active: bool = True
    has_badge: bool = False


@dataclass
class PunchRequest:
    employee: Employee
    punch_type: str  # canonical: ENTRADA, INTERVALO, RETORNO, SAIDA
    at: datetime  # the legal punch time: the device clock
    expected: str  # the challenge shown, "ENTRADA 13 40"
    spoken_text: str  # what was heard on the last try
    validated: bool
    tries: int
    flagged: bool  # recorded without a passing voice check: for review
    audio: bytes | None = None  # WAV, only when audio retention is on (LGPD)
    method: str = ""


@dataclass
class Receipt:
    nsr: int
    employee_name: str
    cpf: str
    punch_type: str
    at: datetime
    hash: str
    flagged: bool
    extra: dict = field(default_factory=dict)

    @property
    def short_hash(self) -> str:
        return self.hash[:12]


class KioskLedger(Protocol):
    def employee_by_pin(self, pin: str) -> Employee | None: ...

    def employee_by_badge(self, badge: str) -> Employee | None: ...

    def last_punch_type_today(self, employee_id: int, now: datetime) -> str | None: ...

    def record(self, request: PunchRequest) -> Receipt: ...  # raises OSError on disk full

    def employees(self) -> list[Employee]: ...

    def save_employee(self, employee: Employee, pin: str | None = None) -> Employee: ...


def likely_next(last: str | None) -> str:
    return NEXT_AFTER.get(last, "ENTRADA")


def valid_cpf(cpf: str) -> bool:
    digits = [int(c) for c in cpf if c.isdigit()]
    if len(digits) != 11 or len(set(digits)) == 1:
        return False
    for n in (9, 10):
        total = sum(d * w for d, w in zip(digits[:n], range(n + 1, 1, -1), strict=True))
        if (total * 10 % 11) % 10 != digits[n]:
            return False
    return True


class MemoryLedger:
    """In-memory ledger with the real one's rules (stand-in until app/store lands)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._employees: dict[int, Employee] = {}
        self._punches: list[tuple[PunchRequest, Receipt]] = []
        self._ids = itertools.count(1)
        self._last_hash = "0" * 64

    def employees(self) -> list[Employee]:
        with self._lock:
            return [replace(e) for e in self._employees.values()]

    def save_employee(self, employee: Employee, pin: str | None = None) -> Employee:
        with self._lock:
            if pin:
                for other in self._employees.values():
                    if other.id != employee.id and other.active and check_pin(pin, other.pin_hash):
                        raise ValueError("Esse PIN já pertence a outro funcionário.")
                employee = replace(employee, pin_hash=hash_pin(pin))
            if employee.badge:
                for other in self._employees.values():
                    if other.id != employee.id and other.badge == employee.badge:
                        raise ValueError("Esse crachá já pertence a outro funcionário.")
            if not employee.id:
                employee = replace(employee, id=next(self._ids))
            self._employees[employee.id] = employee
            return replace(employee)

    def employee_by_pin(self, pin: str) -> Employee | None:
        with self._lock:
            for e in self._employees.values():
                if e.active and e.pin_hash and check_pin(pin, e.pin_hash):
                    return replace(e)
        return None

    def employee_by_badge(self, badge: str) -> Employee | None:
        with self._lock:
            for e in self._employees.values():
                if e.active and e.badge and e.badge == badge:
                    return replace(e)
        return None

    def last_punch_type_today(self, employee_id: int, now: datetime) -> str | None:
        with self._lock:
            for req, _ in reversed(self._punches):
                if req.employee.id == employee_id and req.at.date() == now.date():
                    return req.punch_type
        return None

    def record(self, request: PunchRequest) -> Receipt:
        with self._lock:
            nsr = len(self._punches) + 1
            line = (
                f"{nsr:09d}|{request.at.isoformat()}|{request.employee.cpf}|"
                f"{request.punch_type}|{self._last_hash}"
            )
            digest = hashlib.sha256(line.encode()).hexdigest()
            receipt = Receipt(
                nsr=nsr,
                employee_name=request.employee.name,
                cpf=request.employee.cpf,
                punch_type=request.punch_type,
                at=request.at,
                hash=digest,
                flagged=request.flagged,
            )
            self._punches.append((request, receipt))
            self._last_hash = digest
            return receipt

    def punches(self) -> list[tuple[PunchRequest, Receipt]]:
        with self._lock:
            return list(self._punches)


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


class StoreLedger:
    """Adapter over ``app.store.Ledger`` (the only writer of the SQLite database)."""

    def __init__(self, ledger) -> None:
        self.store = ledger

    @staticmethod
    def _emp(e) -> Employee:
        return Employee(id=e.id, name=e.name, cpf=e.cpf, active=e.active, has_badge=e.has_badge)

    def employees(self) -> list[Employee]:
        return [self._emp(e) for e in self.store.list_employees()]

    def employee_by_pin(self, pin: str) -> Employee | None:
        e = self.store.find_by_pin(pin)
        return self._emp(e) if e else None

    def employee_by_badge(self, badge: str) -> Employee | None:
        e = self.store.find_by_badge(badge)
        return self._emp(e) if e else None

    def last_punch_type_today(self, employee_id: int, now: datetime) -> str | None:
        p = self.store.last_punch_today(employee_id, _aware(now))
        return p.type if p else None

    def save_employee(self, employee: Employee, pin: str | None = None) -> Employee:
        from app.store.errors import LedgerError

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

    def record(self, request: PunchRequest) -> Receipt:
        from app.store import PunchDraft
        from app.store.errors import DiskFullError, LedgerError

        draft = PunchDraft(
            employee_id=request.employee.id,
            type=request.punch_type,
            expected=request.expected,
            transcript=request.spoken_text,
            validated=request.validated,
            tries=request.tries,
            flag_reason=(
                f"voice check not passed after {request.tries} tries" if request.flagged else ""
            ),
            punched_at=_aware(request.at),
            audio=request.audio,
            method=request.method,
        )
        try:
            p = self.store.record_punch(draft)
        except DiskFullError as exc:
            raise OSError(errno.ENOSPC, str(exc)) from exc
        except LedgerError as exc:
            raise OSError(errno.EIO, str(exc)) from exc
        return Receipt(
            nsr=p.nsr,
            employee_name=p.employee_name,
            cpf=p.cpf,
            punch_type=p.type,
            at=datetime.fromisoformat(p.punched_at),
            hash=p.hash,
            flagged=p.flagged,
        )


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo is not None else dt.astimezone()


def default_ledger() -> KioskLedger:
    """The real SQLite ledger; the in-memory stand-in only if the store package is absent."""
    try:
        from app.store import Ledger
    except ModuleNotFoundError:
        return MemoryLedger()
    return StoreLedger(Ledger.open())
