"""AFD (Arquivo Fonte de Dados) for a REP-P, Portaria MTP 671/2021, annex V, layout "003".

ISO-8859-1 text, CRLF line ends, fixed-width fields (numbers zero-padded on the left, text
space-padded on the right):

- type 1 header (302 chars): "000000000", "1", employer id kind (1 CNPJ, 2 CPF), employer id 14,
  CNO/CAEPF 14, employer name 150, REP-P INPI number 17, first date 10, last date 10, generated
  at 24, layout version "003", developer id kind 1, developer id 14, REP-C model 30 (blank),
  CRC-16 4 (blank: REP-C/REP-A only).
- type 7 punch (137 chars): NSR 9, "7", punch date-time 24, CPF 12, recorded date-time 24,
  collector "04", online/offline 1, SHA-256 64 (chained, see app.store.chain).
- type 9 trailer (64 chars): "999999999", counts of record types 2, 3, 4, 5, 6 and 7 (9 each), "9".

Not produced: the detached electronic signature (CAdES .p7s) the Portaria asks of a REP-P's AFD;
it needs the employer's ICP-Brasil certificate.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from app.store.chain import afd_datetime, afd_type7_body
from app.store.models import Punch
from app.store.settings import LedgerSettings

HEADER_LEN, PUNCH_LEN, TRAILER_LEN = 302, 137, 64
LAYOUT_VERSION = "003"


def _num(value: str | int, width: int) -> str:
    digits = "".join(c for c in str(value) if c.isdigit())
    if len(digits) > width:
        raise ValueError(f"{value!r} does not fit in {width} digits")
    return digits.rjust(width, "0")


def _text(value: str, width: int) -> str:
    latin = str(value).encode("iso-8859-1", errors="replace").decode("iso-8859-1")
    return latin[:width].ljust(width, " ")


def header_line(
    settings: LedgerSettings,
    first: date,
    last: date,
    generated_at: datetime,
    developer_id: str = "",
) -> str:
    employer = "".join(c for c in settings.employer_id if c.isdigit())
    developer = "".join(c for c in developer_id if c.isdigit())
    line = (
        "000000000"
        + "1"
        + ("2" if len(employer) == 11 else "1")
        + _num(employer, 14)
        + _text("", 14)
        + _text(settings.employer_name, 150)
        + _text(settings.rep_id, 17)
        + first.isoformat()
        + last.isoformat()
        + afd_datetime(generated_at)
        + LAYOUT_VERSION
        + ("2" if len(developer) == 11 else "1")
        + _num(developer, 14)
        + _text("", 30)
        + _text("", 4)
    )
    assert len(line) == HEADER_LEN, len(line)
    return line


def punch_line(punch: Punch) -> str:
    body = afd_type7_body(punch.nsr, punch.punched_at, punch.cpf, punch.recorded_at, punch.offline)
    line = body + punch.afd_hash
    assert len(line) == PUNCH_LEN, len(line)
    return line


def trailer_line(type7_count: int) -> str:
    line = "999999999" + _num(0, 9) * 5 + _num(type7_count, 9) + "9"
    assert len(line) == TRAILER_LEN, len(line)
    return line


def build_afd(
    punches: Sequence[Punch],
    settings: LedgerSettings,
    first: date,
    last: date,
    generated_at: datetime,
) -> bytes:
    """The whole file, encoded ISO-8859-1 with CRLF after every line."""
    lines = [header_line(settings, first, last, generated_at)]
    lines += [punch_line(p) for p in punches]
    lines.append(trailer_line(len(punches)))
    return "".join(line + "\r\n" for line in lines).encode("iso-8859-1")
