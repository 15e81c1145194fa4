"""Form and query-string values a page reads: parsed strictly, a bad one is a pt-BR `WebError`
(a 400 page that says which field and the format), never a 500."""

from __future__ import annotations

from datetime import date, datetime

from app.central.hr_data import TZ
from app.central.web.errors import WebError


def parse_date(text: str | None, field: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise WebError(f"{field}: data inválida (use AAAA-MM-DD).") from None


def parse_month(text: str | None) -> tuple[int, int]:
    if not text:
        now = datetime.now(TZ)
        return now.year, now.month
    try:
        y, m = (int(x) for x in text.strip().split("-")[:2])
        date(y, m, 1)
    except ValueError:
        raise WebError("Mês inválido (use AAAA-MM).") from None
    if not 2000 <= y <= 2100:
        raise WebError("Mês fora do intervalo aceito.")
    return y, m


def parse_int(text: str | None, field: str) -> int | None:
    if text is None or str(text).strip() == "":
        return None
    try:
        value = int(str(text).strip())
    except ValueError:
        raise WebError(f"{field}: número inválido.") from None
    if not 0 <= value < 2**31:
        raise WebError(f"{field}: número fora do intervalo.")
    return value
