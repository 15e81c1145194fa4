"""AFD per kiosk from Central's copy of its punches, written by the kiosk's own AFD code
(``app.store.afd``): Central keeps every field the kiosk hashed, so the type-7 lines and their
SHA-256 chain come out exactly as the kiosk would write them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from app.central.models import Punch as PunchRow
from app.store.afd import build_afd
from app.store.models import Punch
from app.store.settings import LedgerSettings


def to_ledger_punch(r: PunchRow) -> Punch:
    return Punch(
        nsr=r.nsr, kiosk_id=r.ledger_kiosk_id, uuid=r.uuid, employee_id=r.kiosk_employee_id,
        employee_name=r.employee_name, cpf=r.cpf, type=r.type, punched_at=r.punched_at,
        recorded_at=r.recorded_at, expected=r.expected, transcript=r.transcript,
        validated=r.validated, method=r.method, tries=r.tries, flagged=r.flagged,
        flag_reason=r.flag_reason, offline=r.offline, audio_sha256=r.audio_sha256,
        afd_hash=r.afd_hash, prev_hash=r.prev_hash, hash=r.hash,
    )  # fmt: skip


def kiosk_afd(
    rows: Sequence[PunchRow],
    ledger_kiosk_id: str,
    employer_id: str,
    employer_name: str,
    inpi: str,
    first: date,
    last: date,
    generated_at: datetime,
) -> tuple[bytes, str]:
    """(file bytes, file name) for one kiosk's punches in [first, last], ordered by NSR."""
    settings = LedgerSettings(
        kiosk_id=ledger_kiosk_id or "01",
        employer_name=employer_name,
        employer_id=employer_id,
        rep_id=inpi,
    )
    data = build_afd([to_ledger_punch(r) for r in rows], settings, first, last, generated_at)
    return data, f"AFD{inpi}{employer_id}REP_P_{ledger_kiosk_id}.txt"
