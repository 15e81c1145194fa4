"""Punches arriving from a kiosk: store each once (idempotent by uuid), check both hash chains,
move the kiosk's anchor (head), and keep what does not fit as a visible event, never dropped.

One transaction per batch, the kiosk's row locked (``FOR UPDATE``) so two batches of the same
kiosk cannot interleave; batches of different kiosks run in parallel.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Float, Numeric, func, insert, literal, select, text, update

from app.central.models import Employee, Kiosk, KioskEvent, Punch, PunchAudio, RepEventRow
from app.central.schemas import EventIn, Head, PunchIn
from app.store.chain import afd_hash, afd_type7_body, record_hash
from app.store.records import PUNCH_FIELDS

if TYPE_CHECKING:  # service imports this module
    from app.central.service import KioskStatus

_PUNCH = Punch.__table__
_KIOSK = Kiosk.__table__
_EVENT = RepEventRow.__table__
EVENT_FIELDS = ("kiosk_id", "nsr", "uuid", "kind", "recorded_at", "fields")  # as the ledger


@dataclass
class IngestResult:
    accepted: int = 0
    duplicates: int = 0
    conflicts: int = 0
    head_nsr: int = 0
    head_hash: str = ""
    gaps: list[list[int]] = field(default_factory=list)


def record_problem(p: PunchIn) -> str:
    """Empty when the record's own hash matches its fields (the kiosk hashed what it sent)."""
    fields = {k: getattr(p, k) for k in PUNCH_FIELDS}
    if record_hash(p.prev_hash, fields) != p.hash:
        return "hash do registro não confere com os campos (alterado ou danificado)"
    return ""


def link_problem(row: dict, prev_hash: str, prev_afd: str | None) -> str:
    """Empty when ``row`` links to the previous record of its kiosk on both chains."""
    if row["prev_hash"] != prev_hash:
        return "elo com o registro anterior não confere"
    try:
        body = afd_type7_body(
            row["nsr"], row["punched_at"], row["cpf"], row["recorded_at"], bool(row["offline"])
        )
    except (ValueError, TypeError) as exc:
        return f"campos do AFD ilegíveis ({exc})"
    if afd_hash(prev_afd, body) != row["afd_hash"]:
        return "hash do AFD não confere"
    return ""


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
        update(_KIOSK).where(_KIOSK.c.token_hash == token_hash).values(**values).returning(_KIOSK)
    ).first()


def ingest(
    conn: Connection,
    kiosk,
    punches: list[PunchIn],
    reported: Head | None,
    events: list[EventIn] | None = None,
) -> IngestResult:
    """Store a batch for ``kiosk`` (a locked row from `claim`) and move its anchor. Punches
    and events share the kiosk's NSR sequence and ledger chain; the AFD chain links punches."""
    kiosk_id = kiosk.id
    result = IngestResult()
    incoming = sorted(
        [("punch", p) for p in punches] + [("event", e) for e in events or []],
        key=lambda kx: kx[1].nsr,
    )
    known: list[tuple[str, dict]] = []
    if incoming:  # one query per table: retries, NSRs taken, records waiting for a gap
        uuids, nsrs = [x.uuid for _, x in incoming], [x.nsr for _, x in incoming]
        for kind, table in (("punch", _PUNCH), ("event", _EVENT)):
            rows = conn.execute(
                select(table).where(
                    table.c.uuid.in_(uuids)
                    | (
                        (table.c.kiosk_id == kiosk_id)
                        & (table.c.nsr.in_(nsrs) | (table.c.nsr > kiosk.head_nsr))
                    )
                )
            ).mappings()
            known += [(kind, dict(r)) for r in rows]
    by_uuid = {r["uuid"]: r for _, r in known}
    by_nsr = {r["nsr"] for _, r in known if r["kiosk_id"] == kiosk_id}
    pending = {
        r["nsr"]: (k, r)
        for k, r in known
        if r["kiosk_id"] == kiosk_id and r["nsr"] > kiosk.head_nsr
    }
    fresh: list[tuple[str, dict]] = []
    for kind, x in incoming:
        same = by_uuid.get(x.uuid)
        if same is not None and same["kiosk_id"] == kiosk_id and same["hash"] == x.hash:
            result.duplicates += 1
        elif same is not None or x.nsr in by_nsr or x.kiosk_id != kiosk.ledger_kiosk_id:
            result.conflicts += 1
            _event(conn, kiosk_id, "conflict", _conflict_detail(x, kiosk.ledger_kiosk_id))
        else:
            by_nsr.add(x.nsr)
            fresh.append((kind, _row(kiosk_id, x) if kind == "punch" else _event_row(kiosk_id, x)))
    punch_rows = [r for k, r in fresh if k == "punch"]
    event_rows = [r for k, r in fresh if k == "event"]
    if punch_rows:
        cpfs = {r["cpf"] for r in punch_rows}
        emp = dict(
            conn.execute(select(Employee.cpf, Employee.id).where(Employee.cpf.in_(cpfs))).all()
        )
        for r in punch_rows:
            r["employee_id"] = emp.get(r["cpf"])
    new_nsrs = {r["nsr"] for _, r in fresh}
    pending.update({r["nsr"]: (k, r) for k, r in fresh})
    head_nsr, head_hash, head_afd = kiosk.head_nsr, kiosk.head_hash, kiosk.head_afd_hash
    relinked: list[tuple[str, int, bool, str]] = []
    while head_nsr + 1 in pending:
        kind, r = pending.pop(head_nsr + 1)
        own = r["_record_problem"] if "_record_problem" in r else _stored_problem(r)
        if own:
            problem = own
        elif kind == "punch":
            problem = link_problem(r, head_hash, head_afd)
        else:
            problem = (
                "" if r["prev_hash"] == head_hash else "elo com o registro anterior não confere"
            )
        if r["nsr"] in new_nsrs:
            r["chain_ok"], r["chain_problem"] = not problem, problem
        else:
            relinked.append((kind, r["id"], not problem, problem))
        if problem:
            _event(conn, kiosk_id, "chain", f"NSR {r['nsr']}: {problem}")
        head_nsr, head_hash = r["nsr"], r["hash"]
        if kind == "punch":
            head_afd = r["afd_hash"]
    for _, r in fresh:
        if "chain_ok" not in r:
            r["chain_ok"] = False
            r["chain_problem"] = r["_record_problem"] or f"{WAITING} {head_nsr + 1}"
        r.pop("_record_problem")
    _insert(conn, punch_rows, event_rows)
    for kind, rid, ok, problem in relinked:
        table = _PUNCH if kind == "punch" else _EVENT
        conn.execute(
            update(table).where(table.c.id == rid).values(chain_ok=ok, chain_problem=problem)
        )
    values: dict = {}
    if head_nsr != kiosk.head_nsr:
        values = {"head_nsr": head_nsr, "head_hash": head_hash, "head_afd_hash": head_afd}
    if reported is not None:
        values.update(reported_nsr=reported.nsr, reported_hash=reported.hash)
        # What the kiosk still holds after this batch: exact now, where X-Kiosk-Queue (set by
        # `claim`) counted what waited before the call
        values.update(queue_pending=max(0, reported.nsr - head_nsr), status_reported_at=func.now())
        _check_reported(conn, kiosk_id, reported, head_nsr, head_hash)
    if values:
        conn.execute(update(_KIOSK).where(_KIOSK.c.id == kiosk_id).values(**values))
    result.accepted = len(fresh)
    result.head_nsr, result.head_hash = head_nsr, head_hash
    result.gaps = gaps(conn, kiosk_id, head_nsr) if pending else []
    return result


WAITING = "aguardando NSR"


def _stored_problem(row: dict) -> str:
    """A stored record's own problem (its hash), as opposed to waiting for a missing NSR."""
    problem = row.get("chain_problem", "")
    return "" if problem.startswith(WAITING) else problem


def _insert(conn: Connection, punch_rows: list[dict], event_rows: list[dict]) -> None:
    if punch_rows:
        audio = [r.pop("_audio") for r in punch_rows]
        if any(audio):
            ids = conn.execute(
                insert(_PUNCH).returning(_PUNCH.c.id, sort_by_parameter_order=True), punch_rows
            ).scalars()
            blobs = [{"punch_id": i, "data": a} for i, a in zip(ids, audio, strict=True) if a]
            conn.execute(insert(PunchAudio.__table__), blobs)
        else:
            conn.execute(insert(_PUNCH), punch_rows)
    if event_rows:
        conn.execute(insert(_EVENT), event_rows)


def _event_row(kiosk_id: int, e: EventIn) -> dict:
    body = {k: getattr(e, k) for k in EVENT_FIELDS}
    problem = ""
    if record_hash(e.prev_hash, body) != e.hash:
        problem = "hash do registro não confere com os campos (alterado ou danificado)"
    return {
        "kiosk_id": kiosk_id,
        "nsr": e.nsr,
        "uuid": e.uuid,
        "ledger_kiosk_id": e.kiosk_id,
        "kind": e.kind,
        "recorded_at": e.recorded_at,
        "fields": json.dumps(e.fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")),
        "prev_hash": e.prev_hash,
        "hash": e.hash,
        "_record_problem": problem,
    }


def gaps(conn: Connection, kiosk_id: int, head_nsr: int) -> list[list[int]]:
    """[first, last] NSR ranges missing below the highest NSR Central holds for this kiosk.
    Everything up to the head is contiguous by definition, so only the rest is scanned."""
    rows = conn.execute(
        text(
            "SELECT prev + 1, nsr - 1 FROM (SELECT nsr, coalesce(lag(nsr) OVER (ORDER BY nsr),"
            " :h) AS prev FROM (SELECT nsr FROM punches WHERE kiosk_id = :k AND nsr > :h"
            " UNION ALL SELECT nsr FROM rep_events WHERE kiosk_id = :k AND nsr > :h) a) s"
            " WHERE nsr > prev + 1 ORDER BY 1"
        ),
        {"k": kiosk_id, "h": head_nsr},
    ).all()
    return [[int(a), int(b)] for a, b in rows]


def _check_reported(
    conn: Connection, kiosk_id: int, reported: Head, head_nsr: int, head_hash: str
) -> None:
    """The kiosk's own head must match what Central anchored for the same NSR."""
    if reported.nsr > head_nsr or reported.nsr == 0:
        return
    held = (
        head_hash
        if reported.nsr == head_nsr
        else conn.execute(
            select(_PUNCH.c.hash)
            .where(_PUNCH.c.kiosk_id == kiosk_id, _PUNCH.c.nsr == reported.nsr)
            .union_all(
                select(_EVENT.c.hash).where(
                    _EVENT.c.kiosk_id == kiosk_id, _EVENT.c.nsr == reported.nsr
                )
            )
        ).scalar()
    )
    if held is not None and held != reported.hash:
        _event(
            conn,
            kiosk_id,
            "head_mismatch",
            f"o quiosque informou NSR {reported.nsr} com hash {reported.hash[:12]}, mas a Central"
            f" guarda {held[:12]}: o livro do quiosque foi reescrito ou restaurado",
        )


def _row(kiosk_id: int, p: PunchIn) -> dict:
    audio = None
    problem = record_problem(p)
    if p.audio:
        try:
            audio = base64.b64decode(p.audio, validate=True)
        except (binascii.Error, ValueError):
            audio = None
        if audio is None or hashlib.sha256(audio).hexdigest() != p.audio_sha256:
            audio = None
            problem = problem or "áudio recebido não confere com o hash do registro"
    try:
        ts = datetime.fromisoformat(p.punched_at)
        if ts.tzinfo is None:
            raise ValueError("no UTC offset")
    except ValueError:
        ts = datetime.fromisoformat("1970-01-01T00:00:00+00:00")
        problem = problem or f"data/hora ilegível: {p.punched_at!r}"
    return {
        "kiosk_id": kiosk_id,
        "nsr": p.nsr,
        "uuid": p.uuid,
        "ledger_kiosk_id": p.kiosk_id,
        "kiosk_employee_id": p.employee_id,
        "employee_name": p.employee_name,
        "cpf": p.cpf,
        "type": p.type,
        "punched_at": p.punched_at,
        "punched_at_ts": ts,
        "recorded_at": p.recorded_at,
        "expected": p.expected,
        "transcript": p.transcript,
        "validated": bool(p.validated),
        "method": p.method,
        "tries": p.tries,
        "flagged": bool(p.flagged),
        "flag_reason": p.flag_reason,
        "offline": bool(p.offline),
        "audio_sha256": p.audio_sha256,
        "afd_hash": p.afd_hash,
        "prev_hash": p.prev_hash,
        "hash": p.hash,
        "_record_problem": problem,
        "_audio": audio,
    }


def _conflict_detail(p: PunchIn | EventIn, ledger_kiosk_id: str) -> str:
    why = (
        f"o quiosque enviou kiosk_id {p.kiosk_id!r}, cadastrado como {ledger_kiosk_id!r}"
        if p.kiosk_id != ledger_kiosk_id
        else f"NSR {p.nsr} ou uuid {p.uuid} já recebidos com outro conteúdo"
    )
    return why + " | registro: " + json.dumps(p.model_dump(exclude={"audio"}), ensure_ascii=False)


def _event(conn: Connection, kiosk_id: int, kind: str, detail: str) -> None:
    conn.execute(insert(KioskEvent.__table__).values(kiosk_id=kiosk_id, kind=kind, detail=detail))
