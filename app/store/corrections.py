"""Corrections: annotations on a punch (who, why, the corrected values), never edits.
Append-only (triggers), chained in their own sequence, each with a keyed MAC."""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Callable
from datetime import datetime

from app.rep.chain import GENESIS, record_hash
from app.store.db import Database
from app.store.errors import ErrorCode, LedgerError
from app.store.keys import LedgerKey
from app.store.models import PUNCH_TYPES, Correction
from app.store.records import require_punch

CORRECTION_FIELDS = (
    "seq", "uuid", "punch_uuid", "created_at", "author", "note", "new_type", "new_punched_at",
)  # fmt: skip


class Corrections:
    def __init__(self, db: Database, key: LedgerKey, now: Callable[[], datetime]) -> None:
        self._db = db
        self._key = key
        self._now = now

    def add(
        self,
        punch_uuid: str,
        author: str,
        note: str,
        new_type: str | None = None,
        new_punched_at: datetime | None = None,
    ) -> Correction:
        """Annotate a punch (the punch itself never changes): a new chained record."""
        if not note.strip() or not author.strip():
            raise LedgerError(
                "uma correção precisa de autor e de uma observação com o motivo",
                ErrorCode.CORRECTION_INVALID,
            )
        if new_type is not None and new_type not in PUNCH_TYPES:
            raise LedgerError(
                f"tipo de marcação desconhecido {new_type!r}", ErrorCode.PUNCH_TYPE_UNKNOWN
            )
        with self._db.write() as c:
            require_punch(c, punch_uuid)
            last = c.execute(
                "SELECT seq, hash FROM corrections ORDER BY seq DESC LIMIT 1"
            ).fetchone()
            fields: dict[str, object] = {
                "seq": last["seq"] + 1 if last else 1,
                "uuid": str(uuidlib.uuid4()),
                "punch_uuid": punch_uuid,
                "created_at": self._now().isoformat(timespec="seconds"),
                "author": author.strip(),
                "note": note.strip(),
                "new_type": new_type,
                "new_punched_at": new_punched_at.isoformat(timespec="seconds")
                if new_punched_at
                else None,
            }
            prev = last["hash"] if last else GENESIS
            digest = record_hash(prev, fields)
            mac = self._key.mac("correction", digest)
            cols = (*CORRECTION_FIELDS, "prev_hash", "hash", "mac")
            marks = ", ".join("?" * len(cols))
            c.execute(
                f"INSERT INTO corrections ({', '.join(cols)}) VALUES ({marks})",
                (*(fields[k] for k in CORRECTION_FIELDS), prev, digest, mac),
            )
            return Correction(**fields, prev_hash=prev, hash=digest, mac=mac)  # type: ignore[arg-type]

    def list(self, punch_uuid: str | None = None) -> list[Correction]:
        with self._db.read() as c:
            if punch_uuid:
                rows = c.execute(
                    "SELECT * FROM corrections WHERE punch_uuid = ? ORDER BY seq", (punch_uuid,)
                ).fetchall()
            else:
                rows = c.execute("SELECT * FROM corrections ORDER BY seq").fetchall()
            return [Correction(**dict(r)) for r in rows]
