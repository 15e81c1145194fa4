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

from sqlalchemy import Connection, insert, select, text, update

from app.central.models import Employee, Kiosk, KioskEvent, Punch, PunchAudio
from app.central.schemas import Head, PunchIn
from app.store.chain import afd_hash, afd_type7_body, record_hash
from app.store.ledger import PUNCH_FIELDS

_PUNCH = Punch.__table__
_KIOSK = Kiosk.__table__


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


def ingest(
    conn: Connection, kiosk_id: int, punches: list[PunchIn], reported: Head | None
) -> IngestResult:
    kiosk = conn.execute(select(_KIOSK).where(_KIOSK.c.id == kiosk_id).with_for_update()).one()
    result = IngestResult()
    batch = {p.uuid: p for p in sorted(punches, key=lambda p: p.nsr)}
    if batch:
        nsrs = [p.nsr for p in batch.values()]
        held_rows = conn.execute(
            select(_PUNCH.c.uuid, _PUNCH.c.nsr, _PUNCH.c.hash, _PUNCH.c.kiosk_id).where(
                _PUNCH.c.uuid.in_(list(batch))
                | ((_PUNCH.c.kiosk_id == kiosk_id) & _PUNCH.c.nsr.in_(nsrs))
            )
        ).all()
        by_uuid = {r.uuid: r for r in held_rows}
        by_nsr = {r.nsr: r for r in held_rows if r.kiosk_id == kiosk_id}
        taken: set[int] = set()
        for uuid, p in list(batch.items()):
            same = by_uuid.get(uuid)
            other = by_nsr.get(p.nsr)
            if same is not None and same.kiosk_id == kiosk_id and same.hash == p.hash:
                result.duplicates += 1
            elif (
                same is not None
                or other is not None
                or p.nsr in taken
                or p.kiosk_id != kiosk.ledger_kiosk_id
            ):
                result.conflicts += 1
                _event(conn, kiosk_id, "conflict", _conflict_detail(p, kiosk.ledger_kiosk_id))
            else:
                taken.add(p.nsr)
                continue
            del batch[uuid]
    rows = [_row(kiosk_id, p) for p in batch.values()]
    if rows:
        cpfs = {r["cpf"] for r in rows}
        emp = dict(
            conn.execute(select(Employee.cpf, Employee.id).where(Employee.cpf.in_(cpfs))).all()
        )
        for r in rows:
            r["employee_id"] = emp.get(r["cpf"])
    head_nsr, head_hash, head_afd = kiosk.head_nsr, kiosk.head_hash, kiosk.head_afd_hash
    # punches held from before that wait for a missing NSR (rare: only after a lost batch)
    waiting = (
        conn.execute(select(_PUNCH).where(_PUNCH.c.kiosk_id == kiosk_id, _PUNCH.c.nsr > head_nsr))
        .mappings()
        .all()
    )
    pending = {r["nsr"]: dict(r) for r in waiting}
    new_by_nsr = {r["nsr"]: r for r in rows}
    pending.update(new_by_nsr)
    relinked: list[tuple[int, bool, str]] = []
    while head_nsr + 1 in pending:
        r = pending.pop(head_nsr + 1)
        problem = r.get("_record_problem", "") or link_problem(r, head_hash, head_afd)
        if r["nsr"] in new_by_nsr:
            r["chain_ok"], r["chain_problem"] = not problem, problem
        else:
            relinked.append((r["id"], not problem, problem))
        if problem:
            _event(conn, kiosk_id, "chain", f"NSR {r['nsr']}: {problem}")
        head_nsr, head_hash, head_afd = r["nsr"], r["hash"], r["afd_hash"]
    for r in rows:
        if "chain_ok" not in r:
            r["chain_ok"] = False
            r["chain_problem"] = r["_record_problem"] or f"aguardando NSR {head_nsr + 1}"
    if rows:
        audio = [r.pop("_audio") for r in rows]
        for r in rows:
            r.pop("_record_problem")
        ids = (
            conn.execute(insert(_PUNCH).returning(_PUNCH.c.id, sort_by_parameter_order=True), rows)
            .scalars()
            .all()
        )
        blobs = [{"punch_id": i, "data": a} for i, a in zip(ids, audio, strict=True) if a]
        if blobs:
            conn.execute(insert(PunchAudio.__table__), blobs)
    for pid, ok, problem in relinked:
        conn.execute(
            update(_PUNCH).where(_PUNCH.c.id == pid).values(chain_ok=ok, chain_problem=problem)
        )
    values: dict = {"head_nsr": head_nsr, "head_hash": head_hash, "head_afd_hash": head_afd}
    if reported is not None:
        values.update(reported_nsr=reported.nsr, reported_hash=reported.hash)
        _check_reported(conn, kiosk_id, reported, head_nsr, head_hash)
    conn.execute(update(_KIOSK).where(_KIOSK.c.id == kiosk_id).values(**values))
    result.accepted = len(rows)
    result.head_nsr, result.head_hash = head_nsr, head_hash
    result.gaps = gaps(conn, kiosk_id) if pending or waiting else []
    return result


def gaps(conn: Connection, kiosk_id: int) -> list[list[int]]:
    """[first, last] NSR ranges missing below the highest NSR Central holds for this kiosk."""
    rows = conn.execute(
        text(
            "SELECT prev + 1, nsr - 1 FROM (SELECT nsr, coalesce(lag(nsr) OVER (ORDER BY nsr), 0)"
            " AS prev FROM punches WHERE kiosk_id = :k) s WHERE nsr > prev + 1 ORDER BY 1"
        ),
        {"k": kiosk_id},
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
            select(_PUNCH.c.hash).where(_PUNCH.c.kiosk_id == kiosk_id, _PUNCH.c.nsr == reported.nsr)
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


def _conflict_detail(p: PunchIn, ledger_kiosk_id: str) -> str:
    why = (
        f"o quiosque enviou kiosk_id {p.kiosk_id!r}, cadastrado como {ledger_kiosk_id!r}"
        if p.kiosk_id != ledger_kiosk_id
        else f"NSR {p.nsr} ou uuid {p.uuid} já recebidos com outro conteúdo"
    )
    return why + " | registro: " + json.dumps(p.model_dump(exclude={"audio"}), ensure_ascii=False)


def _event(conn: Connection, kiosk_id: int, kind: str, detail: str) -> None:
    conn.execute(insert(KioskEvent.__table__).values(kiosk_id=kiosk_id, kind=kind, detail=detail))
