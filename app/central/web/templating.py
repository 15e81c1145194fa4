"""The pages' Jinja2 templates and their filters, and `render`: every page draws through here.

Filters: ``hhmm``, ``cpf``, ``cnpj``, ``reason`` (flag reasons in pt-BR, `app.rep.reasons`),
``local`` (an instant in Central's default zone), ``punch_time`` (a punch at its kiosk's own
offset), and the pt-BR numbers, plurals and dates of `app.central.web.filters`.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from app.central import auth
from app.central.espelho_pdf import fmt_cnpj, fmt_cpf
from app.central.hr_data import TZ, punch_local
from app.central.timesheet import hhmm
from app.central.web import filters
from app.rep.reasons import reason_pt

HERE = Path(__file__).parent


def _local(value: datetime | None, fmt: str = "%d/%m/%Y %H:%M") -> str:
    return value.astimezone(TZ).strftime(fmt) if value else "—"


def _punch_time(p: Any, fmt: str = "%d/%m/%Y %H:%M") -> str:
    """A punch at the local time its kiosk wrote, with that zone's UTC offset ("-04:00" in
    Manaus): the same hour the AFD, the AEJ and the espelho show."""
    at = punch_local(p.punched_at, p.punched_at_ts)
    return f"{at.strftime(fmt)} ({at.strftime('%z')[:3]}:{at.strftime('%z')[3:]})"


templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.filters["hhmm"] = hhmm
templates.env.filters["cpf"] = fmt_cpf
templates.env.filters["cnpj"] = fmt_cnpj
templates.env.filters["reason"] = reason_pt  # older kiosks stored English flag reasons
templates.env.filters["local"] = _local
templates.env.filters["punch_time"] = _punch_time
templates.env.globals["role_names"] = auth.ROLE_NAMES
filters.install(templates.env)  # pt-BR numbers, plurals, dates


def render(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    ctx.setdefault("user", getattr(request.state, "user", None))
    return templates.TemplateResponse(request, name, ctx, status_code=status)
