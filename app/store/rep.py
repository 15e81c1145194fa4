"""The REP-P records other than punches (AFD types 2, 4, 6; type 5 comes from employee
changes in `app.store.employees`) and the typed reader the AFD exporter builds on.

One REP = one kiosk ledger (docs/LEDGER-INTEGRITY.md): readers never mix kiosks, and a ledger
holding several refuses to list records unless told which kiosk (never duplicate NSRs).
"""

from __future__ import annotations

import heapq
import sqlite3
from datetime import date, datetime

from app.rep.records import SENSITIVE_CODES, Punch, RepEvent, RepRecord
from app.store.db import Database
from app.store.employees import author_or_blank
from app.store.errors import ErrorCode, LedgerError
from app.store.models import Head
from app.store.records import (
    PUNCH_SELECT,
    RepSequence,
    event_from,
    kiosks,
    newest,
    punch_from,
    readable_time,
)
from app.store.settings import LedgerSettings

_DATE = "[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]"


class RepLog:
    def __init__(self, db: Database, seq: RepSequence) -> None:
        self._db = db
        self._seq = seq

    def records(
        self, start: date | None = None, end: date | None = None, kiosk_id: str | None = None
    ) -> list[RepRecord]:
        """Every REP record of one kiosk (punches: type 7, events: types 2/4/5/6) dated within
        [start, end] (punches by punch date, events by recording date), ordered by NSR."""
        lo = start.isoformat() if start else "0000-00-00"
        hi = end.isoformat() if end else "9999-99-99"
        with self._db.read() as c:
            kiosk = self._rep_kiosk(c, kiosk_id)
            # A row whose date is not a date is selected too, so that it fails loudly
            # (`_checked`) instead of silently falling out of every period.
            prows = c.execute(
                f"{PUNCH_SELECT} WHERE p.kiosk_id = ? AND (substr(p.punched_at, 1, 10)"
                f" BETWEEN ? AND ? OR p.punched_at NOT GLOB '{_DATE}*') ORDER BY p.nsr",
                (kiosk, lo, hi),
            ).fetchall()
            erows = c.execute(
                "SELECT * FROM events WHERE kiosk_id = ? AND (substr(recorded_at, 1, 10)"
                f" BETWEEN ? AND ? OR recorded_at NOT GLOB '{_DATE}*') ORDER BY nsr",
                (kiosk, lo, hi),
            ).fetchall()
        punches = [_checked(punch_from(r)) for r in prows]
        events = [_checked(event_from(r)) for r in erows]
        return list(heapq.merge(punches, events, key=lambda r: r.nsr))

    def kiosks(self) -> list[str]:
        with self._db.read() as c:
            return kiosks(c)

    def _rep_kiosk(self, c: sqlite3.Connection, kiosk_id: str | None) -> str:
        if kiosk_id:
            return kiosk_id
        held = kiosks(c)
        if len(held) > 1:
            raise LedgerError(
                f"estes registros têm marcações de vários terminais ({', '.join(held)}); cada "
                "terminal é um REP com a sua sequência de NSR: exporte um terminal por vez",
                ErrorCode.MIXED_LEDGER,
            )
        return held[0] if held else self._seq.kiosk_id

    def record_employer(self, s: LedgerSettings, author_cpf: str = "") -> RepEvent | None:
        """Type 2 when the employer data differ from the last one recorded (else None)."""
        digits = "".join(ch for ch in s.employer_id if ch.isdigit())
        if len(digits) not in (11, 14):
            raise LedgerError(
                "o CNPJ/CPF do empregador não está configurado", ErrorCode.EVENT_INVALID
            )
        fields = {
            "id_type": "1" if len(digits) == 14 else "2",
            "employer_id": digits,
            "cno_caepf": "".join(ch for ch in s.cno_caepf if ch.isdigit()),
            "name": s.employer_name,
            "place": s.place,
            "author_cpf": author_or_blank(author_cpf),
        }
        with self._db.write() as c:
            row = c.execute(
                "SELECT * FROM events WHERE kiosk_id = ? AND kind = 'employer'"
                " ORDER BY nsr DESC LIMIT 1",
                (self._seq.kiosk_id,),
            ).fetchone()
            if row is not None:
                before = dict(event_from(row).fields)
                if {**before, "author_cpf": ""} == {**fields, "author_cpf": ""}:
                    return None
            return self._seq.append_event(c, "employer", fields)

    def record_clock_adjustment(
        self, before: datetime, after: datetime, author_cpf: str = ""
    ) -> RepEvent:
        """Type 4: the device clock was set from ``before`` to ``after`` (by the admin, or a
        jump the kiosk noticed: then ``author_cpf`` is "")."""
        if before.tzinfo is None or after.tzinfo is None:
            raise LedgerError(
                "as horas do ajuste de relógio precisam ter fuso horário", ErrorCode.TIME_INVALID
            )
        fields = {
            "before": before.isoformat(timespec="seconds"),
            "after": after.isoformat(timespec="seconds"),
            "author_cpf": author_or_blank(author_cpf),
        }
        with self._db.write() as c:
            return self._seq.append_event(c, "clock", fields)

    def record_sensitive_event(self, code: str) -> RepEvent:
        """Type 6: "02" power return, "07" service available, "08" service unavailable."""
        if code not in SENSITIVE_CODES:
            raise LedgerError(
                f"código de evento sensível desconhecido {code!r}; um REP-P usa "
                f"{', '.join(sorted(SENSITIVE_CODES))}",
                ErrorCode.EVENT_INVALID,
            )
        with self._db.write() as c:
            return self._seq.append_event(c, "sensitive", {"code": code})

    def head(self) -> Head:
        """(NSR, MAC) of this kiosk's newest record; (0, "") for an empty ledger."""
        with self._db.read() as c:
            return Head(*newest(c, self._seq.kiosk_id, "mac"))


def _checked(record: RepRecord) -> RepRecord:
    """Exports need readable times: a tampered value is a clear LedgerCorruptError."""
    readable_time(record.nsr, "recorded_at", record.recorded_at)
    if isinstance(record, Punch):
        readable_time(record.nsr, "punched_at", record.punched_at)
    elif record.kind == "clock":
        readable_time(record.nsr, "before", record.fields.get("before"))
        readable_time(record.nsr, "after", record.fields.get("after"))
    return record
