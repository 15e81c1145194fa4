"""AFD per kiosk from Central's copy of its punches, written by the kiosk's own AFD writer
(``app.store.afd``): Central keeps every field the kiosk hashed, so the type-7 lines carry the
SHA-256 chain exactly as the kiosk stored it.

Central holds the kiosk's punches only, not its other REP records (types 2, 4, 5, 6 share the
NSR sequence), so this file has type-7 records with NSR gaps where those were; the complete AFD
of a REP is the one the kiosk itself exports (``python -m app export --format afd``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Row

from app.store.afd import DEVELOPER_ID, Header, PunchRecord, afd_file_name, build_afd


class AfdError(ValueError):
    """The employer data cannot make a valid AFD header (pt-BR message)."""


def kiosk_afd(
    rows: Sequence[Row],  # nsr, punched_at, cpf, recorded_at, offline, afd_hash
    ledger_kiosk_id: str,
    employer_id: str,
    employer_name: str,
    inpi: str,
    first: date,
    last: date,
    generated_at: datetime,
) -> tuple[bytes, str]:
    """(file bytes, file name) for one kiosk's punches in [first, last], in NSR order."""
    if len("".join(c for c in inpi if c.isdigit())) != 17:
        raise AfdError(
            "Cadastre o número de registro do REP-P no INPI (17 dígitos) em Exportações."
        )
    header = Header(employer_id, employer_name, inpi, first, last, generated_at, DEVELOPER_ID)
    records = [
        PunchRecord(r.nsr, r.punched_at, r.cpf, r.recorded_at, r.offline, r.afd_hash) for r in rows
    ]
    name = afd_file_name(inpi, employer_id).removesuffix(".txt") + f"_{ledger_kiosk_id}.txt"
    return build_afd(header, records), name
