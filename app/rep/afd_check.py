"""`export check FILE.afd`: parse any AFD against the layout and say, line and field, what is wrong.

Checks widths, field types, fixed values, CRC-16 of types 1-5, the SHA-256 chain of type 7
(a file that starts at NSR 1 holds the REP's first punch, whose hash must recompute alone),
NSR order and uniqueness, header dates against the records, trailer counts, CRLF line ends, the
signature line, the file name against the header (INPI, CNPJ/CPF), the type-6 codes a REP-P may
write, and that no punch was recorded before it was made. Messages are Brazilian Portuguese:
IT and HR read them. Errors make a file non-compliant; warnings ("aviso") point at what the
layout leaves open or cannot be checked from the file alone (e.g. the first punch of a split
file chains to a record outside it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from app.rep.afd_fields import DH_RE, ERROR, WARNING, digits_only, field_problem, valid_id
from app.rep.afd_layout import (
    LAYOUTS,
    RECORD_LENGTHS,
    REP_C_ONLY_CODES,
    SIGNATURE_LEN,
    SIGNATURE_TEXT,
    TRAILER_NSR,
    TYPE7_BODY_LEN,
    crc16,
    positions,
    type7_hash,
)

_ID_FIELDS = {"CNPJ ou CPF do empregador", "CNPJ ou CPF do desenvolvedor"}
# AFD + INPI (17) + CNPJ (14) or CPF (11) + REP_P/REP_C/REP_A; PontoVoz adds ".txt".
_NAME_RE = re.compile(r"^AFD(\d{17})(\d{14}|\d{11})(REP_[PCA])(\.txt)?$", re.IGNORECASE)


@dataclass(frozen=True)
class Problem:
    line: int  # 1-based; 0 for the file as a whole
    where: str  # 'campo 15 "CRC-16" (posições 299-302)' or ""
    message: str
    severity: str = ERROR

    def text(self) -> str:
        place = f"linha {self.line}" if self.line else "arquivo"
        where = f", {self.where}" if self.where else ""
        return f"{self.severity}: {place}{where}: {self.message}"


@dataclass(frozen=True)
class CheckReport:
    problems: tuple[Problem, ...]
    counts: dict[str, int] = field(default_factory=dict)  # records per type found

    @property
    def ok(self) -> bool:
        return not any(p.severity == ERROR for p in self.problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]


def _where(kind: str, index: int) -> str:
    first, last = positions(kind)[index]
    return f'campo {index + 1} "{LAYOUTS[kind][index].label}" (posições {first:03d}-{last:03d})'


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
                        where = _where(kind, i)
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


@dataclass
class _State:
    prev_nsr: int | None = None
    nsr_line: dict[int, int] = field(default_factory=dict)
    prev_hash: str | None = None
    chained: bool = False  # a type-7 record was seen
    whole: bool = False  # the file starts at NSR 1 with no gap so far: nothing lies before it
    dates: list[date] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def check_afd(
    data: bytes, prev_hash: str | None = None, file_name: str | None = None
) -> CheckReport:
    """Every problem found in ``data`` (the file's bytes). ``prev_hash``: the hash of the REP's
    type-7 record just before this file's first one, when the file is a fraction and it is known.
    ``file_name``: the file's name, checked against the header (None: not checked, and the file
    is read as a REP-P's)."""
    out: list[Problem] = []
    lines = _split_lines(data, out)
    st = _State(prev_hash=prev_hash, chained=prev_hash is not None)
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
        for i, (f, value) in enumerate(zip(LAYOUTS[kind], values, strict=True)):
            found = field_problem(f, value)
            if found:
                out.append(Problem(number, _where(kind, i), found[1], found[0]))
            elif f.label in _ID_FIELDS or f.label.startswith("CPF"):
                _check_id(number, kind, i, values, out)
        if kind in "123456" and LAYOUTS[kind][-1].kind == "CRC":
            _check_crc(number, kind, text, out)
        _check_rules(number, kind, values, rep_kind, out)
        if kind == "1":
            if number != 1:
                out.append(Problem(number, "", "cabeçalho (tipo 1) fora da primeira linha"))
            header = values if header is None else header
        elif kind == "9":
            trailer_at = number
            _check_trailer(number, values, st.counts, out)
        else:
            if trailer_at is not None:
                out.append(Problem(number, "", "registro depois do trailer (tipo 9)"))
            _check_nsr(number, values[0], st, out)
            st.dates.append(_date_of(values[2]))
            if kind == "7":
                _check_chain(number, text, values[-1], st, out)
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


def _when(value: str) -> datetime | None:
    m = DH_RE.match(value)
    if not m:
        return None
    try:
        return datetime.fromisoformat(value[:19] + value[19:22] + ":" + value[22:])
    except ValueError:
        return None


def _check_rules(number: int, kind: str, v: list[str], rep_kind: str, out: list[Problem]) -> None:
    """Rules across fields that the per-field types cannot say."""
    if kind == "1" and digits_only(v[6]) and set(v[6]) == {"0"}:
        out.append(
            Problem(
                number,
                _where("1", 6),
                "número de registro no INPI zerado: o REP-P precisa do seu registro no INPI",
            )
        )
    elif kind == "6" and rep_kind != "C" and v[3] in REP_C_ONLY_CODES:
        out.append(
            Problem(
                number,
                _where("6", 3),
                f"evento {v[3]} ({REP_C_ONLY_CODES[v[3]]}) é só de REP-C; um REP-P grava "
                "02, 07 ou 08",
            )
        )
    elif kind == "7":
        punched, recorded = _when(v[2]), _when(v[4])
        if punched is not None and recorded is not None and recorded < punched:
            out.append(
                Problem(
                    number,
                    _where("7", 4),
                    f"gravação ({v[4]}) anterior à marcação ({v[2]})",
                )
            )
    if kind in "245":
        i = next(i for i, f in enumerate(LAYOUTS[kind]) if f.label == "CPF do responsável")
        if digits_only(v[i]) and set(v[i]) == {"0"}:
            out.append(Problem(number, _where(kind, i), "CPF do responsável zerado", WARNING))


def _check_id(number: int, kind: str, i: int, values: list[str], out: list[Problem]) -> None:
    digits = values[i].strip()
    if not digits_only(digits) or set(digits) == {"0"}:
        return
    label = LAYOUTS[kind][i].label
    kind_value = values[i - 1] if label in _ID_FIELDS else "2"
    if kind_value == "2":
        if len(digits) > 11 and set(digits[:-11]) != {"0"}:
            out.append(
                Problem(number, _where(kind, i), "CPF tem 11 dígitos; sobram dígitos à esquerda")
            )
            return
        digits = digits[-11:]
    if not valid_id(digits):
        name = "CPF" if len(digits) == 11 else "CNPJ"
        out.append(
            Problem(
                number,
                _where(kind, i),
                f"dígitos verificadores do {name} {digits} não conferem",
                WARNING,
            )
        )


def _check_crc(number: int, kind: str, text: str, out: list[Problem]) -> None:
    body, written = text[:-4], text[-4:]
    expected = crc16(body.encode("iso-8859-1"))
    if written.upper() != expected:
        out.append(
            Problem(
                number,
                _where(kind, len(LAYOUTS[kind]) - 1),
                f"CRC-16 não confere: gravado {written!r}, calculado {expected!r}",
            )
        )


def _check_nsr(number: int, value: str, st: _State, out: list[Problem]) -> None:
    if not digits_only(value.strip()):
        return
    nsr = int(value)
    where = 'campo 1 "NSR" (posições 001-009)'
    if nsr == 0:
        out.append(Problem(number, where, "NSR 0; a sequência começa em 1"))
    if nsr in st.nsr_line:
        out.append(Problem(number, where, f"NSR {nsr} repetido (já na linha {st.nsr_line[nsr]})"))
    elif st.prev_nsr is not None and nsr < st.prev_nsr:
        out.append(Problem(number, where, f"NSR {nsr} fora de ordem (depois de {st.prev_nsr})"))
    elif st.prev_nsr is not None and nsr > st.prev_nsr + 1:
        out.append(Problem(number, where, f"salto de NSR: de {st.prev_nsr} para {nsr}", WARNING))
    if st.prev_nsr is None:
        st.whole = nsr == 1
    elif nsr != st.prev_nsr + 1:
        st.whole = False
    st.nsr_line.setdefault(nsr, number)
    st.prev_nsr = max(nsr, st.prev_nsr or 0)


def _check_chain(number: int, text: str, written: str, st: _State, out: list[Problem]) -> None:
    where = _where("7", 7)
    body = text[:TYPE7_BODY_LEN]
    if st.chained:
        expected = type7_hash(body, st.prev_hash)
        if written.lower() != expected:
            out.append(
                Problem(
                    number,
                    where,
                    "hash SHA-256 não confere com os campos 1 a 7 e o "
                    f"hash do registro tipo 7 anterior (calculado "
                    f"{expected})",
                )
            )
    elif written.lower() != type7_hash(body, None) and st.whole:
        out.append(
            Problem(
                number,
                where,
                "hash SHA-256 da primeira marcação do REP não confere com os campos 1 a 7 "
                "(o arquivo começa no NSR 1, então não há registro anterior a ela): "
                f"calculado {type7_hash(body, None)}",
            )
        )
    elif written.lower() != type7_hash(body, None):
        out.append(
            Problem(
                number,
                where,
                "primeira marcação do arquivo encadeada a um registro "
                "anterior fora dele (arquivo fracionado): o elo não "
                "pode ser conferido só com este arquivo",
                WARNING,
            )
        )
    st.prev_hash, st.chained = written, True


def _check_trailer(number: int, values: list[str], counts: dict[str, int], out: list[Problem]):
    for i, kind in enumerate("234567", 1):
        written = values[i]
        if digits_only(written) and int(written) != counts.get(kind, 0):
            out.append(
                Problem(
                    number,
                    _where("9", i),
                    f"o trailer diz {int(written)} registros "
                    f"tipo {kind}, o arquivo tem "
                    f"{counts.get(kind, 0)}",
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
        out.append(Problem(1, _where("1", 8), "data final anterior à data inicial"))
    if not real:
        return
    if first != min(real):
        out.append(
            Problem(
                1,
                _where("1", 7),
                f"data inicial {first} difere da data do primeiro "
                f"registro do arquivo ({min(real)})",
            )
        )
    if last != max(real):
        out.append(
            Problem(
                1,
                _where("1", 8),
                f"data final {last} difere da data do último registro do arquivo ({max(real)})",
            )
        )
