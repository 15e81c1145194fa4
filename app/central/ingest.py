"""Records arriving from a kiosk: Central *holds* a record only when it chains (its own hash
recomputes from its fields and its ``prev_hash`` is the hash Central holds at NSR-1, GENESIS for
NSR 1; punches also link on the AFD type-7 chain). Everything else is quarantined
(``quarantined_records``, kept whole with both hashes, an event for HR/IT): it is never a punch
and never moves the kiosk's head, so a record forged with a kiosk's token cannot displace the
real one at that NSR. A record that arrives after a missing NSR waits in quarantine (``gap``)
and is held as soon as it chains. Held records are stored once (idempotent by uuid).

One transaction per batch, the kiosk's row locked first (`app.central.kiosk_head.claim`) so two
batches of the same kiosk cannot interleave; batches of different kiosks run in parallel. Each
record is read into its row with its own hash checked (`app.central.ingest_rows`); here it is
linked to what Central holds and held, or handed to the quarantine (`app.central.quarantine`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from app.central.ingest_rows import event_row, punch_row
from app.central.kiosk_head import check_reported, gaps
from app.central.models import (
    EVENT_TABLE,
    GENESIS,
    KIOSK_TABLE,
    PUNCH_AUDIO_TABLE,
    PUNCH_TABLE,
    QUARANTINE_TABLE,
    Employee,
)
from app.central.quarantine import QuarantineBatch, divergences
from app.central.schemas import Divergence, EventIn, Head, PunchIn
from app.rep.chain import punch_afd_hash

WAITING = "aguardando NSR"
LINK_BAD = "elo com o registro anterior não confere com o que a Central guarda no NSR anterior"


@dataclass
class IngestResult:
    accepted: int = 0
    duplicates: int = 0
    conflicts: int = 0
    quarantined: int = 0
    head_nsr: int = 0
    head_hash: str = ""
    gaps: list[list[int]] = field(default_factory=list)
    divergences: list[Divergence] = field(default_factory=list)


@dataclass
class _Candidate:
    """A record that may be held at its NSR once the chain reaches it."""

    kind: str  # punch | event
    row: dict  # the row for punches / rep_events
    record: dict  # the record as sent (no audio), for quarantine
    source: str = "fresh"  # fresh (this batch) | quarantine (waited) | stored (legacy row)
    ref: int | None = None  # quarantine or stored row id


def link_problem(row: dict, prev_hash: str, prev_afd: str | None) -> str:
    """Empty when ``row`` links to the previous record of its kiosk on both chains."""
    if row["prev_hash"] != prev_hash:
        return LINK_BAD
    try:
        expected = punch_afd_hash(row, prev_afd)
    except (ValueError, TypeError) as exc:
        return f"campos do AFD ilegíveis ({exc})"
    if expected != row["afd_hash"]:
        return "hash do AFD não confere com o da marcação anterior"
    return ""


def _candidate_problem(c: _Candidate, head_hash: str, head_afd: str | None) -> str:
    if c.kind == "punch":
        return link_problem(c.row, head_hash, head_afd)
    return "" if c.row["prev_hash"] == head_hash else LINK_BAD


class _Held:
    """What Central already holds that this batch touches: by uuid (any kiosk) and, for this
    kiosk, the hash at each NSR of the batch and the NSR before it."""

    def __init__(self, conn: Connection, kiosk_id: int, incoming: list[tuple[str, Any]]) -> None:
        self.by_uuid: dict[str, tuple[int, int, str]] = {}
        self.at: dict[int, str] = {}
        if not incoming:
            return
        uuids = [x.uuid for _, x in incoming]
        nsrs = {x.nsr for _, x in incoming} | {x.nsr - 1 for _, x in incoming}
        for table in (PUNCH_TABLE, EVENT_TABLE):
            rows = conn.execute(
                select(table.c.kiosk_id, table.c.nsr, table.c.uuid, table.c.hash).where(
                    table.c.uuid.in_(uuids)
                    | ((table.c.kiosk_id == kiosk_id) & table.c.nsr.in_(nsrs))
                )
            ).all()
            for k, nsr, uuid, digest in rows:
                self.by_uuid[uuid] = (k, nsr, digest)
                if k == kiosk_id:
                    self.at[nsr] = digest

    def prev(self, nsr: int) -> str | None:
        return GENESIS if nsr == 1 else self.at.get(nsr - 1)


def ingest(
    conn: Connection,
    kiosk,
    punches: list[PunchIn],
    reported: Head | None,
    events: list[EventIn] | None = None,
) -> IngestResult:
    """Hold what chains from a batch for ``kiosk`` (a locked row from `claim`), quarantine the
    rest, and move its head only over held records."""
    kiosk_id = kiosk.id
    result = IngestResult()
    incoming: list[tuple[str, Any]] = sorted(
        [("punch", p) for p in punches] + [("event", e) for e in events or []],
        key=lambda kx: kx[1].nsr,
    )
    held = _Held(conn, kiosk_id, incoming)
    quarantine = QuarantineBatch(kiosk_id)
    candidates: dict[int, list[_Candidate]] = {}
    for kind, x in incoming:
        record = x.model_dump(exclude={"audio"})
        same = held.by_uuid.get(x.uuid)
        if same is not None and same[0] == kiosk_id and same[2] == x.hash:
            result.duplicates += 1
            continue
        at = held.at.get(x.nsr)
        if x.kiosk_id != kiosk.ledger_kiosk_id:
            result.conflicts += 1
            why = (
                f"o quiosque enviou kiosk_id {x.kiosk_id!r}, mas foi cadastrado com"
                f" {kiosk.ledger_kiosk_id!r}: mudar o kiosk_id exige cadastrar o terminal de novo"
            )
            quarantine.add(kind, record, "kiosk_id", why, held_hash=at)
            continue
        if same is not None or at is not None:
            result.conflicts += 1
            why = (
                f"a Central já guarda outro registro no NSR {x.nsr}"
                if at is not None
                else f"o uuid {x.uuid} já foi recebido em outro registro"
            )
            quarantine.add(
                kind, record, "conflict", why, held_hash=at, expected_prev=held.prev(x.nsr)
            )
            continue
        row = punch_row(kiosk_id, x) if kind == "punch" else event_row(kiosk_id, x)
        own = row.pop("_record_problem")
        if own:
            result.quarantined += 1
            quarantine.add(kind, record, "hash", own, expected_prev=held.prev(x.nsr))
            row.pop("_audio", None)
            continue
        candidates.setdefault(x.nsr, []).append(_Candidate(kind, row, record))
    resolved = _waiting(conn, kiosk, candidates)

    head_nsr, head_hash, head_afd = kiosk.head_nsr, kiosk.head_hash, kiosk.head_afd_hash
    chosen_rows: list[_Candidate] = []
    while head_nsr + 1 in candidates:
        nsr = head_nsr + 1
        cands = candidates.pop(nsr)
        chosen = next((c for c in cands if not _candidate_problem(c, head_hash, head_afd)), None)
        if chosen is None:  # nothing here links to what Central holds at NSR-1
            for c in cands:
                problem = _candidate_problem(c, head_hash, head_afd)
                if c.source == "stored":
                    _set_stored(conn, c, False, problem)
                    continue
                result.quarantined += c.source == "fresh"
                quarantine.add(c.kind, c.record, "link", problem, expected_prev=head_hash)
            break
        chosen_rows.append(chosen)
        for c in cands:
            if c is chosen:
                continue
            if c.source == "stored":
                _set_stored(conn, c, False, f"a Central guarda outro registro no NSR {nsr}")
                continue
            if c.row["hash"] == chosen.row["hash"]:
                if c.ref is not None:
                    resolved.append(c.ref)
                continue
            result.conflicts += c.source == "fresh"
            why = f"a Central já guarda outro registro no NSR {nsr}"
            quarantine.add(
                c.kind, c.record, "conflict", why, held_hash=chosen.row["hash"],
                expected_prev=head_hash,
            )  # fmt: skip
        head_nsr, head_hash = nsr, chosen.row["hash"]
        if chosen.kind == "punch":
            head_afd = chosen.row["afd_hash"]
    for cands in candidates.values():  # after a missing NSR: wait, not held
        for c in cands:
            if c.source == "fresh":
                quarantine.add(c.kind, c.record, "gap", f"{WAITING} {head_nsr + 1}")

    _hold(conn, chosen_rows, resolved)
    quarantine.write(conn)
    if resolved:
        conn.execute(
            update(QUARANTINE_TABLE)
            .where(QUARANTINE_TABLE.c.id.in_(resolved), QUARANTINE_TABLE.c.reason == "gap")
            .values(resolved_at=func.now())
        )
    values: dict = {}
    if head_nsr != kiosk.head_nsr:
        values = {"head_nsr": head_nsr, "head_hash": head_hash, "head_afd_hash": head_afd}
    if reported is not None:
        values.update(reported_nsr=reported.nsr, reported_hash=reported.hash)
        # What the kiosk still holds after this batch: exact now, where X-Kiosk-Queue (set by
        # `claim`) counted what waited before the call
        values.update(queue_pending=max(0, reported.nsr - head_nsr), status_reported_at=func.now())
        check_reported(conn, kiosk_id, reported, head_nsr, head_hash)
    if values:
        conn.execute(update(KIOSK_TABLE).where(KIOSK_TABLE.c.id == kiosk_id).values(**values))
    result.accepted = sum(c.source == "fresh" for c in chosen_rows)
    result.head_nsr, result.head_hash = head_nsr, head_hash
    result.gaps = gaps(conn, kiosk_id, head_nsr)
    result.divergences = divergences(conn, kiosk_id)
    return result


def _waiting(conn: Connection, kiosk, candidates: dict[int, list[_Candidate]]) -> list[int]:
    """Add to ``candidates`` what waited after a missing NSR: quarantined ``gap`` records and
    rows stored waiting before quarantine existed. A fresh copy of the same record goes first
    (it carries the audio) and resolves the waiting row when held. Returns the list that
    collects the quarantine rows to mark resolved."""
    resolved: list[int] = []
    rows = conn.execute(
        select(QUARANTINE_TABLE).where(
            QUARANTINE_TABLE.c.kiosk_id == kiosk.id,
            QUARANTINE_TABLE.c.reason == "gap",
            QUARANTINE_TABLE.c.resolved_at.is_(None),
            QUARANTINE_TABLE.c.nsr > kiosk.head_nsr,
        )
    ).mappings()
    for q in rows:
        mine = candidates.setdefault(q["nsr"], [])
        same = next((c for c in mine if c.row["hash"] == q["hash"]), None)
        if same is not None:
            same.ref = q["id"]  # resolved if its fresh copy is held
            continue
        record = json.loads(q["record"])
        try:
            if q["kind"] == "punch":
                row = punch_row(kiosk.id, PunchIn(**record))
                row.pop("_audio", None)
            else:
                row = event_row(kiosk.id, EventIn(**record))
        except ValueError:
            continue
        if row.pop("_record_problem"):
            continue
        mine.append(_Candidate(q["kind"], row, record, "quarantine", q["id"]))
    # legacy rows stored waiting
    for kind, table in (("punch", PUNCH_TABLE), ("event", EVENT_TABLE)):
        stored = conn.execute(
            select(table).where(
                table.c.kiosk_id == kiosk.id,
                table.c.nsr > kiosk.head_nsr,
                table.c.chain_problem.startswith(WAITING),
            )
        ).mappings()
        for r in stored:
            row = dict(r)
            candidates.setdefault(row["nsr"], []).append(
                _Candidate(kind, row, row, "stored", row["id"])
            )
    return resolved


def _hold(conn: Connection, chosen: list[_Candidate], resolved: list[int]) -> None:
    """Store the records that chain (new ones, and ones that waited in quarantine)."""
    punch_rows: list[dict] = []
    event_rows: list[dict] = []
    for c in chosen:
        if c.source == "stored":
            _set_stored(conn, c, True, "")
            continue
        if c.ref is not None:  # it waited in quarantine (or a fresh copy of it did)
            resolved.append(c.ref)
        row = {**c.row, "chain_ok": True, "chain_problem": ""}
        (punch_rows if c.kind == "punch" else event_rows).append(row)
    if punch_rows:
        cpfs = {r["cpf"] for r in punch_rows}
        emp = dict(
            conn.execute(select(Employee.cpf, Employee.id).where(Employee.cpf.in_(cpfs))).all()
        )
        for r in punch_rows:
            r["employee_id"] = emp.get(r["cpf"])
        audio = [r.pop("_audio", None) for r in punch_rows]
        if any(audio):
            ids = conn.execute(
                insert(PUNCH_TABLE).returning(PUNCH_TABLE.c.id, sort_by_parameter_order=True),
                punch_rows,
            ).scalars()
            blobs = [{"punch_id": i, "data": a} for i, a in zip(ids, audio, strict=True) if a]
            conn.execute(insert(PUNCH_AUDIO_TABLE), blobs)
        else:
            conn.execute(insert(PUNCH_TABLE), punch_rows)
    if event_rows:
        conn.execute(insert(EVENT_TABLE), event_rows)


def _set_stored(conn: Connection, c: _Candidate, ok: bool, problem: str) -> None:
    """A row stored waiting (before quarantine existed): Central's own chain verdict on it."""
    table = PUNCH_TABLE if c.kind == "punch" else EVENT_TABLE
    conn.execute(
        update(table).where(table.c.id == c.ref).values(chain_ok=ok, chain_problem=problem)
    )
