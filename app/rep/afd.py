"""AFD writer for a REP-P (Portaria MTP 671/2021, annex V, layout 003): records in, bytes out.

Pure functions over one small frozen dataclass per record type; widths and fill rules live in
`app.rep.afd_layout`. The file is ISO-8859-1, one record per CRLF-terminated line, ordered by
NSR: header (1), the REP's records of types 2, 4, 5, 6 and 7 in their one NSR sequence, the
trailer (9) and the line ``ASSINATURA_DIGITAL_EM_ARQUIVO_P7S`` that says the signature is in the
detached CAdES ``.p7s`` beside the file (`app.store.signing`). Types 1-5 carry a CRC-16/KERMIT;
type 7 the SHA-256 chain the ledger stored when the punch was made.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from app.rep.afd_layout import render, signature_line, type7_hash
from app.rep.records import Punch, RepRecord

# PontoVoz's developer (header fields 12-13). Set to the developer's CNPJ at release; the
# ``rep`` section of settings.json may override it (docs/COMPLIANCE.md).
DEVELOPER_ID = ""
COLLECTOR_KIOSK = "04"  # type 7 field 6: "dispositivo eletrônico"


def id_kind(identifier: str) -> str:
    """Layout code of an identifier: "1" CNPJ (14 digits), "2" CPF (11 digits)."""
    return "2" if len(_digits(identifier)) == 11 else "1"


def _digits(value: str) -> str:
    return "".join(c for c in value if c.isdigit())


@dataclass(frozen=True)
class Header:
    employer_id: str  # CNPJ or CPF
    employer_name: str
    inpi: str  # REP-P registration number at INPI, 17 digits
    first: date  # dates of the first and last record in the file
    last: date
    generated_at: datetime
    developer_id: str  # CNPJ or CPF of PontoVoz's developer
    cno_caepf: str = ""

    def line(self) -> str:
        if len(_digits(self.inpi)) != 17:
            raise ValueError("the INPI registration number must have 17 digits")
        return render("1", (
            "000000000", "1", id_kind(self.employer_id), self.employer_id, self.cno_caepf,
            self.employer_name, self.inpi, self.first, self.last, self.generated_at,
            "003", id_kind(self.developer_id), self.developer_id, "",
        ))  # fmt: skip


@dataclass(frozen=True)
class EmployerRecord:  # type 2
    nsr: int
    recorded_at: datetime | str
    author_cpf: str
    employer_id: str
    name: str
    place: str
    cno_caepf: str = ""

    def line(self) -> str:
        return render("2", (
            self.nsr, "2", self.recorded_at, self.author_cpf, id_kind(self.employer_id),
            self.employer_id, self.cno_caepf, self.name, self.place,
        ))  # fmt: skip


@dataclass(frozen=True)
class ClockRecord:  # type 4
    nsr: int
    before: datetime | str
    after: datetime | str
    author_cpf: str

    def line(self) -> str:
        return render("4", (self.nsr, "4", self.before, self.after, self.author_cpf))


@dataclass(frozen=True)
class EmployeeRecord:  # type 5
    nsr: int
    recorded_at: datetime | str
    op: str  # I inclusion, A change, E exclusion
    cpf: str
    name: str
    author_cpf: str

    def line(self) -> str:
        if self.op not in ("I", "A", "E"):
            raise ValueError(f"employee operation {self.op!r} is not I, A or E")
        return render("5", (
            self.nsr, "5", self.recorded_at, self.op, self.cpf, self.name, "", self.author_cpf,
        ))  # fmt: skip


@dataclass(frozen=True)
class SensitiveRecord:  # type 6
    nsr: int
    recorded_at: datetime | str
    code: str  # "02" power return, "07" service available, "08" service unavailable

    def line(self) -> str:
        return render("6", (self.nsr, "6", self.recorded_at, self.code))


@dataclass(frozen=True)
class PunchRecord:  # type 7
    nsr: int
    punched_at: datetime | str
    cpf: str
    recorded_at: datetime | str
    offline: bool
    hash: str = ""  # as stored by the ledger; empty: chained by `build_afd`
    collector: str = COLLECTOR_KIOSK

    def body(self) -> str:
        fields = (self.nsr, "7", self.punched_at, self.cpf, self.recorded_at, self.collector,
                  1 if self.offline else 0, "0" * 64)  # fmt: skip
        return render("7", fields)[:73]

    def line(self) -> str:
        return self.body() + self.hash


Record = EmployerRecord | ClockRecord | EmployeeRecord | SensitiveRecord | PunchRecord


def record_date(rec: Record) -> date:
    """The date a record counts under for the header's first/last dates (its field 3)."""
    when = rec.before if isinstance(rec, ClockRecord) else (
        rec.punched_at if isinstance(rec, PunchRecord) else rec.recorded_at
    )  # fmt: skip
    return (datetime.fromisoformat(when) if isinstance(when, str) else when).date()


def trailer_line(records: Sequence[Record]) -> str:
    counts = {k: 0 for k in (EmployerRecord, ClockRecord, EmployeeRecord, SensitiveRecord)}
    punches = 0
    for rec in records:
        if isinstance(rec, PunchRecord):
            punches += 1
        else:
            counts[type(rec)] += 1
    return render("9", (
        "999999999", counts[EmployerRecord], 0, counts[ClockRecord], counts[EmployeeRecord],
        counts[SensitiveRecord], punches, "9",
    ))  # fmt: skip


def build_afd(header: Header, records: Sequence[Record], prev_hash: str | None = None) -> bytes:
    """The whole file, ISO-8859-1 with CRLF after every line, signature line included.

    ``records`` must be in NSR order with no repeats; punches without a stored hash are chained
    here from ``prev_hash`` (the hash of the REP's type-7 record before the first one given).
    """
    nsrs = [r.nsr for r in records]
    if any(b <= a for a, b in itertools.pairwise(nsrs)):
        raise ValueError("records must be in strictly increasing NSR order")
    lines = [header.line()]
    for rec in records:
        if isinstance(rec, PunchRecord) and not rec.hash:
            body = rec.body()
            prev_hash = type7_hash(body, prev_hash)
            lines.append(body + prev_hash)
            continue
        if isinstance(rec, PunchRecord):
            prev_hash = rec.hash
        lines.append(rec.line())
    lines += [trailer_line(records), signature_line()]
    return "".join(line + "\r\n" for line in lines).encode("iso-8859-1")


def afd_file_name(inpi: str, employer_id: str) -> str:
    """``AFD`` + INPI number + employer CNPJ/CPF + ``REP_P``; the layout names no extension,
    PontoVoz adds ``.txt`` (the signature is the same stem with ``.p7s``)."""
    return f"AFD{_digits(inpi)}{_digits(employer_id)}REP_P.txt"


def _author(fields: Mapping[str, str]) -> str:
    """CPF of who made the change (the ledger writes the REP's responsible person when no one
    was identified); zeros only for records of a ledger that had no responsible CPF yet."""
    return fields.get("author_cpf") or "0"


def event_record(nsr: int, kind: str, recorded_at: str, fields: Mapping[str, str]) -> Record:
    """The layout record of one stored REP event (kiosk ledger or Central's copy of it)."""
    f, at = fields, recorded_at
    if kind == "employer":
        return EmployerRecord(nsr, at, _author(f), f["employer_id"], f.get("name", ""),
                              f.get("place", ""), f.get("cno_caepf", ""))  # fmt: skip
    if kind == "clock":
        return ClockRecord(nsr, f["before"], f["after"], _author(f))
    if kind == "employee":
        return EmployeeRecord(nsr, at, f["op"], f["cpf"], f.get("name", ""), _author(f))
    if kind == "sensitive":
        return SensitiveRecord(nsr, at, f["code"])
    raise ValueError(f"unknown REP record kind {kind!r} at NSR {nsr}")


def from_ledger(items: Iterable[RepRecord]) -> list[Record]:
    """Layout records from `Ledger.rep_records` (punches and REP events), in the same order."""
    out: list[Record] = []
    for item in items:
        if isinstance(item, Punch):
            out.append(PunchRecord(item.nsr, item.punched_at, item.cpf, item.recorded_at,
                                   item.offline, item.afd_hash))  # fmt: skip
        else:
            out.append(event_record(item.nsr, item.kind, item.recorded_at, item.fields))
    return out


def employer_in(records: Sequence[Record]) -> EmployerRecord | None:
    """The latest type-2 record in the file: who the employer is for its header."""
    found = None
    for rec in records:
        if isinstance(rec, EmployerRecord):
            found = rec
    return found
