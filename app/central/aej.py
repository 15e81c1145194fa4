"""AEJ (Arquivo Eletrônico de Jornada), Portaria MTP 671/2021 annex VI, layout version "001".

ISO-8859-1 text, CRLF line ends, fields separated by "|" (none after the last), no blank lines.
Records: 01 header, 02 REPs used, 03 employees (vínculos), 04 contractual schedules, 05 marks
(E entry, S exit, D disregarded; source O original from a REP, I included by hand), 07 absences,
08 the PTRP (this program), 99 trailer with the count of each type, then the 100-char line
``ASSINATURA_DIGITAL_EM_ARQUIVO_P7S``. Field list transcribed in
``henriquehmas-rgb/ponto-eletronico`` ``docs/leiaute-afd-aej.md`` (from the Ministry's PDF).

Decisions: numbers are written without padding (the fields have ranges, "1 a 9") except
``seqEntSaida``, whose layout size is 3: it counts entry/exit pairs within the workday from
"001"; a mark's date-time carries the UTC offset its kiosk wrote (a Manaus punch is -0400);
a rejected punch is written as "D" with the decision's justification as ``motivo``; an
approved flagged punch is an original "O". Not produced: the detached CAdES signature (.p7s),
which needs the employer's certificate. The checker lives in ``app.central.aej_check``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from app.central.timesheet import CLOSERS, INCLUDED, OPENERS, REJECTED, Espelho, Schedule

VERSION = "001"
SIGNATURE_LINE = "ASSINATURA_DIGITAL_EM_ARQUIVO_P7S".ljust(100)


@dataclass(frozen=True)
class Employer:
    id: str  # CNPJ (14 digits) or CPF (11)
    name: str
    caepf: str = ""
    cno: str = ""


@dataclass(frozen=True)
class Ptrp:
    name: str = "PontoVoz Central"
    version: str = "0.1.0"
    developer_id: str = ""  # CNPJ or CPF of the developer
    developer_name: str = ""
    email: str = ""


@dataclass(frozen=True)
class Vinculo:
    """One employee in the file, with the month computed by ``app.central.timesheet``."""

    cpf: str
    name: str
    espelho: Espelho


def _digits(value: str) -> str:
    return "".join(c for c in value if c.isdigit())


def _text(value: str, limit: int) -> str:
    clean = " ".join(str(value).replace("|", "/").split())
    return clean.encode("iso-8859-1", errors="replace").decode("iso-8859-1")[:limit]


def _dh(moment: datetime, tz: tzinfo) -> str:
    """An aware time keeps its own offset (a punch's kiosk zone); a naive one is in ``tz``."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=tz)
    return aware.strftime("%Y-%m-%dT%H:%M:00%z")


def _hhmm(moment: datetime) -> str:
    return moment.strftime("%H%M")


def schedule_fields(s: Schedule) -> list[str]:
    """Type 04 fields after the type: code, daily minutes, and the entry/exit times."""
    owed = max(s.week)
    start = datetime.combine(date(2000, 1, 3), s.start)
    if owed > 360 and s.break_minutes:
        first = start + timedelta(minutes=owed // 2)
        back = first + timedelta(minutes=s.break_minutes)
        end = back + timedelta(minutes=owed - owed // 2)
        times = [start, first, back, end]
    else:
        times = [start, start + timedelta(minutes=owed)]
    return [_text(s.code, 30), str(owed), *(_hhmm(t) for t in times)]


def build(
    employer: Employer,
    first: date,
    last: date,
    vinculos: Sequence[Vinculo],
    reps: Mapping[str, str],
    tz: tzinfo,
    generated_at: datetime,
    ptrp: Ptrp | None = None,
) -> str:
    """The AEJ text (str; encode with ISO-8859-1). ``reps`` maps kiosk id -> INPI number."""
    ptrp = ptrp or Ptrp()
    emp_id = _digits(employer.id)
    rep_keys = {kiosk: i for i, kiosk in enumerate(sorted(reps), start=1)}
    lines: list[list[str]] = [
        [
            "01",
            "2" if len(emp_id) == 11 else "1",
            emp_id,
            _digits(employer.caepf),
            _digits(employer.cno),
            _text(employer.name, 150),
            first.isoformat(),
            last.isoformat(),
            _dh(generated_at, tz),
            VERSION,
        ]
    ]
    lines += [["02", str(k), "3", _digits(reps[kiosk])[:17]] for kiosk, k in rep_keys.items()]
    lines += [["03", str(i), _digits(v.cpf), _text(v.name, 150)] for i, v in enumerate(vinculos, 1)]
    schedules = {v.espelho.schedule.code: v.espelho.schedule for v in vinculos}
    lines += [["04", *schedule_fields(s)] for s in schedules.values()]
    absences: list[list[str]] = []
    for i, v in enumerate(vinculos, 1):
        lines += _marks(i, v.espelho, rep_keys, tz, first, last)
        absences += [
            ["07", str(i), "2", d.day.isoformat(), "", ""]
            for d in v.espelho.days
            if first <= d.day <= last and "Falta" in d.notes
        ]
    lines += absences
    lines.append(
        [
            "08",
            _text(ptrp.name, 150),
            _text(ptrp.version, 8),
            "2" if len(_digits(ptrp.developer_id)) == 11 else "1",
            _digits(ptrp.developer_id),
            _text(ptrp.developer_name, 150),
            _text(ptrp.email, 50),
        ]
    )
    counts = [sum(1 for x in lines if x[0] == t) for t in ("01", "02", "03", "04", "05", "06")]
    counts += [sum(1 for x in lines if x[0] == t) for t in ("07", "08")]
    lines.append(["99", *(str(c) for c in counts)])
    return "".join("|".join(x) + "\r\n" for x in lines) + SIGNATURE_LINE + "\r\n"


def _marks(
    key: int,
    e: Espelho,
    rep_keys: Mapping[str, int],
    tz: tzinfo,
    first: date,
    last: date,
) -> Iterable[list[str]]:
    code = _text(e.schedule.code, 30)
    for line in e.days:
        if not first <= line.day <= last:
            continue
        seq = 0
        for m in line.marks:
            rep = str(rep_keys.get(m.kiosk, "")) if m.kiosk else ""
            source = "I" if m.status == INCLUDED else "O"
            if m.status == REJECTED:
                kind = "D"
            elif m.type in OPENERS:
                kind, seq = "E", seq + 1
            elif m.type in CLOSERS:
                kind = "S"
            else:
                continue
            reason = _text(m.note, 150) if kind == "D" or source == "I" else ""
            if kind in ("D",) or source == "I":
                reason = reason or "Tratamento registrado no PontoVoz Central"
            yield [
                "05",
                str(key),
                _dh(m.at, tz),
                "" if source == "I" else rep,
                kind,
                f"{max(seq, 1):03d}",
                source,
                code if kind == "E" and max(seq, 1) == 1 else "",
                reason,
            ]


def file_name(employer_id: str, first: date, last: date) -> str:
    """A name HR can file: AEJ + employer id + period (the annex fixes no name for the AEJ)."""
    return f"AEJ_{_digits(employer_id)}_{first:%Y%m%d}_{last:%Y%m%d}.txt"
