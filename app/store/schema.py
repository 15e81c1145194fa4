"""Schema migrations, numbered by SQLite's ``user_version``.

Append new steps; never edit old ones."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping

# Python steps run inside a version's transaction, after its SQL (e.g. MACs need the key).
Hooks = Mapping[int, Callable[[sqlite3.Connection], None]]

_V1 = """
CREATE TABLE employees (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    cpf TEXT NOT NULL UNIQUE,
    pin_index TEXT NOT NULL,
    pin_hash TEXT NOT NULL,
    badge_index TEXT,
    badge_hash TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX employees_pin ON employees(pin_index);
CREATE INDEX employees_badge ON employees(badge_index);

CREATE TABLE punches (
    kiosk_id TEXT NOT NULL,
    nsr INTEGER NOT NULL,
    uuid TEXT NOT NULL UNIQUE,
    employee_id INTEGER NOT NULL REFERENCES employees(id),
    employee_name TEXT NOT NULL,
    cpf TEXT NOT NULL,
    type TEXT NOT NULL,
    punched_at TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    expected TEXT NOT NULL,
    transcript TEXT NOT NULL,
    validated INTEGER NOT NULL,
    method TEXT NOT NULL,
    tries INTEGER NOT NULL,
    flagged INTEGER NOT NULL,
    flag_reason TEXT NOT NULL,
    offline INTEGER NOT NULL,
    audio_sha256 TEXT NOT NULL,
    afd_hash TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (kiosk_id, nsr)
);
CREATE INDEX punches_employee ON punches(employee_id, punched_at);
CREATE INDEX punches_time ON punches(punched_at);
CREATE TRIGGER punches_no_update BEFORE UPDATE ON punches
BEGIN SELECT RAISE(ABORT, 'punches are append-only: add a correction instead'); END;
CREATE TRIGGER punches_no_delete BEFORE DELETE ON punches
BEGIN SELECT RAISE(ABORT, 'punches are append-only: add a correction instead'); END;

CREATE TABLE corrections (
    seq INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    punch_uuid TEXT NOT NULL REFERENCES punches(uuid),
    created_at TEXT NOT NULL,
    author TEXT NOT NULL,
    note TEXT NOT NULL,
    new_type TEXT,
    new_punched_at TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE TRIGGER corrections_no_update BEFORE UPDATE ON corrections
BEGIN SELECT RAISE(ABORT, 'corrections are append-only'); END;
CREATE TRIGGER corrections_no_delete BEFORE DELETE ON corrections
BEGIN SELECT RAISE(ABORT, 'corrections are append-only'); END;

-- At most one cloud verdict per punch: the primary key makes recording idempotent.
CREATE TABLE cloud_verdicts (
    punch_uuid TEXT PRIMARY KEY REFERENCES punches(uuid),
    validated INTEGER NOT NULL,
    spoken_text TEXT NOT NULL,
    received_at TEXT NOT NULL
);

CREATE TABLE outbox (
    punch_uuid TEXT PRIMARY KEY REFERENCES punches(uuid),
    nsr INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox(state, nsr);

-- Voice audio: kept only while the cloud still needs it or while retention allows.
CREATE TABLE audio (
    punch_uuid TEXT PRIMARY KEY REFERENCES punches(uuid),
    data BLOB NOT NULL,
    stored_at TEXT NOT NULL,
    keep_until TEXT NOT NULL
);
"""

# v2: REP-P events sharing the punches' NSR sequence, keyed MACs on every protected row,
# write-once cloud verdicts, and a meta table (ledger id, key check).
_V2 = """
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE events (
    kiosk_id TEXT NOT NULL,
    nsr INTEGER NOT NULL,
    uuid TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('employer', 'clock', 'employee', 'sensitive')),
    recorded_at TEXT NOT NULL,
    fields TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    mac TEXT NOT NULL,
    PRIMARY KEY (kiosk_id, nsr)
);
CREATE INDEX events_time ON events(recorded_at);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'REP records are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'REP records are append-only'); END;

ALTER TABLE punches ADD COLUMN mac TEXT NOT NULL DEFAULT '';
ALTER TABLE corrections ADD COLUMN mac TEXT NOT NULL DEFAULT '';
ALTER TABLE employees ADD COLUMN mac TEXT NOT NULL DEFAULT '';
ALTER TABLE cloud_verdicts ADD COLUMN mac TEXT NOT NULL DEFAULT '';

CREATE TRIGGER cloud_verdicts_no_update BEFORE UPDATE ON cloud_verdicts
BEGIN SELECT RAISE(ABORT, 'cloud verdicts are write-once'); END;
CREATE TRIGGER cloud_verdicts_no_delete BEFORE DELETE ON cloud_verdicts
BEGIN SELECT RAISE(ABORT, 'cloud verdicts are write-once'); END;
"""

# v3: security alerts the kiosk raises (PIN guessing, a vanished or emptied ledger) for the
# sync to carry to Central; ``sent_at`` is set once Central has them. Each row has a keyed MAC.
_V3 = """
CREATE TABLE security_alerts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL,
    mac TEXT NOT NULL,
    sent_at TEXT
);
CREATE INDEX security_alerts_unsent ON security_alerts(sent_at, id);
"""

MIGRATIONS: tuple[str, ...] = (_V1, _V2, _V3)
SCHEMA_VERSION = len(MIGRATIONS)


def triggers() -> dict[str, str]:
    """Every append-only trigger the schema defines, name -> whitespace-normalised SQL."""
    found: dict[str, str] = {}
    for script in MIGRATIONS:
        for statement in _split(script):
            words = statement.split()
            if words[:2] == ["CREATE", "TRIGGER"]:
                found[words[2]] = " ".join(words).rstrip(";")
    return found


def version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, hooks: Hooks | None = None) -> int:
    """Bring the database to SCHEMA_VERSION, one transaction per step. Returns the version."""
    current = version(conn)
    if current > SCHEMA_VERSION:
        from app.store.errors import ErrorCode, LedgerError

        raise LedgerError(
            f"os registros usam o esquema v{current}, mais novo que o deste PontoVoz "
            f"(v{SCHEMA_VERSION}): atualize o programa",
            ErrorCode.SCHEMA_NEWER,
        )
    for number in range(current + 1, SCHEMA_VERSION + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _split(MIGRATIONS[number - 1]):
                conn.execute(statement)
            if hooks and number in hooks:
                hooks[number](conn)
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return SCHEMA_VERSION


def _split(script: str) -> list[str]:
    """Split a script into statements, keeping trigger bodies whole."""
    statements, buf = [], ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--"):
            continue
        buf += line
        if sqlite3.complete_statement(buf):
            statements.append(buf.strip())
            buf = ""
    return [s for s in statements if s]
