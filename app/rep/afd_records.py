"""The checks of one AFD record, by type: its fields (types, fixed values, CPF/CNPJ digits), the
CRC-16 of types 1-5, the rules across fields (INPI, the type-6 codes a REP-P may write, no punch
recorded before it was made), NSR order and uniqueness, the SHA-256 chain of type 7 and the
trailer's counts. `app.rep.afd_check` walks the file and calls them line by line; each appends
what it finds to ``out``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from app.rep.afd_fields import DH_RE, WARNING, digits_only, field_problem, valid_id
from app.rep.afd_layout import LAYOUTS, REP_C_ONLY_CODES, TYPE7_BODY_LEN, crc16, type7_hash
from app.rep.afd_problem import Problem, field_place

_ID_FIELDS = {"CNPJ ou CPF do empregador", "CNPJ ou CPF do desenvolvedor"}


@dataclass
class WalkState:
    """What the walk has seen so far that the next record is checked against."""

    prev_nsr: int | None = None
    nsr_line: dict[int, int] = field(default_factory=dict)
    prev_hash: str | None = None
    chained: bool = False  # a type-7 record was seen
    whole: bool = False  # the file starts at NSR 1 with no gap so far: nothing lies before it
    dates: list[date] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def _when(value: str) -> datetime | None:
    m = DH_RE.match(value)
    if not m:
        return None
    try:
        return datetime.fromisoformat(value[:19] + value[19:22] + ":" + value[22:])
    except ValueError:
        return None


def check_rules(number: int, kind: str, v: list[str], rep_kind: str, out: list[Problem]) -> None:
    """Rules across fields that the per-field types cannot say."""
    if kind == "1" and digits_only(v[6]) and set(v[6]) == {"0"}:
        out.append(
            Problem(
                number,
                field_place("1", 6),
                "número de registro no INPI zerado: o REP-P precisa do seu registro no INPI",
            )
        )
    elif kind == "6" and rep_kind != "C" and v[3] in REP_C_ONLY_CODES:
        out.append(
            Problem(
                number,
                field_place("6", 3),
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
                    field_place("7", 4),
                    f"gravação ({v[4]}) anterior à marcação ({v[2]})",
                )
            )
    if kind in "245":
        i = next(i for i, f in enumerate(LAYOUTS[kind]) if f.label == "CPF do responsável")
        if digits_only(v[i]) and set(v[i]) == {"0"}:
            out.append(Problem(number, field_place(kind, i), "CPF do responsável zerado", WARNING))


def check_fields(number: int, kind: str, values: list[str], out: list[Problem]) -> None:
    """Each field against its type and fixed values; CPF/CNPJ check digits where it holds one."""
    for i, (f, value) in enumerate(zip(LAYOUTS[kind], values, strict=True)):
        found = field_problem(f, value)
        if found:
            out.append(Problem(number, field_place(kind, i), found[1], found[0]))
        elif f.label in _ID_FIELDS or f.label.startswith("CPF"):
            _check_id(number, kind, i, values, out)


def _check_id(number: int, kind: str, i: int, values: list[str], out: list[Problem]) -> None:
    digits = values[i].strip()
    if not digits_only(digits) or set(digits) == {"0"}:
        return
    label = LAYOUTS[kind][i].label
    kind_value = values[i - 1] if label in _ID_FIELDS else "2"
    if kind_value == "2":
        if len(digits) > 11 and set(digits[:-11]) != {"0"}:
            out.append(
                Problem(
                    number, field_place(kind, i), "CPF tem 11 dígitos; sobram dígitos à esquerda"
                )
            )
            return
        digits = digits[-11:]
    if not valid_id(digits):
        name = "CPF" if len(digits) == 11 else "CNPJ"
        out.append(
            Problem(
                number,
                field_place(kind, i),
                f"dígitos verificadores do {name} {digits} não conferem",
                WARNING,
            )
        )


def check_crc(number: int, kind: str, text: str, out: list[Problem]) -> None:
    body, written = text[:-4], text[-4:]
    expected = crc16(body.encode("iso-8859-1"))
    if written.upper() != expected:
        out.append(
            Problem(
                number,
                field_place(kind, len(LAYOUTS[kind]) - 1),
                f"CRC-16 não confere: gravado {written!r}, calculado {expected!r}",
            )
        )


def check_nsr(number: int, value: str, st: WalkState, out: list[Problem]) -> None:
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


def check_chain(number: int, text: str, written: str, st: WalkState, out: list[Problem]) -> None:
    where = field_place("7", 7)
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


def check_trailer(number: int, values: list[str], counts: dict[str, int], out: list[Problem]):
    for i, kind in enumerate("234567", 1):
        written = values[i]
        if digits_only(written) and int(written) != counts.get(kind, 0):
            out.append(
                Problem(
                    number,
                    field_place("9", i),
                    f"o trailer diz {int(written)} registros "
                    f"tipo {kind}, o arquivo tem "
                    f"{counts.get(kind, 0)}",
                )
            )
