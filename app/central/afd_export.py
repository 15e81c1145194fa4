"""A kiosk's AFD from Central's copy of its REP records, written by the kiosk's own AFD writer
(``app.rep.afd``), so that for the same period it holds the same type 2-7 lines as the file
the kiosk itself exports (``python -m app export --format afd``).

Central keeps every field the kiosk hashed: punches (type 7, with the SHA-256 chain as the
kiosk stored it and the time text with the kiosk's own UTC offset) and the REP events that
share their NSR sequence (types 2, 4, 5, 6, table ``rep_events``). Records are chosen as the
kiosk chooses them (``Ledger.rep_records``): punches by the date written in their punch time,
events by the date written in their recording time, both in the kiosk's own zone. The header
dates come from the records, the generation time is in the REP's zone, the name is the
official one, and the file must pass the project's own ``export check`` before it is served.
"""

from __future__ import annotations

import heapq
import json
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.central.models import Kiosk, Punch, RepEventRow
from app.rep import afd
from app.rep.afd_check import check_afd

DEFAULT_ZONE = "America/Sao_Paulo"


class AfdError(ValueError):
    """The AFD cannot be written or would not conform (pt-BR message for HR)."""


@dataclass(frozen=True)
class RepOwner:
    """What Central knows of the REP-P beyond the records: the employer on file (used when
    the period holds no type-2 record), the INPI registration and the developer."""

    employer_id: str
    employer_name: str
    inpi: str
    developer_id: str


def kiosk_zone(kiosk: Kiosk) -> ZoneInfo:
    """The kiosk's IANA zone (``kiosks.time_zone``); São Paulo for a row that has none."""
    try:
        return ZoneInfo(getattr(kiosk, "time_zone", None) or DEFAULT_ZONE)
    except (ValueError, KeyError):
        return ZoneInfo(DEFAULT_ZONE)


def _digits(value: str) -> str:
    return "".join(c for c in value if c.isdigit())


def rep_records(s: Session, kiosk_id: int, first: date, last: date) -> list[afd.Record]:
    """The kiosk's type 2-7 records dated within [first, last], in NSR order."""
    lo, hi = first.isoformat(), last.isoformat()
    cols = (Punch.nsr, Punch.punched_at, Punch.cpf, Punch.recorded_at, Punch.offline,
            Punch.afd_hash)  # fmt: skip
    punches = s.execute(
        select(*cols)
        .where(Punch.kiosk_id == kiosk_id, func.substr(Punch.punched_at, 1, 10).between(lo, hi))
        .order_by(Punch.nsr)
    ).all()
    events = s.execute(
        select(RepEventRow.nsr, RepEventRow.kind, RepEventRow.recorded_at, RepEventRow.fields)
        .where(
            RepEventRow.kiosk_id == kiosk_id,
            func.substr(RepEventRow.recorded_at, 1, 10).between(lo, hi),
        )
        .order_by(RepEventRow.nsr)
    ).all()
    typed: list[afd.Record] = [
        afd.PunchRecord(p.nsr, p.punched_at, p.cpf, p.recorded_at, p.offline, p.afd_hash)
        for p in punches
    ]
    made = [afd.event_record(e.nsr, e.kind, e.recorded_at, json.loads(e.fields)) for e in events]
    return list(heapq.merge(typed, made, key=lambda r: r.nsr))


def _employer_before(s: Session, kiosk_id: int, last: date) -> afd.EmployerRecord | None:
    """The kiosk's latest type-2 record up to ``last``: who the employer was for a period
    that holds none (else Central's employer on file)."""
    row = s.execute(
        select(RepEventRow.nsr, RepEventRow.kind, RepEventRow.recorded_at, RepEventRow.fields)
        .where(
            RepEventRow.kiosk_id == kiosk_id,
            RepEventRow.kind == "employer",
            func.substr(RepEventRow.recorded_at, 1, 10) <= last.isoformat(),
        )
        .order_by(RepEventRow.nsr.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    found = afd.event_record(row.nsr, row.kind, row.recorded_at, json.loads(row.fields))
    return found if isinstance(found, afd.EmployerRecord) else None


def kiosk_afd(
    s: Session, kiosk: Kiosk, owner: RepOwner, first: date, last: date, now: datetime
) -> tuple[bytes, str]:
    """(file bytes, official file name) of the kiosk's REP for [first, last]."""
    inpi = _digits(owner.inpi)
    if len(inpi) != 17 or set(inpi) == {"0"}:
        raise AfdError(
            "Cadastre o número de registro do REP-P no INPI (17 dígitos) em Exportações."
        )
    developer = owner.developer_id or afd.DEVELOPER_ID
    if len(_digits(developer)) not in (11, 14):
        raise AfdError("Cadastre o CNPJ/CPF do desenvolvedor do REP-P em Exportações.")
    try:
        records = rep_records(s, kiosk.id, first, last)
        latest = afd.employer_in(records) or _employer_before(s, kiosk.id, last)
        employer_id = latest.employer_id if latest else owner.employer_id
        name = latest.name if latest else owner.employer_name
        cno = latest.cno_caepf if latest else ""
        dates = [afd.record_date(r) for r in records] or [first, last]
        header = afd.Header(employer_id, name, inpi, min(dates), max(dates),
                            now.astimezone(kiosk_zone(kiosk)), developer, cno)  # fmt: skip
        data = afd.build_afd(header, records)
    except (ValueError, KeyError) as exc:
        raise AfdError(f"Um registro deste quiosque não cabe no leiaute do AFD: {exc}") from None
    file_name = afd.afd_file_name(inpi, employer_id)
    problems = check_afd(data, file_name=file_name).errors
    if problems:
        raise AfdError(
            "O AFD deste quiosque não passou na conferência do leiaute: "
            + "; ".join(p.text() for p in problems[:5])
        )
    return data, file_name
