"""Opening a ledger: the database, the kiosk key, the ledger id and the high-water file.

Order matters: the key is needed by the v2 migration (it MACs the rows written before MACs
existed) and is created only for a ledger with no data yet. A missing or wrong key with data
present stops here with a Brazilian Portuguese message (`keys`).
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.store import rollback, schema, vanished
from app.store.alert_log import AlertLog
from app.store.db import Database
from app.store.employees import employee_mac
from app.store.errors import ErrorCode, LedgerCorruptError
from app.store.highwater import HighWater, Mark, highwater_path
from app.store.keys import LedgerKey, load_key, wrong_key_error
from app.store.outbox import VERDICT_FIELDS, verdict_mac
from app.store.records import newest


@dataclass(frozen=True)
class Opened:
    db: Database
    key: LedgerKey
    ledger_id: str
    highwater: HighWater


def _has_data(c: sqlite3.Connection) -> bool:
    row = c.execute(
        "SELECT EXISTS(SELECT 1 FROM employees) OR EXISTS(SELECT 1 FROM punches)"
    ).fetchone()
    return bool(row[0])


def _meta(c: sqlite3.Connection, name: str) -> str | None:
    row = c.execute("SELECT value FROM meta WHERE key = ?", (name,)).fetchone()
    return str(row[0]) if row else None


def _reseal(c: sqlite3.Connection, table: str, trigger: str, pairs: list[tuple[str, str]]) -> None:
    """UPDATE mac on an append-only table: its update trigger is lifted for this one step."""
    c.execute(f"DROP TRIGGER {trigger}")
    c.executemany(f"UPDATE {table} SET mac = ? WHERE uuid = ?", pairs)
    c.execute(schema.triggers()[trigger])


def _backfill_v2(c: sqlite3.Connection, key: LedgerKey) -> None:
    """Give every row written by schema v1 its MAC (once, inside the v2 migration)."""
    punches = [(key.mac("punch", r["hash"]), r["uuid"]) for r in c.execute("SELECT * FROM punches")]
    _reseal(c, "punches", "punches_no_update", punches)
    corrections = [
        (key.mac("correction", r["hash"]), r["uuid"])
        for r in c.execute("SELECT * FROM corrections")
    ]
    _reseal(c, "corrections", "corrections_no_update", corrections)
    for row in c.execute("SELECT * FROM employees").fetchall():
        c.execute("UPDATE employees SET mac = ? WHERE id = ?", (employee_mac(key, row), row["id"]))
    verdicts = [
        (verdict_mac(key, {k: r[k] for k in VERDICT_FIELDS}), r["punch_uuid"])
        for r in c.execute("SELECT * FROM cloud_verdicts")
    ]
    c.execute("DROP TRIGGER cloud_verdicts_no_update")
    c.executemany("UPDATE cloud_verdicts SET mac = ? WHERE punch_uuid = ?", verdicts)
    c.execute(schema.triggers()["cloud_verdicts_no_update"])


def open_parts(path: Path, *, busy_timeout_s: float, tighten_dir: bool) -> Opened:
    found: dict[str, object] = {}

    def v2(c: sqlite3.Connection) -> None:
        legacy = _has_data(c)
        if legacy and highwater_path(path).exists():
            raise LedgerCorruptError(
                f"os registros {path} voltaram a um esquema antigo, mas o arquivo de controle "
                "de NSR (.nsr) existe (adulteração); restaure-os da cópia de segurança",
                ErrorCode.CORRUPT,
            )
        key = load_key(path, allow_create=not legacy)
        c.execute("INSERT INTO meta (key, value) VALUES ('ledger_id', ?)", (secrets.token_hex(16),))
        c.execute("INSERT INTO meta (key, value) VALUES ('key_check', ?)", (key.check_value(),))
        _backfill_v2(c, key)
        found.update(key=key, legacy=legacy)

    def v3(c: sqlite3.Connection) -> None:
        found.update(first_v3=True)  # this open makes the high-water mirror (`rollback`)

    vanished.refuse_if_missing(path)  # before anything is created beside the old witnesses
    db = Database.open(
        path, busy_timeout_s=busy_timeout_s, hooks={2: v2, 3: v3}, tighten_dir=tighten_dir
    )
    try:
        return _finish(db, path, found)
    except BaseException:
        db.close()
        raise


def _finish(db: Database, path: Path, found: dict[str, object]) -> Opened:
    with db.read() as c:
        check = _meta(c, "key_check")
        ledger_id = _meta(c, "ledger_id")
        has_data = _has_data(c)
    key = found.get("key")
    if not isinstance(key, LedgerKey):
        key = load_key(path, allow_create=not has_data and check is None)
    if check is None:
        with db.write() as c:
            c.execute("INSERT OR REPLACE INTO meta VALUES ('key_check', ?)", (key.check_value(),))
    elif check != key.check_value():
        raise wrong_key_error(key.path)
    if ledger_id is None:  # meta row deleted: verify reports the id mismatch
        ledger_id = "missing"
    highwater = HighWater(path, key)
    if not highwater.exists():
        _start_highwater(db, highwater, ledger_id, bool(found.get("legacy")))
    with db.read() as c:
        has_records = bool(
            c.execute(
                "SELECT EXISTS(SELECT 1 FROM punches) OR EXISTS(SELECT 1 FROM events)"
            ).fetchone()[0]
        )
    alert = _alert_once(db, key)
    vanished.refuse_if_emptied(has_records, highwater, alert)
    rollback.check_at_open(db, highwater, key, ledger_id, bool(found.get("first_v3")), alert)
    return Opened(db, key, ledger_id, highwater)


def _alert_once(db: Database, key: LedgerKey) -> Callable[[str, str, timedelta], None]:
    """Record a security alert unless the same kind was recorded within ``repeat_after``."""
    alerts = AlertLog(db, key, lambda: datetime.now(UTC))

    def record(kind: str, detail: str, repeat_after: timedelta) -> None:
        if not alerts.recent(kind, datetime.now(UTC) - repeat_after):
            alerts.record(kind, detail)

    return record


def _start_highwater(db: Database, hw: HighWater, ledger_id: str, legacy: bool) -> None:
    """A new ledger starts its file empty; one upgraded from v1 starts at its current heads.
    A ledger with records and no file is left alone: `ledger verify` reports it."""
    with db.read() as c:
        kiosks = [r[0] for r in c.execute("SELECT DISTINCT kiosk_id FROM punches")]
        has_records = bool(kiosks) or bool(c.execute("SELECT 1 FROM events LIMIT 1").fetchone())
        if has_records and not legacy:
            return
        marks = {kiosk: Mark(*newest(c, kiosk, "mac")) for kiosk in kiosks}
    hw.create(ledger_id, marks)
