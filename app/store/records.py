"""One NSR sequence per REP (= per kiosk ledger) shared by every record kind: punches (AFD
type 7) and events (types 2, 4, 5, 6). Both live in their own append-only tables but chain
into one ledger chain in NSR order: each record's ``prev_hash`` is the hash of the record
before it, whatever its kind. New NSRs start above the high-water mark, so deleted NSRs are
never handed out again."""

from __future__ import annotations

import json
import logging
import sqlite3
import uuid as uuidlib
from collections.abc import Callable, Mapping
from datetime import datetime

from app.rep.chain import GENESIS, record_hash
from app.rep.records import BOOL_FIELDS, EVENT_FIELDS, PUNCH_FIELDS, EventKind, Punch, RepEvent
from app.store.db import Database
from app.store.errors import ErrorCode, LedgerCorruptError, LedgerError
from app.store.highwater import HighWater, Mark
from app.store.keys import LedgerKey, canonical

log = logging.getLogger(__name__)

PUNCH_SELECT = (
    "SELECT p.*, c.validated AS cloud_validated, c.spoken_text AS cloud_text "
    "FROM punches p LEFT JOIN cloud_verdicts c ON c.punch_uuid = p.uuid"
)


class RepSequence:
    """Allocates NSRs, appends events, and moves the high-water mark after each COMMIT."""

    def __init__(
        self,
        db: Database,
        key: LedgerKey,
        highwater: HighWater,
        ledger_id: str,
        kiosk_id: str,
        now: Callable[[], datetime],
        responsible: Callable[[], str] = lambda: "",
    ) -> None:
        self.db = db
        self.responsible = responsible  # CPF of who answers for the REP (settings)
        self.key = key
        self.highwater = highwater
        self.ledger_id = ledger_id
        self.kiosk_id = kiosk_id
        self.now = now

    def allocate(self, c: sqlite3.Connection) -> tuple[int, str]:
        """(next NSR, prev_hash) inside the caller's write transaction."""
        nsr, prev = newest(c, self.kiosk_id, "hash")
        return max(nsr, self.highwater.floor(self.kiosk_id)) + 1, prev

    def acknowledge(self, nsr: int, mac: str) -> None:
        """Raise the high-water mark once the current transaction has committed."""

        def advance() -> None:
            try:
                self.highwater.advance(self.ledger_id, self.kiosk_id, Mark(nsr, mac))
            except OSError as exc:  # the record is committed: keep it, say so loudly
                log.error("cannot update the high-water file %s: %s", self.highwater.path, exc)

        self.db.after_commit(advance)

    def append_event(
        self, c: sqlite3.Connection, kind: EventKind, fields: Mapping[str, str]
    ) -> RepEvent:
        nsr, prev = self.allocate(c)
        stamp = self.now().isoformat(timespec="seconds")
        if "author_cpf" in fields and not fields["author_cpf"]:
            # Types 2, 4, 5 name a responsible CPF: when no person was identified (a clock
            # jump the kiosk noticed, Central's roster) it is the REP's responsible person.
            fields = {**fields, "author_cpf": self.responsible()}
        body: dict[str, object] = {
            "kiosk_id": self.kiosk_id,
            "nsr": nsr,
            "uuid": str(uuidlib.uuid4()),
            "kind": kind,
            "recorded_at": stamp,
            "fields": dict(fields),
        }
        digest = record_hash(prev, body)
        mac = self.key.mac("event", digest)
        c.execute(
            "INSERT INTO events (kiosk_id, nsr, uuid, kind, recorded_at, fields, prev_hash,"
            " hash, mac) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (self.kiosk_id, nsr, body["uuid"], kind, stamp, canonical(fields), prev, digest, mac),
        )
        self.acknowledge(nsr, mac)
        return RepEvent(
            nsr, self.kiosk_id, str(body["uuid"]), kind, stamp, dict(fields), prev, digest, mac
        )


def newest(c: sqlite3.Connection, kiosk_id: str, column: str) -> tuple[int, str]:
    """(NSR, ``column``) of a kiosk's newest record of any kind: ``column`` "hash" gives the
    chain link (GENESIS when none), "mac" the head that sync carries ("" when none)."""
    best = (0, GENESIS if column == "hash" else "")
    for table in ("punches", "events"):
        row = c.execute(
            f"SELECT nsr, {column} FROM {table} WHERE kiosk_id = ? ORDER BY nsr DESC LIMIT 1",
            (kiosk_id,),
        ).fetchone()
        if row and row[0] > best[0]:
            best = (int(row[0]), str(row[1]))
    return best


def event_body(row: sqlite3.Row) -> dict[str, object]:
    """The hashed fields of a stored event row (``fields`` parsed back from JSON)."""
    body = {k: row[k] for k in EVENT_FIELDS}
    body["fields"] = json.loads(row["fields"])
    return body


def event_from(row: sqlite3.Row) -> RepEvent:
    try:
        fields = json.loads(row["fields"])
        if not isinstance(fields, dict):
            raise ValueError("not an object")
    except ValueError as exc:
        raise LedgerCorruptError(
            f"o registro do REP NSR {row['nsr']} tem campos ilegíveis; rode "
            "'python -m app ledger verify' e restaure os registros da cópia de segurança",
            ErrorCode.CORRUPT,
        ) from exc
    return RepEvent(
        nsr=row["nsr"],
        kiosk_id=row["kiosk_id"],
        uuid=row["uuid"],
        kind=row["kind"],
        recorded_at=row["recorded_at"],
        fields={str(k): str(v) for k, v in fields.items()},
        prev_hash=row["prev_hash"],
        hash=row["hash"],
        mac=row["mac"],
    )


_TIME_LABELS = {  # stored time fields, as the error names them
    "recorded_at": "a hora de gravação",
    "punched_at": "a hora da marcação",
    "before": "a hora anterior do ajuste de relógio",
    "after": "a hora nova do ajuste de relógio",
}


def readable_time(nsr: int, name: str, value: object) -> datetime:
    """Parse a stored timestamp for an export; a tampered value is a clear error."""
    try:
        dt = datetime.fromisoformat(str(value))
        if dt.tzinfo is None:
            raise ValueError("no UTC offset")
        return dt
    except ValueError as exc:
        raise LedgerCorruptError(
            f"o registro NSR {nsr} tem {_TIME_LABELS.get(name, name)} ilegível ({value!r}): os "
            "registros foram editados ou danificados. Rode 'python -m app ledger verify' e "
            "restaure-os da cópia de segurança",
            ErrorCode.CORRUPT,
        ) from exc


def require_punch(c: sqlite3.Connection, punch_uuid: str) -> None:
    """Refuse a record about a punch this ledger does not hold (a correction, a verdict)."""
    if not c.execute("SELECT 1 FROM punches WHERE uuid = ?", (punch_uuid,)).fetchone():
        raise LedgerError(f"nenhuma marcação com o uuid {punch_uuid}", ErrorCode.PUNCH_UNKNOWN)


def kiosks(c: sqlite3.Connection) -> list[str]:
    rows = c.execute("SELECT kiosk_id FROM punches UNION SELECT kiosk_id FROM events ORDER BY 1")
    return [r[0] for r in rows]


def punch_from(row: sqlite3.Row) -> Punch:
    d = {k: row[k] for k in (*PUNCH_FIELDS, "prev_hash", "hash", "mac")}
    for key in BOOL_FIELDS:
        d[key] = bool(d[key])
    cloud = row["cloud_validated"]
    return Punch(
        **d,
        cloud_validated=None if cloud is None else bool(cloud),
        cloud_text=row["cloud_text"],
    )
