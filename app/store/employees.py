"""Employees: CPF-unique records with peppered PIN/badge hashes and a keyed MAC per row.

PINs and badges are stored in the slow scheme (`slow_pins`: one scrypt per lookup, also with
the key in hand); rows from before it keep working through the legacy fast index and are
re-hashed on their next successful use (`ledger verify` counts those still waiting). A row
whose MAC does not match is never trusted: a PIN hash copied into another person's row is
refused at the punch and raised as a security alert.

The employees table is the one mutable table of the ledger, so each row carries an HMAC (kiosk
key) over every column: an edit without the key is reported by `ledger verify`. Including,
changing the name of, excluding or re-including an employee also appends an AFD type-5 event
(`RepSequence`), in the same transaction. PIN/badge changes are not AFD data: no event.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Sequence

from app.rep.cpf import normalize_cpf
from app.rep.slow_pins import PREFIX_LEN, SlowCredential, is_slow
from app.store.credential_lookup import CredentialLookup, Present, Probe
from app.store.db import Database
from app.store.errors import EmployeeError, ErrorCode, LedgerError
from app.store.keys import LedgerKey
from app.store.models import Employee
from app.store.records import RepSequence

AlertSink = Callable[[str, str], object]  # (kind, pt-BR detail): `AlertLog.record`

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
        lookup: CredentialLookup,
        seq: RepSequence,
        alert: AlertSink = lambda kind, detail: None,
    ) -> None:
        self._db = db
        self._key = key
        self._lookup = lookup  # the kiosk key and, after a join, Central's roster pepper
        self._seq = seq
        self._alert = alert

    def set_roster(self, pepper: bytes | None) -> None:
        """Central's roster pepper, installed after a join (`Ledger.reload_roster_key`)."""
        self._lookup.set_roster(pepper)

    def add(
        self, name: str, cpf: str, pin: str, badge: str | None = None, author_cpf: str = ""
    ) -> Employee:
        name = clean_name(name)
        cpf = normalize_cpf(cpf)
        author = author_or_blank(author_cpf)
        pin = check_pin(pin)
        badge = check_badge(badge) if badge else None
        pin_h, pin_p = self._new("pin", pin)
        badge_h, badge_p = self._new("badge", badge) if badge else (None, [])
        stamp = self._seq.now().isoformat(timespec="seconds")
        with self._db.write() as c:
            if c.execute("SELECT 1 FROM employees WHERE cpf = ?", (cpf,)).fetchone():
                raise EmployeeError(f"o CPF {cpf} já está cadastrado", ErrorCode.CPF_TAKEN)
            self._refuse_taken(c, "pin", pin_p, None)
            self._refuse_taken(c, "badge", badge_p, None)
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
        pin_h, pin_p = self._new("pin", check_pin(pin)) if pin is not None else (None, [])
        badge_h, badge_p = self._new("badge", check_badge(badge)) if badge else (None, [])
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
                self._refuse_taken(c, "pin", pin_p, emp_id)
                sets.update(pin_index=pin_h.index, pin_hash=pin_h.hash)
            if badge_h:
                self._refuse_taken(c, "badge", badge_p, emp_id)
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
        """The active employee whose PIN/badge is ``secret``, or None. One scrypt per pepper
        in use (outside the database lock); a matching row whose MAC does not match is refused
        and raised as an alert."""
        secret = str(secret or "").strip()
        if not secret:
            return None
        probes = self._lookup.probes(kind, secret, self._present(kind))
        with self._db.read() as c:
            found = [
                (probe, row)
                for probe in probes
                for row in c.execute(
                    f"SELECT * FROM employees WHERE {kind}_index = ? AND active = 1",
                    (probe.index,),
                ).fetchall()
            ]
        for probe, row in found:
            if not probe.confirm(row[f"{kind}_hash"]):
                continue
            if not self._sealed(row):
                self._alert("employee_tampered", tampered_text(kind, row))
                log.error("employee %s matched a %s but its row MAC is wrong", row["id"], kind)
                continue
            if probe.own and probe.legacy:
                self._rehash(row["id"], kind, secret)
            return employee_from(row)
        return None

    def _present(self, kind: str) -> Present:
        with self._db.read() as c:
            rows = c.execute(
                f"SELECT DISTINCT substr({kind}_index, 1, ?) FROM employees"
                f" WHERE active = 1 AND {kind}_index IS NOT NULL",
                (PREFIX_LEN,),
            ).fetchall()
        prefixes = [str(r[0]) for r in rows]
        return Present(
            frozenset(p for p in prefixes if is_slow(p)), any(not is_slow(p) for p in prefixes)
        )

    def _new(self, kind: str, secret: str) -> tuple[SlowCredential, Sequence[Probe]]:
        """The stored form of a new secret and the indexes a row already holding it has."""
        cred = self._lookup.new_credential(kind, secret)
        present = self._present(kind)
        present = Present(present.slow_prefixes | {cred.index[:PREFIX_LEN]}, present.legacy)
        return cred, self._lookup.probes(kind, secret, present, own=cred)

    def _sealed(self, row: sqlite3.Row) -> bool:
        return bool(row["mac"]) and row["mac"] == employee_mac(self._key, row)

    def _rehash(self, emp_id: int, kind: str, secret: str) -> None:
        """Move a legacy (fast-index) secret to the slow scheme on its first successful use.
        Best effort: a busy database must not stop the person from punching; next time then."""
        cred = self._lookup.new_credential(kind, secret)
        try:
            with self._db.write() as c:
                c.execute(
                    f"UPDATE employees SET {kind}_index = ?, {kind}_hash = ? WHERE id = ?",
                    (cred.index, cred.hash, emp_id),
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
        self, c: sqlite3.Connection, kind: str, probes: Sequence[Probe], except_id: int | None
    ) -> None:
        taken = any(
            probe.confirm(row[f"{kind}_hash"])
            for probe in probes
            for row in c.execute(
                f"SELECT {kind}_hash FROM employees WHERE {kind}_index = ? AND active = 1"
                " AND id != ?",
                (probe.index, except_id or -1),
            ).fetchall()
        )
        if taken:
            code = ErrorCode.PIN_TAKEN if kind == "pin" else ErrorCode.BADGE_TAKEN
            what = "esse PIN" if kind == "pin" else "esse crachá"
            raise EmployeeError(f"{what} já é usado por outro funcionário", code)

    def _employee(self, c: sqlite3.Connection, emp_id: int) -> Employee:
        return employee_from(
            c.execute("SELECT * FROM employees WHERE id = ?", (emp_id,)).fetchone()
        )


def count_legacy(c: sqlite3.Connection) -> int:
    """Active employees whose PIN or badge still uses the fast legacy index (re-hashed on
    their next successful use): a stolen key still guesses those quickly."""
    rows = c.execute("SELECT pin_index, badge_index FROM employees WHERE active = 1").fetchall()
    return sum(1 for r in rows if not is_slow(r[0]) or (r[1] is not None and not is_slow(r[1])))


def employee_from(row: sqlite3.Row) -> Employee:
    return Employee(
        id=row["id"],
        name=row["name"],
        cpf=row["cpf"],
        active=bool(row["active"]),
        has_badge=row["badge_index"] is not None,
        created_at=row["created_at"],
    )


def tampered_text(kind: str, row: sqlite3.Row) -> str:
    what = "PIN" if kind == "pin" else "crachá"
    return (
        f"O {what} digitado confere com o cadastro do funcionário id {row['id']}, mas esse "
        "cadastro foi alterado fora do PontoVoz (a assinatura não confere). A marcação foi "
        "recusada. Confira o cadastro e rode 'python -m app ledger verify'."
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
