"""Employees: CPF-unique records with peppered PIN/badge hashes and a keyed MAC per row.

The employees table is the one mutable table of the ledger, so each row carries an HMAC (kiosk
key) over every column: an edit without the key is reported by `ledger verify`. Including,
changing the name of, excluding or re-including an employee also appends an AFD type-5 event
(`RepSequence`), in the same transaction. PIN/badge changes are not AFD data: no event.
"""

from __future__ import annotations

import logging
import sqlite3

from app.store.cpf import normalize_cpf
from app.store.credentials import SecretHasher
from app.store.db import Database
from app.store.errors import EmployeeError, ErrorCode, LedgerError
from app.store.keys import LedgerKey
from app.store.models import Employee
from app.store.records import RepSequence

log = logging.getLogger(__name__)

EMPLOYEE_FIELDS = (
    "id", "name", "cpf", "pin_index", "pin_hash", "badge_index", "badge_hash", "active",
    "created_at", "updated_at",
)  # fmt: skip


def employee_mac(key: LedgerKey, row: sqlite3.Row) -> str:
    return key.row_mac("employee", {k: row[k] for k in EMPLOYEE_FIELDS})


class Employees:
    def __init__(
        self,
        db: Database,
        key: LedgerKey,
        hasher: SecretHasher,
        seq: RepSequence,
        roster: SecretHasher | None = None,
    ) -> None:
        self._db = db
        self._key = key
        self._hasher = hasher
        self._seq = seq
        self._roster = roster  # PontoVoz Central's pepper: employees from its roster

    def set_roster(self, roster: SecretHasher | None) -> None:
        """Central's roster pepper, installed after a join (`Ledger.reload_roster_key`)."""
        self._roster = roster

    def add(
        self, name: str, cpf: str, pin: str, badge: str | None = None, author_cpf: str = ""
    ) -> Employee:
        name = clean_name(name)
        cpf = normalize_cpf(cpf)
        author = author_or_blank(author_cpf)
        pin_h = self._hasher.hash("pin", check_pin(pin))
        badge_h = self._hasher.hash("badge", check_badge(badge)) if badge else None
        stamp = self._seq.now().isoformat(timespec="seconds")
        with self._db.write() as c:
            if c.execute("SELECT 1 FROM employees WHERE cpf = ?", (cpf,)).fetchone():
                raise EmployeeError(f"o CPF {cpf} já está cadastrado", ErrorCode.CPF_TAKEN)
            self._refuse_taken(c, "pin", pin_h.index, None)
            if badge_h:
                self._refuse_taken(c, "badge", badge_h.index, None)
            cur = c.execute(
                "INSERT INTO employees (name, cpf, pin_index, pin_hash, badge_index, badge_hash,"
                " active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)",
                (
                    name,
                    cpf,
                    pin_h.index,
                    pin_h.hash,
                    badge_h.index if badge_h else None,
                    badge_h.hash if badge_h else None,
                    stamp,
                    stamp,
                ),
            )
            emp_id = int(cur.lastrowid or 0)
            self._seal(c, emp_id)
            self._event(c, "I", cpf, name, author)
            return self._employee(c, emp_id)

    def update(
        self,
        cpf: str,
        *,
        name: str | None = None,
        pin: str | None = None,
        badge: str | None = None,
        active: bool | None = None,
        author_cpf: str = "",
    ) -> Employee:
        """Change name/PIN/badge/active of the employee with this CPF (badge "" removes it)."""
        cpf = normalize_cpf(cpf)
        author = author_or_blank(author_cpf)
        pin_h = self._hasher.hash("pin", check_pin(pin)) if pin is not None else None
        badge_h = self._hasher.hash("badge", check_badge(badge)) if badge else None
        with self._db.write() as c:
            row = c.execute("SELECT * FROM employees WHERE cpf = ?", (cpf,)).fetchone()
            if row is None:
                raise EmployeeError(
                    f"nenhum funcionário com o CPF {cpf}", ErrorCode.EMPLOYEE_UNKNOWN
                )
            emp_id = row["id"]
            sets: dict[str, object] = {}
            if name is not None:
                sets["name"] = clean_name(name)
            if pin_h:
                self._refuse_taken(c, "pin", pin_h.index, emp_id)
                sets.update(pin_index=pin_h.index, pin_hash=pin_h.hash)
            if badge_h:
                self._refuse_taken(c, "badge", badge_h.index, emp_id)
                sets.update(badge_index=badge_h.index, badge_hash=badge_h.hash)
            elif badge == "":
                sets.update(badge_index=None, badge_hash=None)
            if active is not None:
                sets["active"] = int(active)
            sets["updated_at"] = self._seq.now().isoformat(timespec="seconds")
            assignments = ", ".join(f"{k} = ?" for k in sets)
            c.execute(f"UPDATE employees SET {assignments} WHERE id = ?", (*sets.values(), emp_id))
            self._seal(c, emp_id)
            new_name = str(sets.get("name", row["name"]))
            was, now = bool(row["active"]), bool(sets.get("active", row["active"]))
            if was and not now:
                self._event(c, "E", cpf, new_name, author)
            elif now and not was:
                self._event(c, "I", cpf, new_name, author)
            elif new_name != row["name"]:
                self._event(c, "A", cpf, new_name, author)
            return self._employee(c, emp_id)

    def list(self, include_inactive: bool = True) -> list[Employee]:
        where = "" if include_inactive else " WHERE active = 1"
        with self._db.read() as c:
            rows = c.execute(f"SELECT * FROM employees{where} ORDER BY name, id").fetchall()
            return [employee_from(r) for r in rows]

    def get(self, employee_id: int) -> Employee | None:
        with self._db.read() as c:
            row = c.execute("SELECT * FROM employees WHERE id = ?", (employee_id,)).fetchone()
            return employee_from(row) if row else None

    def find(self, kind: str, secret: str) -> Employee | None:
        secret = str(secret or "").strip()
        if not secret:
            return None
        for hasher in (self._hasher, self._roster):
            if hasher is None:
                continue
            index = hasher.index(kind, secret)
            with self._db.read() as c:
                rows = c.execute(
                    f"SELECT * FROM employees WHERE {kind}_index = ? AND active = 1", (index,)
                ).fetchall()
            for row in rows:
                if hasher.verify(kind, secret, row[f"{kind}_hash"]):
                    if hasher is self._hasher and SecretHasher.needs_rehash(row[f"{kind}_hash"]):
                        self._rehash(row["id"], kind, secret)
                    return employee_from(row)
        return None

    def _rehash(self, emp_id: int, kind: str, secret: str) -> None:
        """Replace a hash made before the pepper (no key) on its first successful use. Best
        effort: a busy database must not stop the person from punching; next time then."""
        hashed = self._hasher.hash(kind, secret)
        try:
            with self._db.write() as c:
                c.execute(
                    f"UPDATE employees SET {kind}_hash = ? WHERE id = ?", (hashed.hash, emp_id)
                )
                self._seal(c, emp_id)
        except LedgerError as exc:
            log.warning("could not upgrade the %s hash of employee %s: %s", kind, emp_id, exc)

    def _seal(self, c: sqlite3.Connection, emp_id: int) -> None:
        row = c.execute("SELECT * FROM employees WHERE id = ?", (emp_id,)).fetchone()
        c.execute(
            "UPDATE employees SET mac = ? WHERE id = ?", (employee_mac(self._key, row), emp_id)
        )

    def _event(self, c: sqlite3.Connection, op: str, cpf: str, name: str, author: str) -> None:
        self._seq.append_event(
            c, "employee", {"op": op, "cpf": cpf, "name": name, "author_cpf": author}
        )

    def _refuse_taken(
        self, c: sqlite3.Connection, kind: str, index: str, except_id: int | None
    ) -> None:
        row = c.execute(
            f"SELECT id FROM employees WHERE {kind}_index = ? AND active = 1 AND id != ?",
            (index, except_id or -1),
        ).fetchone()
        if row:
            code = ErrorCode.PIN_TAKEN if kind == "pin" else ErrorCode.BADGE_TAKEN
            what = "esse PIN" if kind == "pin" else "esse crachá"
            raise EmployeeError(f"{what} já é usado por outro funcionário", code)

    def _employee(self, c: sqlite3.Connection, emp_id: int) -> Employee:
        return employee_from(
            c.execute("SELECT * FROM employees WHERE id = ?", (emp_id,)).fetchone()
        )


def employee_from(row: sqlite3.Row) -> Employee:
    return Employee(
        id=row["id"],
        name=row["name"],
        cpf=row["cpf"],
        active=bool(row["active"]),
        has_badge=row["badge_index"] is not None,
        created_at=row["created_at"],
    )


def author_or_blank(cpf: str) -> str:
    """The CPF of who made a change (AFD types 2, 4, 5), or "" when nobody was identified."""
    return normalize_cpf(cpf) if cpf else ""


def clean_name(name: str) -> str:
    name = " ".join(str(name).split())
    if not 2 <= len(name) <= 150:
        raise EmployeeError("o nome deve ter de 2 a 150 caracteres", ErrorCode.NAME_INVALID)
    return name


def check_pin(pin: str | None) -> str:
    pin = str(pin or "").strip()
    if not (pin.isdigit() and pin.isascii() and 4 <= len(pin) <= 8):
        raise EmployeeError("o PIN deve ter de 4 a 8 dígitos", ErrorCode.PIN_INVALID)
    return pin


def check_badge(badge: str | None) -> str:
    badge = str(badge or "").strip()
    if not 1 <= len(badge) <= 64 or not badge.isprintable():
        raise EmployeeError(
            "o crachá deve ter de 1 a 64 caracteres imprimíveis", ErrorCode.BADGE_INVALID
        )
    return badge
