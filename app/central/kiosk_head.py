"""A kiosk's head as Central holds it (the last NSR it holds without a gap): the batch that may
move it claims the kiosk's row first, what is missing above it is reported as gaps, and the head
the kiosk itself reports must agree with what Central holds at that NSR."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Connection,
    Float,
    Numeric,
    func,
    insert,
    literal,
    select,
    text,
    update,
)

from app.central.kiosk_status import KioskStatus
from app.central.models import EVENT_TABLE, KIOSK_EVENT_TABLE, KIOSK_TABLE, PUNCH_TABLE
from app.central.schemas import Head


def claim(
    conn: Connection,
    token_hash: str,
    kiosk_time: datetime | None,
    status: KioskStatus | None = None,
):
    """Authenticate and lock the kiosk in one statement (its batches then run one at a time),
    noting when it was seen, its clock offset and what it reported about itself (``status``).
    None when the token is unknown."""
    offset = func.extract("epoch", literal(kiosk_time) - func.now()) if kiosk_time else None
    values: dict = {"last_seen_at": func.now(), **(status.values(func.now()) if status else {})}
    if offset is not None:
        values["clock_offset_s"] = func.round(offset.cast(Numeric), 3).cast(Float)
    return conn.execute(
        update(KIOSK_TABLE)
        .where(KIOSK_TABLE.c.token_hash == token_hash)
        .values(**values)
        .returning(KIOSK_TABLE)
    ).first()


def gaps(conn: Connection, kiosk_id: int, head_nsr: int) -> list[list[int]]:
    """[first, last] NSR ranges missing below the highest NSR Central received for this kiosk
    (records waiting in quarantine, or stored waiting before it). Everything up to the head is
    contiguous by definition, so only the rest is scanned."""
    rows = conn.execute(
        text(
            "SELECT prev + 1, nsr - 1 FROM (SELECT nsr, coalesce(lag(nsr) OVER (ORDER BY nsr),"
            " :h) AS prev FROM (SELECT nsr FROM punches WHERE kiosk_id = :k AND nsr > :h"
            " UNION ALL SELECT nsr FROM rep_events WHERE kiosk_id = :k AND nsr > :h"
            " UNION ALL SELECT nsr FROM quarantined_records WHERE kiosk_id = :k AND nsr > :h"
            " AND reason = 'gap' AND resolved_at IS NULL) a) s"
            " WHERE nsr > prev + 1 ORDER BY 1"
        ),
        {"k": kiosk_id, "h": head_nsr},
    ).all()
    return [[int(a), int(b)] for a, b in rows]


def check_reported(
    conn: Connection, kiosk_id: int, reported: Head, head_nsr: int, head_hash: str
) -> None:
    """The kiosk's own head must match what Central anchored for the same NSR; a kiosk event
    for HR/IT when it does not (its ledger was rewritten or restored)."""
    if reported.nsr > head_nsr or reported.nsr == 0:
        return
    held = (
        head_hash
        if reported.nsr == head_nsr
        else conn.execute(
            select(PUNCH_TABLE.c.hash)
            .where(PUNCH_TABLE.c.kiosk_id == kiosk_id, PUNCH_TABLE.c.nsr == reported.nsr)
            .union_all(
                select(EVENT_TABLE.c.hash).where(
                    EVENT_TABLE.c.kiosk_id == kiosk_id, EVENT_TABLE.c.nsr == reported.nsr
                )
            )
        ).scalar()
    )
    if held is not None and held != reported.hash:
        conn.execute(
            insert(KIOSK_EVENT_TABLE).values(
                kiosk_id=kiosk_id,
                kind="head_mismatch",
                detail=f"o quiosque informou NSR {reported.nsr} com hash {reported.hash[:12]}, mas"
                f" a Central guarda {held[:12]}: o livro do quiosque foi reescrito ou restaurado",
            )
        )
