"""Jinja filters for pt-BR numbers, plurals and dates (``app.central.ptbr``), installed on the
pages' template environment."""

from __future__ import annotations

from typing import Any

from app.central import ptbr


def install(env: Any) -> None:
    """``{{ x|num(1) }}`` "0,0"; ``{{ n|plural("falta", "faltas") }}`` "1 falta";
    ``{{ d|dia_longo }}`` "domingo, 6 de dezembro de 2026"; ``{{ d|data }}`` "06/12/2026"."""
    env.filters["num"] = ptbr.number
    env.filters["plural"] = ptbr.plural
    env.filters["dia_longo"] = ptbr.day_long
    env.filters["data"] = ptbr.day_short
    env.globals["periodo"] = ptbr.period
    env.globals["nome_mes"] = ptbr.month_name
