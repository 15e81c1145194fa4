"""pt-BR words for numbers, plurals and dates: what the pages and the espelho print.

Babel is not a dependency and these are the only three things Central needs from a locale
library, so one small module: a decimal comma (and never "-0,0"), a plural that agrees with its
count ("1 marcação sinalizada", "7 marcações sinalizadas") and dates written out
("domingo, 6 de dezembro de 2026").
"""

from __future__ import annotations

from datetime import date

WEEKDAYS_LONG = (
    "segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira", "sábado",
    "domingo",
)  # fmt: skip
MONTHS = (
    "janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro",
    "outubro", "novembro", "dezembro",
)  # fmt: skip


def number(value: float | int, decimals: int = 0, sign: bool = False) -> str:
    """``1234.5`` -> ``"1.234,5"``; a value that rounds to zero is ``"0,0"`` (no "-0,0");
    ``sign`` writes "+" before positive values (a clock offset)."""
    rounded = round(float(value), decimals)
    if rounded == 0:
        rounded = 0.0  # drops the sign of -0.0
    text = f"{abs(rounded):,.{decimals}f}".replace(",", "_").replace(".", ",").replace("_", ".")
    if rounded < 0:
        return "-" + text
    return ("+" + text) if sign and rounded > 0 else text


def plural(count: int, singular: str, plural_form: str) -> str:
    """``plural(7, "marcação sinalizada", "marcações sinalizadas")`` -> "7 marcações
    sinalizadas"; pt-BR uses the singular for 1 only (0 is plural: "0 faltas")."""
    return f"{number(count)} {singular if abs(count) == 1 else plural_form}"


def day_long(day: date) -> str:
    """``date(2026, 12, 6)`` -> "domingo, 6 de dezembro de 2026"."""
    return f"{WEEKDAYS_LONG[day.weekday()]}, {day_month(day)}"


def day_month(day: date) -> str:
    """``date(2026, 12, 1)`` -> "1º de dezembro de 2026" (the ordinal for the first, as
    Brazilians write it)."""
    d = "1º" if day.day == 1 else str(day.day)
    return f"{d} de {MONTHS[day.month - 1]} de {day.year}"


def day_short(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "—"


def month_name(year: int, month: int) -> str:
    return f"{MONTHS[month - 1]} de {year}"


def period(first: date, last: date) -> str:
    """ "1º a 31 de dezembro de 2026", "15 de novembro a 14 de dezembro de 2026"."""
    if (first.year, first.month) == (last.year, last.month):
        d = "1º" if first.day == 1 else str(first.day)
        return f"{d} a {day_month(last)}"
    if first.year == last.year:
        return f"{day_month(first).rsplit(' de ', 1)[0]} a {day_month(last)}"
    return f"{day_month(first)} a {day_month(last)}"
