"""The AFD layout (Portaria MTP 671/2021, annex V, "Leiaute do Arquivo Fonte de Dados", v. 003).

One table per record type, field by field, shared by the writer (`app.rep.afd`) and the
validator (`app.rep.afd_check`), so both read the same widths. Field kinds:

- ``N`` numeric: digits, right-aligned and zero-filled on the left (see docs/COMPLIANCE.md,
  "numeric fields"); an optional N field with no value ("CNO ou CAEPF, quando existir") is
  left all spaces, the general rule for unused positions.
- ``A`` text: left-aligned, space-filled on the right, ISO-8859-1, no control characters.
- ``D`` date ``AAAA-MM-dd``; ``DH`` date-time ``AAAA-MM-ddThh:mm:00ZZZZZ`` (seconds always 00).
- ``CRC`` CRC-16/KERMIT of every byte before it in the record, 4 hex digits (types 1-5).
- ``HASH`` SHA-256 hex (type 7): fields 1-7 as written (73 chars) + the previous type-7 hash.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from crc import Calculator, Crc16

LAYOUT_VERSION = "003"
SIGNATURE_TEXT = "ASSINATURA_DIGITAL_EM_ARQUIVO_P7S"
SIGNATURE_LEN = 100
HEADER_NSR, TRAILER_NSR = "000000000", "999999999"
SENSITIVE_CODES = {
    "01": "abertura do REP por manutenção ou violação (REP-C)",
    "02": "retorno de energia",
    "03": "introdução de dispositivo externo de memória (REP-C)",
    "04": "retirada de dispositivo externo de memória (REP-C)",
    "05": "emissão da Relação Instantânea de Marcações (REP-C)",
    "06": "erro de impressão (REP-C)",
    "07": "disponibilidade de serviço",
    "08": "indisponibilidade de serviço",
}
REP_C_ONLY_CODES = {k: v for k, v in SENSITIVE_CODES.items() if v.endswith("(REP-C)")}
COLLECTORS = {"01", "02", "03", "04", "05"}  # type 7 field 6; PontoVoz kiosks are "04"


@dataclass(frozen=True)
class Field:
    label: str  # pt-BR, as the Ministry's table names it (validator messages)
    width: int
    kind: str  # N, A, D, DH, CRC, HASH
    optional: bool = False
    choices: frozenset[str] | None = None


def _f(label: str, width: int, kind: str, *choices: str, optional: bool = False) -> Field:
    return Field(label, width, kind, optional, frozenset(choices) if choices else None)


_EMPLOYER_KIND = ("1", "2")
LAYOUTS: dict[str, tuple[Field, ...]] = {
    "1": (
        _f("NSR (constante 000000000)", 9, "N", HEADER_NSR),
        _f("tipo do registro", 1, "N", "1"),
        _f("tipo de identificador do empregador", 1, "N", *_EMPLOYER_KIND),
        _f("CNPJ ou CPF do empregador", 14, "N"),
        _f("CNO ou CAEPF", 14, "N", optional=True),
        _f("razão social ou nome do empregador", 150, "A"),
        _f("número de registro no INPI", 17, "N"),
        _f("data inicial dos registros", 10, "D"),
        _f("data final dos registros", 10, "D"),
        _f("data e hora da geração do arquivo", 24, "DH"),
        _f("versão do leiaute", 3, "N", LAYOUT_VERSION),
        _f("tipo de identificador do desenvolvedor", 1, "N", *_EMPLOYER_KIND),
        _f("CNPJ ou CPF do desenvolvedor", 14, "N"),
        _f("modelo do REP-C", 30, "A", optional=True),
        _f("CRC-16", 4, "CRC"),
    ),
    "2": (
        _f("NSR", 9, "N"),
        _f("tipo do registro", 1, "N", "2"),
        _f("data e hora da gravação", 24, "DH"),
        _f("CPF do responsável", 14, "N"),
        _f("tipo de identificador do empregador", 1, "N", *_EMPLOYER_KIND),
        _f("CNPJ ou CPF do empregador", 14, "N"),
        _f("CNO ou CAEPF", 14, "N", optional=True),
        _f("razão social ou nome do empregador", 150, "A"),
        _f("local de prestação de serviços", 100, "A"),
        _f("CRC-16", 4, "CRC"),
    ),
    "3": (  # REP-C and REP-A punches; never written by a REP-P, still parsed
        _f("NSR", 9, "N"),
        _f("tipo do registro", 1, "A", "3"),
        _f("data e hora da marcação", 24, "DH"),
        _f("CPF do empregado", 12, "N"),
        _f("CRC-16", 4, "CRC"),
    ),
    "4": (
        _f("NSR", 9, "N"),
        _f("tipo do registro", 1, "N", "4"),
        _f("data e hora antes do ajuste", 24, "DH"),
        _f("data e hora ajustada", 24, "DH"),
        _f("CPF do responsável", 11, "N"),
        _f("CRC-16", 4, "CRC"),
    ),
    "5": (
        _f("NSR", 9, "N"),
        _f("tipo do registro", 1, "N", "5"),
        _f("data e hora da gravação", 24, "DH"),
        _f("tipo de operação", 1, "A", "I", "A", "E"),
        _f("CPF do empregado", 12, "N"),
        _f("nome do empregado", 52, "A"),
        _f("demais dados de identificação do empregado", 4, "A", optional=True),
        _f("CPF do responsável", 11, "N"),
        _f("CRC-16", 4, "CRC"),
    ),
    "6": (
        _f("NSR", 9, "N"),
        _f("tipo do registro", 1, "N", "6"),
        _f("data e hora da gravação", 24, "DH"),
        _f("tipo de evento", 2, "N", *SENSITIVE_CODES),
    ),
    "7": (
        _f("NSR", 9, "N"),
        _f("tipo do registro", 1, "A", "7"),
        _f("data e hora da marcação", 24, "DH"),
        _f("CPF do empregado", 12, "N"),
        _f("data e hora da gravação", 24, "DH"),
        _f("identificador do coletor", 2, "N", *COLLECTORS),
        _f("indicador on-line/off-line", 1, "N", "0", "1"),
        _f("código hash (SHA-256)", 64, "HASH"),
    ),
    "9": (
        _f("NSR (constante 999999999)", 9, "N", TRAILER_NSR),
        _f("quantidade de registros tipo 2", 9, "N"),
        _f("quantidade de registros tipo 3", 9, "N"),
        _f("quantidade de registros tipo 4", 9, "N"),
        _f("quantidade de registros tipo 5", 9, "N"),
        _f("quantidade de registros tipo 6", 9, "N"),
        _f("quantidade de registros tipo 7", 9, "N"),
        _f("tipo do registro", 1, "N", "9"),
    ),
}
RECORD_LENGTHS = {kind: sum(f.width for f in fields) for kind, fields in LAYOUTS.items()}
TYPE7_BODY_LEN = 73  # fields 1-7, the SHA-256 input before the previous hash

# The catalogue's CRC-16/KERMIT: poly 0x1021, reflected in and out, init 0, no final xor.
_CRC = Calculator(Crc16.KERMIT.value, optimized=True)


def crc16(data: bytes) -> str:
    """CRC-16/KERMIT as the AFD writes it: 4 upper-case hex digits ("123456789" -> "2189")."""
    return f"{_CRC.checksum(data):04X}"


def type7_hash(body: str, prev_hash: str | None) -> str:
    """SHA-256 of fields 1-7 as written (73 chars) followed by the previous type-7 hash as
    written (64 hex chars; nothing for the REP's first punch), ISO-8859-1, lower-case hex."""
    return hashlib.sha256((body + (prev_hash or "")).encode("iso-8859-1")).hexdigest()


def positions(kind: str) -> list[tuple[int, int]]:
    """1-based (first, last) position of each field, as the Ministry's tables print them."""
    out, start = [], 1
    for f in LAYOUTS[kind]:
        out.append((start, start + f.width - 1))
        start += f.width
    return out


def afd_datetime(value: datetime | str) -> str:
    """'AAAA-MM-ddThh:mm:00-0300' (24 chars): seconds are always 00 in the AFD."""
    dt = datetime.fromisoformat(value) if isinstance(value, str) else value
    if dt.tzinfo is None:
        raise ValueError("AFD date-times need a UTC offset")
    return dt.strftime("%Y-%m-%dT%H:%M:00") + dt.strftime("%z")


def _digits(value: object) -> str:
    return "".join(c for c in str(value) if c.isdigit())


def _latin1(value: str) -> str:
    """Text as ISO-8859-1 can hold it: control characters become spaces, others '?'."""
    clean = "".join(" " if ord(c) < 32 or 127 <= ord(c) < 160 else c for c in value)
    return clean.encode("iso-8859-1", errors="replace").decode("iso-8859-1")


def format_field(f: Field, value: object) -> str:
    """One field's characters; raises ValueError when a value cannot fit the layout."""
    if f.kind == "N":
        digits = _digits(value) if value is not None else ""
        if not digits:
            if f.optional:
                return " " * f.width
            raise ValueError(f"{f.label}: empty")
        if len(digits) > f.width:
            raise ValueError(f"{f.label}: {digits} does not fit in {f.width} digits")
        return digits.rjust(f.width, "0")
    if f.kind == "A":
        return _latin1(str(value or ""))[: f.width].ljust(f.width)
    if f.kind == "D":
        text = value.isoformat() if isinstance(value, date) else str(value)
        date.fromisoformat(text)
        return text
    if f.kind == "DH":
        return afd_datetime(value)  # type: ignore[arg-type]
    if f.kind == "HASH":
        text = str(value)
        if len(text) != f.width:
            raise ValueError(f"{f.label}: {len(text)} chars")
        return text
    raise ValueError(f"cannot format a {f.kind} field")


def render(kind: str, values: tuple[object, ...]) -> str:
    """A whole record (no CRLF). ``values`` are every field but the CRC, in layout order."""
    fields = LAYOUTS[kind]
    has_crc = fields[-1].kind == "CRC"
    data_fields = fields[:-1] if has_crc else fields
    if len(values) != len(data_fields):
        raise ValueError(f"type {kind}: {len(values)} values for {len(data_fields)} fields")
    line = "".join(format_field(f, v) for f, v in zip(data_fields, values, strict=True))
    if has_crc:
        line += crc16(line.encode("iso-8859-1"))
    if len(line) != RECORD_LENGTHS[kind]:
        raise ValueError(f"type {kind}: {len(line)} chars, layout says {RECORD_LENGTHS[kind]}")
    return line


def signature_line() -> str:
    return SIGNATURE_TEXT.ljust(SIGNATURE_LEN)
