"""CPF (Brazilian taxpayer id): normalise and check the two check digits."""

from __future__ import annotations

from app.rep.errors import CpfError


def _check_digit(digits: str) -> int:
    weight = len(digits) + 1
    total = sum(int(d) * (weight - i) for i, d in enumerate(digits))
    rest = total % 11
    return 0 if rest < 2 else 11 - rest


def normalize_cpf(raw: str) -> str:
    """'529.982.247-25' -> '52998224725'; raises CpfError when it is not a valid CPF."""
    digits = "".join(c for c in str(raw) if c.isdigit())
    if len(digits) != 11 or any(c not in "0123456789.- " for c in str(raw).strip()):
        raise CpfError(f"o CPF deve ter 11 dígitos (ex.: 529.982.247-25); recebido {raw!r}")
    if digits == digits[0] * 11:
        raise CpfError(f"CPF {raw!r} inválido (todos os dígitos iguais)")
    if _check_digit(digits[:9]) != int(digits[9]) or _check_digit(digits[:10]) != int(digits[10]):
        raise CpfError(f"CPF {raw!r} inválido: os dígitos verificadores não conferem")
    return digits


def format_cpf(cpf: str) -> str:
    return f"{cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}"


def _cnpj_digit(digits: str) -> int:
    weights = list(range(len(digits) - 7, 1, -1)) + list(range(9, 1, -1))
    rest = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    return 0 if rest < 2 else 11 - rest


def valid_cnpj(raw: str) -> bool:
    """True for a CNPJ with the right check digits ('11.222.333/0001-81')."""
    d = "".join(c for c in str(raw) if c.isdigit())
    if len(d) != 14 or d == d[0] * 14:
        return False
    return _cnpj_digit(d[:12]) == int(d[12]) and _cnpj_digit(d[:13]) == int(d[13])
