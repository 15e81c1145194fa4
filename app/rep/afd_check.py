"""`export check FILE.afd`: parse any AFD against the layout and say, line and field, what is wrong.

Checks widths, field types, fixed values, CRC-16 of types 1-5, the SHA-256 chain of type 7
(a file that starts at NSR 1 holds the REP's first punch, whose hash must recompute alone),
NSR order and uniqueness, header dates against the records, trailer counts, CRLF line ends, the
signature line, the file name against the header (INPI, CNPJ/CPF), the type-6 codes a REP-P may
write, and that no punch was recorded before it was made. Messages are Brazilian Portuguese:
IT and HR read them. Errors make a file non-compliant; warnings ("aviso") point at what the
layout leaves open or cannot be checked from the file alone (e.g. the first punch of a split
file chains to a record outside it).

This module walks the file (bytes to lines, record kinds, structure, header and name); the
checks of each record are `app.rep.afd_records`, the problems it reports `app.rep.afd_problem`.
"""

from __future__ import annotations

import re
from datetime import date

from app.rep.afd_fields import DH_RE, WARNING
from app.rep.afd_layout import (
    LAYOUTS,
    RECORD_LENGTHS,
    SIGNATURE_LEN,
    SIGNATURE_TEXT,
    TRAILER_NSR,
    positions,
)
from app.rep.afd_problem import CheckReport, Problem, field_place
from app.rep.afd_records import (
    WalkState,
    check_chain,
    check_crc,
    check_fields,
    check_nsr,
    check_rules,
    check_trailer,
)

# AFD + INPI (17) + CNPJ (14) or CPF (11) + REP_P/REP_C/REP_A; PontoVoz adds ".txt".
_NAME_RE = re.compile(r"^AFD(\d{17})(\d{14}|\d{11})(REP_[PCA])(\.txt)?$", re.IGNORECASE)


def _date_of(value: str) -> date:
    """The date part of a DH field; date.min when the field is broken (reported elsewhere)."""
    try:
        return date.fromisoformat(value[:10]) if DH_RE.match(value) else date.min
    except ValueError:
        return date.min


def _split_lines(data: bytes, out: list[Problem]) -> list[str]:
    if not data:
        out.append(Problem(0, "", "arquivo vazio"))
        return []
    if any(b >= 0x80 for b in data):
        try:
            data.decode("utf-8")
            out.append(
                Problem(
                    0,
                    "",
                    "o arquivo parece estar em UTF-8; o leiaute pede "
                    "ISO-8859-1 (acentos ficarão errados)",
                    WARNING,
                )
            )
        except UnicodeDecodeError:
            pass
    chunks = data.split(b"\n")
    if chunks[-1]:
        out.append(Problem(len(chunks), "", "a última linha não termina com CR LF"))
    else:
        chunks = chunks[:-1]
    lines, ends = [], data.endswith(b"\n")
    for number, chunk in enumerate(chunks, 1):
        if chunk.endswith(b"\r"):
            chunk = chunk[:-1]
        elif ends or number < len(chunks):
            out.append(Problem(number, "", "linha termina só com LF; o leiaute pede CR LF"))
        lines.append(chunk.decode("iso-8859-1"))
    return lines


def _control_chars(number: int, text: str, kind: str | None, out: list[Problem]) -> None:
    for pos, ch in enumerate(text, 1):
        if ord(ch) < 32 or 127 <= ord(ch) < 160:
            where = ""
            if kind is not None:
                for i, (first, last) in enumerate(positions(kind)):
                    if first <= pos <= last:
                        where = field_place(kind, i)
            out.append(
                Problem(number, where, f"caractere de controle 0x{ord(ch):02X} na posição {pos}")
            )
            return


def _kind_of(text: str) -> str | None:
    if text.startswith(TRAILER_NSR):
        return "9"
    if len(text) >= 10 and text[9] in LAYOUTS and text[9] != "9":
        return text[9]
    return None


def _split_fields(kind: str, text: str) -> list[str]:
    return [text[a - 1 : b] for a, b in positions(kind)]


def check_afd(
    data: bytes, prev_hash: str | None = None, file_name: str | None = None
) -> CheckReport:
    """Every problem found in ``data`` (the file's bytes). ``prev_hash``: the hash of the REP's
    type-7 record just before this file's first one, when the file is a fraction and it is known.
    ``file_name``: the file's name, checked against the header (None: not checked, and the file
    is read as a REP-P's)."""
    out: list[Problem] = []
    lines = _split_lines(data, out)
    st = WalkState(prev_hash=prev_hash, chained=prev_hash is not None)
    rep_kind = _rep_kind(file_name)
    header: list[str] | None = None
    trailer_at = signature_at = None
    for number, text in enumerate(lines, 1):
        if not text:
            out.append(Problem(number, "", "linha em branco (o leiaute não permite)"))
            continue
        if text.rstrip() == SIGNATURE_TEXT or text.startswith(SIGNATURE_TEXT):
            signature_at = number
            _check_signature(number, text, number == len(lines), out)
            continue
        kind = _kind_of(text)
        _control_chars(number, text, kind, out)
        if kind is None:
            out.append(
                Problem(number, "", f"tipo de registro desconhecido {text[9:10]!r} na posição 10")
            )
            continue
        st.counts[kind] = st.counts.get(kind, 0) + 1
        if len(text) != RECORD_LENGTHS[kind]:
            out.append(
                Problem(
                    number,
                    "",
                    f"registro tipo {kind} com {len(text)} caracteres; "
                    f"o leiaute pede {RECORD_LENGTHS[kind]}",
                )
            )
            continue
        values = _split_fields(kind, text)
        check_fields(number, kind, values, out)
        if kind in "123456" and LAYOUTS[kind][-1].kind == "CRC":
            check_crc(number, kind, text, out)
        check_rules(number, kind, values, rep_kind, out)
        if kind == "1":
            if number != 1:
                out.append(Problem(number, "", "cabeçalho (tipo 1) fora da primeira linha"))
            header = values if header is None else header
        elif kind == "9":
            trailer_at = number
            check_trailer(number, values, st.counts, out)
        else:
            if trailer_at is not None:
                out.append(Problem(number, "", "registro depois do trailer (tipo 9)"))
            check_nsr(number, values[0], st, out)
            st.dates.append(_date_of(values[2]))
            if kind == "7":
                check_chain(number, text, values[-1], st, out)
    _check_structure(lines, header, trailer_at, signature_at, out)
    if header is not None:
        _check_header_dates(header, st.dates, out)
        if file_name is not None:
            _check_name(file_name, header, out)
    return CheckReport(tuple(out), dict(st.counts))


def _rep_kind(file_name: str | None) -> str:
    """ "P", "C" or "A" from the name's REP_x; a file without a usable name is read as REP-P."""
    m = _NAME_RE.match(file_name or "")
    return m.group(3)[-1].upper() if m else "P"


def _check_name(name: str, header: list[str], out: list[Problem]) -> None:
    """The layout names the file AFD + INPI + CNPJ/CPF + REP_x: it must say what the header
    says (a renamed file, or one whose header was edited, no longer identifies its REP)."""
    m = _NAME_RE.match(name)
    if m is None:
        out.append(
            Problem(
                0,
                "",
                f"nome do arquivo {name!r} fora do padrão do leiaute: AFD + número do INPI "
                "(17 dígitos) + CNPJ (14) ou CPF (11) do empregador + REP_P (ex.: "
                "AFD1234567890123456711222333000181REP_P.txt)",
            )
        )
        return
    inpi, employer = m.group(1), m.group(2)
    if inpi != header[6]:
        out.append(
            Problem(0, "", f"o nome do arquivo traz o INPI {inpi}, o cabeçalho {header[6]!r}")
        )
    written = header[3].strip()
    expected = written[-11:] if header[2] == "2" and len(employer) == 11 else written
    if employer != expected:
        out.append(
            Problem(
                0,
                "",
                f"o nome do arquivo traz o CNPJ/CPF {employer}, o cabeçalho {written!r}",
            )
        )


def _check_signature(number: int, text: str, last: bool, out: list[Problem]) -> None:
    if len(text) != SIGNATURE_LEN or text.rstrip(" ") != SIGNATURE_TEXT:
        out.append(
            Problem(
                number,
                "",
                f"linha de assinatura com {len(text)} caracteres; deve ser "
                f'"{SIGNATURE_TEXT}" e espaços até {SIGNATURE_LEN}',
            )
        )
    if not last:
        out.append(Problem(number, "", "a linha de assinatura deve ser a última do arquivo"))


def _check_structure(lines, header, trailer_at, signature_at, out: list[Problem]) -> None:
    if not lines:
        return
    if header is None:
        out.append(Problem(0, "", "falta o cabeçalho (registro tipo 1)"))
    if trailer_at is None:
        out.append(Problem(0, "", "falta o trailer (registro tipo 9)"))
    elif signature_at is not None and trailer_at != signature_at - 1:
        out.append(Problem(trailer_at, "", "o trailer deve ser a penúltima linha"))
    if signature_at is None:
        out.append(
            Problem(0, "", f'falta a última linha "{SIGNATURE_TEXT}" (assinatura no arquivo .p7s)')
        )


def _check_header_dates(header: list[str], dates: list[date], out: list[Problem]) -> None:
    try:
        first, last = date.fromisoformat(header[7]), date.fromisoformat(header[8])
    except ValueError:
        return
    real = [d for d in dates if d != date.min]
    if first > last:
        out.append(Problem(1, field_place("1", 8), "data final anterior à data inicial"))
    if not real:
        return
    if first != min(real):
        out.append(
            Problem(
                1,
                field_place("1", 7),
                f"data inicial {first} difere da data do primeiro "
                f"registro do arquivo ({min(real)})",
            )
        )
    if last != max(real):
        out.append(
            Problem(
                1,
                field_place("1", 8),
                f"data final {last} difere da data do último registro do arquivo ({max(real)})",
            )
        )
