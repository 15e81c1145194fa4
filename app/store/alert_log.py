"""Security alerts the kiosk raises, kept in the ledger's ``security_alerts`` table until the
sync has carried them to Central (public interface: `app.store.alerts`).

Why in the ledger: an alert must survive restarts and reach HR/IT through the same sync that
carries punches. Each row carries a keyed MAC (kiosk key), so an alert edited without the key
reads as "adulterado" rather than passing as genuine; deleting rows cannot be detected here (the
table is not chained: it is churn, not the Portaria's record), which is why alerts go up to
Central as soon as it is reachable.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from app.store.db import Database
from app.store.keys import LedgerKey

MAX_DETAIL = 2000  # characters: a detail is a sentence or two, never a dump


@dataclass(frozen=True)
class SecurityAlert:
    """One alert: ``at`` ISO-8601 UTC, ``kind`` a stable code (e.g. "pin_guessing"),
    ``detail`` pt-BR text for HR/IT."""

    id: int
    at: str
    kind: str
    detail: str


class AlertLog:
    """Record, list the unsent, mark as sent. Writes go through the ledger's one connection."""

    def __init__(self, db: Database, key: LedgerKey, now: Callable[[], datetime]) -> None:
        self._db = db
        self._key = key
        self._now = now

    def record(self, kind: str, detail: str) -> SecurityAlert:
        kind = str(kind).strip()[:64] or "unknown"
        detail = _printable(str(detail))[:MAX_DETAIL]
        at = self._now().astimezone(UTC).isoformat(timespec="seconds")
        with self._db.write() as c:
            cur = c.execute(
                "INSERT INTO security_alerts (at, kind, detail, mac) VALUES (?, ?, ?, '')",
                (at, kind, detail),
            )
            alert = SecurityAlert(int(cur.lastrowid or 0), at, kind, detail)
            c.execute(
                "UPDATE security_alerts SET mac = ? WHERE id = ?", (self._mac(alert), alert.id)
            )
        return alert

    def unsent(self, limit: int = 100) -> list[SecurityAlert]:
        """Oldest first. A row whose MAC does not match is still returned (Central must hear
        of it), with its detail prefixed so nobody takes it at face value."""
        limit = max(1, min(int(limit), 1000))
        with self._db.read() as c:
            rows = c.execute(
                "SELECT * FROM security_alerts WHERE sent_at IS NULL ORDER BY id LIMIT ?",
                (limit,),
            ).fetchall()
        return [self._from_row(r) for r in rows]

    def mark_sent(self, ids: list[int]) -> None:
        if not ids:
            return
        stamp = self._now().astimezone(UTC).isoformat(timespec="seconds")
        with self._db.write() as c:
            c.executemany(
                "UPDATE security_alerts SET sent_at = ? WHERE id = ? AND sent_at IS NULL",
                [(stamp, int(i)) for i in ids],
            )

    def recent(self, kind: str, since: datetime) -> int:
        """How many alerts of ``kind`` were recorded since ``since`` (to avoid repeats)."""
        with self._db.read() as c:
            row = c.execute(
                "SELECT count(*) FROM security_alerts WHERE kind = ? AND at >= ?",
                (kind, since.astimezone(UTC).isoformat(timespec="seconds")),
            ).fetchone()
        return int(row[0])

    def _mac(self, alert: SecurityAlert) -> str:
        return self._key.row_mac(
            "security-alert",
            {"id": alert.id, "at": alert.at, "kind": alert.kind, "detail": alert.detail},
        )

    def _from_row(self, row: sqlite3.Row) -> SecurityAlert:
        alert = SecurityAlert(int(row["id"]), str(row["at"]), str(row["kind"]), str(row["detail"]))
        if row["mac"] != self._mac(alert):
            return SecurityAlert(
                alert.id,
                alert.at,
                alert.kind,
                "[alerta adulterado: a assinatura não confere] " + alert.detail,
            )
        return alert


def _printable(text: str) -> str:
    """No control characters in a detail (it is shown on terminals and web pages)."""
    return "".join(ch if ch.isprintable() else " " for ch in text)
