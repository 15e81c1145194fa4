"""Records arriving from a kiosk: Central *holds* a record only when it chains (its own hash
recomputes from its fields and its ``prev_hash`` is the hash Central holds at NSR-1, GENESIS for
NSR 1; punches also link on the AFD type-7 chain). Everything else is quarantined
(``quarantined_records``, kept whole with both hashes, an event for HR/IT): it is never a punch
and never moves the kiosk's head, so a record forged with a kiosk's token cannot displace the
real one at that NSR. A record that arrives after a missing NSR waits in quarantine (``gap``)
and is held as soon as it chains. Held records are stored once (idempotent by uuid).

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
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Float,
    Numeric,
    Table,
    func,
    insert,
    literal,
    literal_column,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert

from app.central.kiosk_status import KioskStatus
from app.central.models import (
    GENESIS,
    Employee,
    Kiosk,
    KioskEvent,
    Punch,
    PunchAudio,
    QuarantinedRecord,
    RepEventRow,
)
from app.central.schemas import Divergence, EventIn, Head, PunchIn
from app.rep.chain import afd_hash, afd_type7_body, record_hash
from app.rep.records import EVENT_FIELDS, PUNCH_FIELDS

_PUNCH = cast(Table, Punch.__table__)
_KIOSK = cast(Table, Kiosk.__table__)
_EVENT = cast(Table, RepEventRow.__table__)
_QUARANTINE = cast(Table, QuarantinedRecord.__table__)
WAITING = "aguardando NSR"
RECORD_HASH_BAD = "hash do registro não confere com os campos (alterado ou danificado)"
LINK_BAD = "elo com o registro anterior não confere com o que a Central guarda no NSR anterior"
DIVERGENCES_SHOWN = 50


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


def record_problem(p: PunchIn) -> str:
    """Empty when the record's own hash matches its fields (the kiosk hashed what it sent)."""
    fields = {k: getattr(p, k) for k in PUNCH_FIELDS}
    return "" if record_hash(p.prev_hash, fields) == p.hash else RECORD_HASH_BAD


def link_problem(row: dict, prev_hash: str, prev_afd: str | None) -> str:
    """Empty when ``row`` links to the previous record of its kiosk on both chains."""
    if row["prev_hash"] != prev_hash:
        return LINK_BAD
    try:
        body = afd_type7_body(
            row["nsr"], row["punched_at"], row["cpf"], row["recorded_at"], bool(row["offline"])
        )
    except (ValueError, TypeError) as exc:
        return f"campos do AFD ilegíveis ({exc})"
    if afd_hash(prev_afd, body) != row["afd_hash"]:
        return "hash do AFD não confere com o da marcação anterior"
    return ""


def _candidate_problem(c: _Candidate, head_hash: str, head_afd: str | None) -> str:
    if c.kind == "punch":
        return link_problem(c.row, head_hash, head_afd)
    return "" if c.row["prev_hash"] == head_hash else LINK_BAD


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
        for table in (_PUNCH, _EVENT):
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


class _Quarantine:
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
        stmt = pg_insert(_QUARANTINE).values(list(self.rows.values()))
        ex = stmt.excluded
        upsert = stmt.on_conflict_do_update(
            constraint="quarantine_kiosk_nsr_hash",
            set_={
                "last_at": func.now(),
                "times": _QUARANTINE.c.times + 1,
                "reason": ex.reason,
                "problem": ex.problem,
                "expected_prev": ex.expected_prev,
                "held_hash": ex.held_hash,
            },
        ).returning(
            _QUARANTINE.c.nsr,
            _QUARANTINE.c.reason,
            _QUARANTINE.c.problem,
            _QUARANTINE.c.hash,
            _QUARANTINE.c.expected_prev,
            _QUARANTINE.c.held_hash,
            literal_column("(xmax = 0)").label("inserted"),
        )
        for r in conn.execute(upsert).all():
            if r.inserted and r.reason != "gap":  # new, not just waiting: tell HR/IT once
                _event(conn, self.kiosk_id, "quarantine", quarantine_detail(r))


def quarantine_detail(r: Any) -> str:
    """One line with the kiosk's NSR, the problem and both hashes (pt-BR)."""
    parts = [f"NSR {r.nsr} em quarentena: {r.problem}", f"hash recebido {r.hash}"]
    if r.held_hash:
        parts.append(f"a Central guarda neste NSR {r.held_hash}")
    if r.expected_prev:
        parts.append(f"a Central guarda no NSR anterior {r.expected_prev}")
    return "; ".join(parts)


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
    quarantine = _Quarantine(kiosk_id)
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
        row = _row(kiosk_id, x) if kind == "punch" else _event_row(kiosk_id, x)
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
            update(_QUARANTINE)
            .where(_QUARANTINE.c.id.in_(resolved), _QUARANTINE.c.reason == "gap")
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
        _check_reported(conn, kiosk_id, reported, head_nsr, head_hash)
    if values:
        conn.execute(update(_KIOSK).where(_KIOSK.c.id == kiosk_id).values(**values))
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
        select(_QUARANTINE).where(
            _QUARANTINE.c.kiosk_id == kiosk.id,
            _QUARANTINE.c.reason == "gap",
            _QUARANTINE.c.resolved_at.is_(None),
            _QUARANTINE.c.nsr > kiosk.head_nsr,
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
                row = _row(kiosk.id, PunchIn(**record))
                row.pop("_audio", None)
            else:
                row = _event_row(kiosk.id, EventIn(**record))
        except ValueError:
            continue
        if row.pop("_record_problem"):
            continue
        mine.append(_Candidate(q["kind"], row, record, "quarantine", q["id"]))
    for kind, table in (("punch", _PUNCH), ("event", _EVENT)):  # legacy rows stored waiting
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
                insert(_PUNCH).returning(_PUNCH.c.id, sort_by_parameter_order=True), punch_rows
            ).scalars()
            blobs = [{"punch_id": i, "data": a} for i, a in zip(ids, audio, strict=True) if a]
            conn.execute(insert(cast(Table, PunchAudio.__table__)), blobs)
        else:
            conn.execute(insert(_PUNCH), punch_rows)
    if event_rows:
        conn.execute(insert(_EVENT), event_rows)


def _set_stored(conn: Connection, c: _Candidate, ok: bool, problem: str) -> None:
    """A row stored waiting (before quarantine existed): Central's own chain verdict on it."""
    table = _PUNCH if c.kind == "punch" else _EVENT
    conn.execute(
        update(table).where(table.c.id == c.ref).values(chain_ok=ok, chain_problem=problem)
    )


def _event_row(kiosk_id: int, e: EventIn) -> dict:
    body = {k: getattr(e, k) for k in EVENT_FIELDS}
    problem = "" if record_hash(e.prev_hash, body) == e.hash else RECORD_HASH_BAD
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


def divergences(conn: Connection, kiosk_id: int) -> list[Divergence]:
    """This kiosk's quarantined records that HR has not acknowledged (waiting ones aside)."""
    rows = conn.execute(
        select(_QUARANTINE)
        .where(
            _QUARANTINE.c.kiosk_id == kiosk_id,
            _QUARANTINE.c.reason != "gap",
            _QUARANTINE.c.resolved_at.is_(None),
            _QUARANTINE.c.acknowledged_at.is_(None),
        )
        .order_by(_QUARANTINE.c.nsr, _QUARANTINE.c.id)
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


def _event(conn: Connection, kiosk_id: int, kind: str, detail: str) -> None:
    conn.execute(
        insert(cast(Table, KioskEvent.__table__)).values(
            kiosk_id=kiosk_id, kind=kind, detail=detail
        )
    )
