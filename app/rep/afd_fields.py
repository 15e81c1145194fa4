"""Field-level rules of the AFD validator: what the characters of one field must look like for
its type (N, A, D, DH, CRC, HASH) and its allowed values, and CPF/CNPJ check digits. Messages are
pt-BR (IT and HR read them); `app.rep.afd_records` adds the line and the field's position."""

from __future__ import annotations

import re
from datetime import date

from app.rep.afd_layout import Field

ERROR, WARNING = "erro", "aviso"
DH_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})([+-])(\d{2})(\d{2})$")
_D = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HEX = re.compile(r"^[0-9A-Fa-f]+$")


def digits_only(text: str) -> bool:
    """ASCII digits only ("²" and other Latin-1 digits are not numbers in the AFD)."""
    return bool(text) and text.isascii() and text.isdigit()


def _check_digit(digits: str, weights: list[int]) -> int:
    rest = sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11
    return 0 if rest < 2 else 11 - rest


def valid_id(digits: str) -> bool:
    """CPF (11 digits) or CNPJ (14) check digits."""
    if len(digits) == 11:
        w = list(range(10, 1, -1))
        return _check_digit(digits[:9], w) == int(digits[9]) and _check_digit(
            digits[:10], [11, *w]
        ) == int(digits[10])
    w = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]
    return _check_digit(digits[:12], w) == int(digits[12]) and _check_digit(
        digits[:13], [6, *w]
    ) == int(digits[13])


def field_problem(f: Field, value: str) -> tuple[str, str] | None:
    """(severity, message) when one field's characters break its type; None when fine."""
    if f.kind == "N":
        if not value.strip():
            return None if f.optional else (ERROR, "campo numérico obrigatório em branco")
        if digits_only(value):
            pass
        elif digits_only(value.rstrip()) and value.rstrip() != value:
            return (
                WARNING,
                f"número alinhado à esquerda com espaços ({value.rstrip()!r}); "
                "o PontoVoz preenche com zeros à esquerda",
            )
        else:
            return ERROR, f"campo numérico com caracteres não numéricos: {value!r}"
    elif f.kind == "A":
        if not f.optional and not value.strip():
            return ERROR, "campo obrigatório em branco"
    elif f.kind == "D":
        try:
            if not _D.match(value):
                raise ValueError(value)
            date.fromisoformat(value)
        except ValueError:
            return ERROR, f"data inválida {value!r}; o formato é AAAA-MM-dd"
    elif f.kind == "DH":
        return datetime_problem(value)
    elif f.kind in ("CRC", "HASH") and not _HEX.match(value):
        return ERROR, f"deveria ter {f.width} dígitos hexadecimais, tem {value!r}"
    if f.choices is not None and value not in f.choices:
        allowed = ", ".join(f'"{c}"' for c in sorted(f.choices))
        return ERROR, f"valor {value!r} não permitido (permitidos: {allowed})"
    return None


def datetime_problem(value: str) -> tuple[str, str] | None:
    m = DH_RE.match(value)
    if not m:
        return ERROR, f"data e hora inválida {value!r}; o formato é AAAA-MM-ddThh:mm:00-0300"
    day, hh, mm, ss, _sign, oh, om = m.groups()
    try:
        date.fromisoformat(day)
    except ValueError:
        return ERROR, f"data inexistente {day!r}"
    if int(hh) > 23 or int(mm) > 59:
        return ERROR, f"hora inexistente {hh}:{mm}"
    if ss != "00":
        return ERROR, f"os segundos devem ser sempre 00, não {ss}"
    if int(oh) > 14 or int(om) > 59:
        return ERROR, f"fuso horário inválido {value[-5:]!r}"
    return None
