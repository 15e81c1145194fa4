"""What Central sync needs from the ledger, kept beside it (additive; the ledger stays the only
writer of the database): the REP records after an NSR (punches and events share one NSR
sequence and one chain), this kiosk's chain head, and applying the roster that Central hands
down (employees with PIN/badge verifiers already hashed with Central's roster pepper).

The roster pepper is kept in its own file beside the ledger (``<ledger>.roster.key``, 0600;
`app.store.roster_key`, which the ledger reads at open), never as the kiosk key: the kiosk key
also MACs every row and stays unique per kiosk. `Employees.find` tries the kiosk's own hasher,
then the roster's.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.rep.records import BOOL_FIELDS, EVENT_FIELDS, PUNCH_FIELDS, Punch
from app.store.ledger import Ledger
from app.store.records import event_body, newest
from app.store.roster_key import read_roster_key, roster_key_path, save_roster_key


@dataclass(frozen=True)
class RosterEntry:
    """One person from Central. Empty ``pin_index``: Central has no credential for them (this
    kiosk sent them up): the kiosk keeps its own PIN and badge. ``active`` false: HR
    deactivated them (or took them off this kiosk)."""

    name: str
    cpf: str
    pin_index: str
    pin_hash: str
    badge_index: str | None = None
    badge_hash: str | None = None
    active: bool = True


@dataclass(frozen=True)
class LocalEmployee:
    """An employee as this kiosk holds them, sent up to Central before the roster comes down."""

    name: str
    cpf: str
    active: bool
    since: str  # when this kiosk registered them (ISO)


@dataclass(frozen=True)
class RosterApplied:
    added: int
    updated: int
    deactivated: int


@dataclass(frozen=True)
class ChainHead:
    nsr: int  # 0: no record yet
    hash: str  # ledger chain hash of that record (GENESIS when none)


@dataclass(frozen=True)
class WireRecord:
    """One REP record as it travels to Central: exactly the fields the ledger hashed."""

    nsr: int
    kind: str  # "punch" or "event"
    body: dict[str, object]
    uuid: str
    audio_sha256: str = ""


def head(ledger: Ledger) -> ChainHead:
    """This kiosk's newest record of any kind: its NSR and ledger chain hash."""
    with ledger._db.read() as c:
        nsr, digest = newest(c, ledger.settings.kiosk_id, "hash")
    return ChainHead(nsr, digest)


def records_after(ledger: Ledger, after_nsr: int, limit: int = 200) -> list[WireRecord]:
    """This kiosk's punches and events with NSR > ``after_nsr``, in NSR order."""
    kiosk = ledger.settings.kiosk_id
    cols = ", ".join((*PUNCH_FIELDS, "prev_hash", "hash"))
    out: list[WireRecord] = []
    with ledger._db.read() as c:
        for r in c.execute(
            f"SELECT {cols} FROM punches WHERE kiosk_id = ? AND nsr > ? ORDER BY nsr LIMIT ?",
            (kiosk, after_nsr, limit),
        ):
            body = {k: r[k] for k in (*PUNCH_FIELDS, "prev_hash", "hash")}
            out.append(WireRecord(r["nsr"], "punch", body, r["uuid"], r["audio_sha256"]))
        for r in c.execute(
            "SELECT * FROM events WHERE kiosk_id = ? AND nsr > ? ORDER BY nsr LIMIT ?",
            (kiosk, after_nsr, limit),
        ):
            body = {**event_body(r), "prev_hash": r["prev_hash"], "hash": r["hash"]}
            out.append(WireRecord(r["nsr"], "event", body, r["uuid"]))
    return sorted(out, key=lambda w: w.nsr)[:limit]


def punches_after(ledger: Ledger, after_nsr: int, limit: int = 200) -> list[Punch]:
    """This kiosk's punches with NSR > ``after_nsr``, in NSR order."""
    cols = ", ".join((*PUNCH_FIELDS, "prev_hash", "hash", "mac"))
    with ledger._db.read() as c:
        rows = c.execute(
            f"SELECT {cols} FROM punches WHERE kiosk_id = ? AND nsr > ? ORDER BY nsr LIMIT ?",
            (ledger.settings.kiosk_id, after_nsr, limit),
        ).fetchall()
    return [
        Punch(**{k: bool(r[k]) if k in BOOL_FIELDS else r[k] for k in r.keys()})  # type: ignore[arg-type]  # noqa: SIM118 (Row iterates values)
        for r in rows
    ]


def local_employees(ledger: Ledger) -> list[LocalEmployee]:
    """Every employee this kiosk holds, by CPF (what it sends up to Central)."""
    with ledger._db.read() as c:
        rows = c.execute("SELECT name, cpf, active, created_at FROM employees ORDER BY cpf")
        return [
            LocalEmployee(r["name"], r["cpf"], bool(r["active"]), r["created_at"]) for r in rows
        ]


def hash_at(ledger: Ledger, nsr: int) -> str | None:
    """This kiosk's ledger hash of its record at ``nsr`` (punch or event); None when absent."""
    kiosk = ledger.settings.kiosk_id
    with ledger._db.read() as c:
        for table in ("punches", "events"):
            row = c.execute(
                f"SELECT hash FROM {table} WHERE kiosk_id = ? AND nsr = ?", (kiosk, nsr)
            ).fetchone()
            if row is not None:
                return str(row["hash"])
    return None


def hashed_fields(p: Punch) -> dict[str, object]:
    """A punch's fields exactly as the ledger hashed them (booleans as 0/1)."""
    return {
        **{k: int(getattr(p, k)) if k in BOOL_FIELDS else getattr(p, k) for k in PUNCH_FIELDS},
        "prev_hash": p.prev_hash,
        "hash": p.hash,
    }


def apply_roster(ledger: Ledger, entries: list[RosterEntry]) -> RosterApplied:
    """Merge Central's roster into this kiosk's employees (matched by CPF), in one transaction,
    through the ledger's employee rules: each row sealed with the kiosk key, and inclusions,
    name changes and exclusions recorded as AFD type-5 events. Only an entry marked inactive
    deactivates someone (never deleted: their punches keep pointing at them); employees the
    roster does not name are left as they are, so an empty or partial roster erases nobody."""
    emps = ledger.employees
    stamp = ledger.now().isoformat(timespec="seconds")
    added = updated = deactivated = 0
    with emps._db.write() as c:
        current = {r["cpf"]: r for r in c.execute("SELECT * FROM employees").fetchall()}
        for e in entries:  # leavers first: two people may swap PINs
            row = current.get(e.cpf)
            if e.active or row is None or not row["active"]:
                continue
            c.execute(
                "UPDATE employees SET active = 0, updated_at = ? WHERE id = ?", (stamp, row["id"])
            )
            emps._seal(c, row["id"])
            emps._event(c, "E", e.cpf, row["name"], "")
            deactivated += 1
        for e in entries:
            if not e.active:
                continue
            row = current.get(e.cpf)
            values = (e.name, e.pin_index, e.pin_hash, e.badge_index, e.badge_hash)
            if not e.pin_index and row is not None and not row["active"]:
                continue  # deactivated here, and Central has no credential for them: stays off
            if not e.pin_index and row is not None:  # no credential in Central: keep ours
                values = (e.name, row["pin_index"], row["pin_hash"], row["badge_index"],
                          row["badge_hash"])  # fmt: skip
            if row is None:
                cur = c.execute(
                    "INSERT INTO employees (name, pin_index, pin_hash, badge_index, badge_hash,"
                    " cpf, active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)",
                    (*values, e.cpf, stamp, stamp),
                )
                emps._seal(c, int(cur.lastrowid or 0))
                emps._event(c, "I", e.cpf, e.name, "")
                added += 1
                continue
            fields = ("name", "pin_index", "pin_hash", "badge_index", "badge_hash")
            if tuple(row[k] for k in fields) == values and row["active"]:
                continue
            c.execute(
                "UPDATE employees SET name = ?, pin_index = ?, pin_hash = ?, badge_index = ?,"
                " badge_hash = ?, active = 1, updated_at = ? WHERE id = ?",
                (*values, stamp, row["id"]),
            )
            emps._seal(c, row["id"])
            if not row["active"]:
                emps._event(c, "I", e.cpf, e.name, "")
            elif row["name"] != e.name:
                emps._event(c, "A", e.cpf, e.name, "")
            updated += 1
    return RosterApplied(added, updated, deactivated)


__all__ = [
    "EVENT_FIELDS",
    "ChainHead",
    "LocalEmployee",
    "RosterApplied",
    "RosterEntry",
    "WireRecord",
    "apply_roster",
    "hash_at",
    "hashed_fields",
    "head",
    "local_employees",
    "punches_after",
    "read_roster_key",
    "records_after",
    "roster_key_path",
    "save_roster_key",
]
