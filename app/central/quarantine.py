"""Records Central will not hold (``quarantined_records``): written once per batch by the
ingest, kept whole with both hashes, and shown back to the kiosk as divergences until HR
acknowledges them. A record that only waits for a missing NSR (reason ``gap``) is quarantined
too but is no divergence: it is held as soon as it chains.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, func, insert, literal_column, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from app.central.models import KIOSK_EVENT_TABLE, QUARANTINE_TABLE
from app.central.schemas import Divergence

DIVERGENCES_SHOWN = 50


class QuarantineBatch:
    """Collects the records of a batch that Central will not hold, then writes them once
    (upsert by kiosk, NSR and hash: a record resent every pass is one row, counted)."""

    def __init__(self, kiosk_id: int) -> None:
        self.kiosk_id = kiosk_id
        self.rows: dict[tuple[int, str], dict] = {}

    def add(self, kind: str, record: dict, reason: str, problem: str, **hashes: str | None):
        self.rows[(int(record["nsr"]), str(record["hash"]))] = {
            "kiosk_id": self.kiosk_id,
            "nsr": int(record["nsr"]),
            "kind": kind,
            "uuid": str(record["uuid"])[:36],
            "reason": reason,
            "problem": problem,
            "hash": str(record["hash"]),
            "prev_hash": str(record["prev_hash"]),
            "expected_prev": hashes.get("expected_prev"),
            "held_hash": hashes.get("held_hash"),
            "record": json.dumps(record, ensure_ascii=False, sort_keys=True),
        }

    def write(self, conn: Connection) -> None:
        if not self.rows:
            return
        stmt = pg_insert(QUARANTINE_TABLE).values(list(self.rows.values()))
        ex = stmt.excluded
        upsert = stmt.on_conflict_do_update(
            constraint="quarantine_kiosk_nsr_hash",
            set_={
                "last_at": func.now(),
                "times": QUARANTINE_TABLE.c.times + 1,
                "reason": ex.reason,
                "problem": ex.problem,
                "expected_prev": ex.expected_prev,
                "held_hash": ex.held_hash,
            },
        ).returning(
            QUARANTINE_TABLE.c.nsr,
            QUARANTINE_TABLE.c.reason,
            QUARANTINE_TABLE.c.problem,
            QUARANTINE_TABLE.c.hash,
            QUARANTINE_TABLE.c.expected_prev,
            QUARANTINE_TABLE.c.held_hash,
            literal_column("(xmax = 0)").label("inserted"),
        )
        for r in conn.execute(upsert).all():
            if r.inserted and r.reason != "gap":  # new, not just waiting: tell HR/IT once
                conn.execute(
                    insert(KIOSK_EVENT_TABLE).values(
                        kiosk_id=self.kiosk_id, kind="quarantine", detail=quarantine_detail(r)
                    )
                )


def quarantine_detail(r: Any) -> str:
    """One line with the kiosk's NSR, the problem and both hashes (pt-BR)."""
    parts = [f"NSR {r.nsr} em quarentena: {r.problem}", f"hash recebido {r.hash}"]
    if r.held_hash:
        parts.append(f"a Central guarda neste NSR {r.held_hash}")
    if r.expected_prev:
        parts.append(f"a Central guarda no NSR anterior {r.expected_prev}")
    return "; ".join(parts)


def divergences(conn: Connection, kiosk_id: int) -> list[Divergence]:
    """This kiosk's quarantined records that HR has not acknowledged (waiting ones aside)."""
    rows = conn.execute(
        select(QUARANTINE_TABLE)
        .where(
            QUARANTINE_TABLE.c.kiosk_id == kiosk_id,
            QUARANTINE_TABLE.c.reason != "gap",
            QUARANTINE_TABLE.c.resolved_at.is_(None),
            QUARANTINE_TABLE.c.acknowledged_at.is_(None),
        )
        .order_by(QUARANTINE_TABLE.c.nsr, QUARANTINE_TABLE.c.id)
        .limit(DIVERGENCES_SHOWN)
    ).mappings()
    return [
        Divergence(
            nsr=r["nsr"],
            reason=r["reason"],
            problem=r["problem"],
            hash=r["hash"],
            held_hash=r["held_hash"],
            expected_prev=r["expected_prev"],
        )
        for r in rows
    ]
