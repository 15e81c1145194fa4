"""What Central sync needs from the ledger, kept beside it (additive; the ledger stays the only
writer of the database): punches after an NSR, this kiosk's head, and applying the roster that
Central hands down (employees with PIN/badge verifiers already hashed).

The roster's PIN/badge indexes are keyed with Central's pepper, which `adopt_pepper` installs
as this ledger's key file when the kiosk joins Central (then every kiosk of one Central finds
the same PIN the same way).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from app.store.ledger import PUNCH_FIELDS, Ledger
from app.store.models import Punch

_BOOL = ("validated", "flagged", "offline")


@dataclass(frozen=True)
class RosterEntry:
    name: str
    cpf: str
    pin_index: str
    pin_hash: str
    badge_index: str | None = None
    badge_hash: str | None = None


@dataclass(frozen=True)
class RosterApplied:
    added: int
    updated: int
    deactivated: int


@dataclass(frozen=True)
class Head:
    nsr: int  # 0: no punch yet
    hash: str


def head(ledger: Ledger) -> Head:
    """The last punch of this kiosk (its NSR and ledger hash)."""
    with ledger._read() as c:
        row = c.execute(
            "SELECT nsr, hash FROM punches WHERE kiosk_id = ? ORDER BY nsr DESC LIMIT 1",
            (ledger.settings.kiosk_id,),
        ).fetchone()
    return Head(row["nsr"], row["hash"]) if row else Head(0, "0" * 64)


def punches_after(ledger: Ledger, after_nsr: int, limit: int = 200) -> list[Punch]:
    """This kiosk's punches with NSR > ``after_nsr``, in NSR order."""
    cols = ", ".join((*PUNCH_FIELDS, "prev_hash", "hash"))
    with ledger._read() as c:
        rows = c.execute(
            f"SELECT {cols} FROM punches WHERE kiosk_id = ? AND nsr > ? ORDER BY nsr LIMIT ?",
            (ledger.settings.kiosk_id, after_nsr, limit),
        ).fetchall()
    return [
        Punch(**{k: bool(r[k]) if k in _BOOL else r[k] for k in r.keys()})  # noqa: SIM118 (Row iterates values)
        for r in rows
    ]


def hashed_fields(p: Punch) -> dict[str, object]:
    """The punch's fields exactly as the ledger hashed them (booleans as 0/1)."""
    return {
        **{k: int(getattr(p, k)) if k in _BOOL else getattr(p, k) for k in PUNCH_FIELDS},
        "prev_hash": p.prev_hash,
        "hash": p.hash,
    }


def apply_roster(ledger: Ledger, entries: list[RosterEntry]) -> RosterApplied:
    """Make the active employees exactly ``entries`` (matched by CPF), in one transaction.
    Others are deactivated, never deleted: their punches keep pointing at them."""
    stamp = ledger.now().isoformat(timespec="seconds")
    added = updated = 0
    wanted = {e.cpf for e in entries}
    with ledger._write() as c:
        current = {r["cpf"]: r for r in c.execute("SELECT * FROM employees").fetchall()}
        # free every index first, so two employees may swap PINs within one roster
        c.execute(
            "UPDATE employees SET active = 0 WHERE active = 1 AND cpf NOT IN"
            f" ({', '.join('?' * len(wanted))})"
            if wanted
            else "UPDATE employees SET active = 0",
            tuple(wanted),
        )
        deactivated = c.execute("SELECT changes()").fetchone()[0]
        for e in entries:
            values = (e.name, e.pin_index, e.pin_hash, e.badge_index, e.badge_hash)
            row = current.get(e.cpf)
            if row is None:
                c.execute(
                    "INSERT INTO employees (name, pin_index, pin_hash, badge_index, badge_hash,"
                    " cpf, active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)",
                    (*values, e.cpf, stamp, stamp),
                )
                added += 1
            elif tuple(row[k] for k in ("name", "pin_index", "pin_hash", "badge_index",
                                        "badge_hash")) != values or not row["active"]:  # fmt: skip
                c.execute(
                    "UPDATE employees SET name = ?, pin_index = ?, pin_hash = ?, badge_index = ?,"
                    " badge_hash = ?, active = 1, updated_at = ? WHERE cpf = ?",
                    (*values, stamp, e.cpf),
                )
                updated += 1
    return RosterApplied(added, updated, deactivated)


def adopt_pepper(db_path: Path, pepper: bytes) -> None:
    """Install Central's pepper as this ledger's key file (atomic). Open ledgers keep the old
    key until reopened: restart the kiosk after joining."""
    if len(pepper) < 16:
        raise ValueError("pepper too short")
    key_path = db_path.with_name(db_path.name + ".key")
    key_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = key_path.with_name(key_path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pepper)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, key_path)
