"""The sync outbox: punches waiting for the cloud verdict, and the verdicts themselves.

`app.sync` uses only these methods (through `Ledger`), never SQL. The outbox is a work queue
(mutable, not chained: tampering with it can only cause a resend); a verdict is write-once
(trigger) and carries a keyed MAC like every protected row.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from app.store.db import Database
from app.store.keys import LedgerKey
from app.store.models import OutboxCounts, OutboxItem
from app.store.records import require_punch

VERDICT_FIELDS = ("punch_uuid", "validated", "spoken_text", "received_at")


def verdict_mac(key: LedgerKey, fields: dict[str, object]) -> str:
    return key.row_mac("cloud_verdict", {k: fields[k] for k in VERDICT_FIELDS})


class Outbox:
    def __init__(self, db: Database, key: LedgerKey, now: Callable[[], datetime]) -> None:
        self._db = db
        self._key = key
        self._now = now

    def due(self, now_epoch: float, limit: int = 50) -> list[OutboxItem]:
        """Pending items in NSR order whose retry time has come."""
        with self._db.read() as c:
            rows = c.execute(
                "SELECT o.punch_uuid, o.nsr, o.attempts, p.expected, a.data FROM outbox o"
                " JOIN punches p ON p.uuid = o.punch_uuid"
                " LEFT JOIN audio a ON a.punch_uuid = o.punch_uuid"
                " WHERE o.state = 'pending' AND o.next_attempt_at <= ? ORDER BY o.nsr LIMIT ?",
                (now_epoch, limit),
            ).fetchall()
        return [
            OutboxItem(
                r["punch_uuid"],
                r["nsr"],
                r["expected"],
                bytes(r["data"]) if r["data"] is not None else None,
                r["attempts"],
            )
            for r in rows
        ]

    def defer(self, punch_uuid: str, error: str, next_attempt_at: float) -> None:
        with self._db.write() as c:
            c.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?"
                " WHERE punch_uuid = ? AND state = 'pending'",
                (error, next_attempt_at, punch_uuid),
            )

    def defer_all(self, error: str, next_attempt_at: float) -> None:
        """Endpoint down: push every pending item back (keeps their order)."""
        with self._db.write() as c:
            c.execute(
                "UPDATE outbox SET last_error = ?, next_attempt_at = max(next_attempt_at, ?)"
                " WHERE state = 'pending'",
                (error, next_attempt_at),
            )

    def fail(self, punch_uuid: str, error: str) -> None:
        """The endpoint refused this item for good (4xx): park it, visible in the counts."""
        with self._db.write() as c:
            c.execute(
                "UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ?"
                " WHERE punch_uuid = ? AND state = 'pending'",
                (error, punch_uuid),
            )

    def retry_failed(self) -> int:
        with self._db.write() as c:
            return c.execute(
                "UPDATE outbox SET state = 'pending', next_attempt_at = 0 WHERE state = 'failed'"
            ).rowcount

    def retry_now(self) -> int:
        """Make every pending item due now (the sync settings were fixed: no need to wait)."""
        with self._db.write() as c:
            return c.execute(
                "UPDATE outbox SET next_attempt_at = 0 WHERE state = 'pending'"
            ).rowcount

    def counts(self) -> OutboxCounts:
        with self._db.read() as c:
            counts = dict(c.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall())
            nxt = c.execute(
                "SELECT min(next_attempt_at) FROM outbox WHERE state = 'pending'"
            ).fetchone()[0]
            err = c.execute(
                "SELECT last_error FROM outbox WHERE state != 'done' AND last_error != ''"
                " ORDER BY nsr LIMIT 1"
            ).fetchone()
        return OutboxCounts(
            pending=counts.get("pending", 0),
            done=counts.get("done", 0),
            failed=counts.get("failed", 0),
            next_attempt_at=nxt,
            last_error=err[0] if err else "",
        )

    def record_verdict(self, punch_uuid: str, validated: bool, spoken_text: str) -> bool:
        """Store the cloud verdict once (idempotent by punch UUID) and close its outbox item.
        Returns False when a verdict was already stored (the first one wins)."""
        now = self._now()
        fields: dict[str, object] = {
            "punch_uuid": punch_uuid,
            "validated": int(validated),
            "spoken_text": spoken_text,
            "received_at": now.isoformat(timespec="seconds"),
        }
        with self._db.write() as c:
            require_punch(c, punch_uuid)
            cur = c.execute(
                "INSERT OR IGNORE INTO cloud_verdicts (punch_uuid, validated, spoken_text,"
                " received_at, mac) VALUES (?, ?, ?, ?, ?)",
                (*fields.values(), verdict_mac(self._key, fields)),
            )
            c.execute(
                "UPDATE outbox SET state = 'done', last_error = '' WHERE punch_uuid = ?",
                (punch_uuid,),
            )
            c.execute(
                "DELETE FROM audio WHERE punch_uuid = ? AND keep_until <= ?",
                (punch_uuid, now.isoformat()),
            )
            return cur.rowcount == 1
