"""A kiosk's upload read into the rows Central would store (``punches``, ``rep_events``), each
with the verdict on its own hash: the record must recompute from the fields it carries before
Central looks at how it links (that is `app.central.ingest`). Bad audio or an unreadable time
is a problem of the record, never an error of the request: the record is quarantined whole.

A row's ``_record_problem`` (pt-BR, "" when none) and a punch's ``_audio`` (decoded bytes) are
not columns: the ingest pops them before storing.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from datetime import datetime

from app.central.schemas import EventIn, PunchIn
from app.rep.chain import record_hash
from app.rep.records import EVENT_FIELDS, PUNCH_FIELDS

RECORD_HASH_BAD = "hash do registro não confere com os campos (alterado ou danificado)"


def record_problem(p: PunchIn) -> str:
    """Empty when the record's own hash matches its fields (the kiosk hashed what it sent)."""
    fields = {k: getattr(p, k) for k in PUNCH_FIELDS}
    return "" if record_hash(p.prev_hash, fields) == p.hash else RECORD_HASH_BAD


def punch_row(kiosk_id: int, p: PunchIn) -> dict:
    """The ``punches`` row for ``p``, its audio decoded and checked against its hash."""
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


def event_row(kiosk_id: int, e: EventIn) -> dict:
    """The ``rep_events`` row for ``e`` (employer, employee, clock and sensitive events)."""
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
