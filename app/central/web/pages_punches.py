"""Punches (filters), the review queue for flagged punches, corrections (manual inclusions) and
justified absences. Nothing here changes a punch: decisions and inclusions are new records."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from app.central import auth
from app.central.hr_data import TZ, latest_decisions
from app.central.models import Employee
from app.central.web.deps import DB, User, check_csrf, need, redirect, render
from app.central.web.errors import NotFound, WebError
from app.central.web.forms import parse_date, parse_int
from app.central.web.queries.kiosks import kiosk_names
from app.central.web.queries.punches import (
    PunchFilter,
    absence_on,
    add_absence,
    add_decision,
    add_manual_punch,
    next_pending_review,
    pending_review,
    pending_review_count,
    punch_page,
    recent_absences,
    recent_manual_punches,
    review_detail,
    stored_audio,
)
from app.central.web.queries.scope import employee_or_404, punch_or_404, visible_employees

router = APIRouter()
F = Annotated[str, Form()]
OptF = Annotated[str | None, Form()]
PAGE = 100
CHAIN_REASON_MIN = 15
TYPES = {"ENTRADA": "Entrada", "INTERVALO": "Intervalo", "RETORNO": "Retorno", "SAIDA": "Saída"}


def _range(de: date | None, ate: date | None) -> tuple[datetime | None, datetime | None]:
    start = datetime.combine(de, time(0), TZ) if de else None
    end = datetime.combine(ate + timedelta(days=1), time(0), TZ) if ate else None
    if start and end and end <= start:
        raise WebError("O período termina antes de começar.")
    return start, end


def _employee_and_day(
    s: DB, user: auth.CurrentUser, funcionario: str, data: str
) -> tuple[Employee, date | None]:
    """The employee a correction or absence form names (404 unless this user sees them) and
    the day it is for."""
    return employee_or_404(s, user, parse_int(funcionario, "Funcionário")), parse_date(data, "Data")


@router.get("/marcacoes")
def punches(
    request: Request,
    s: DB,
    user: User,
    funcionario: str = "",
    quiosque: str = "",
    de: str = "",
    ate: str = "",
    sinalizadas: str = "",
    pagina: str = "1",
) -> Response:
    need(user, "punches")
    emp_id, kiosk_id = parse_int(funcionario, "Funcionário"), parse_int(quiosque, "Quiosque")
    page = max(1, min(parse_int(pagina, "Página") or 1, 100_000))
    start, end = _range(parse_date(de, "De"), parse_date(ate, "Até"))
    found = punch_page(s, user, PunchFilter(emp_id, kiosk_id, bool(sinalizadas), start, end, page),
                       per_page=PAGE)  # fmt: skip
    decisions = latest_decisions(s, [p.id for p, _ in found.punches if p.flagged])
    items: list[tuple[str, datetime, Any, Any]] = [
        ("punch", p.punched_at_ts, p, e) for p, e in found.punches
    ]
    items += [("manual", m.punched_at, m, e) for m, e in found.manual]
    items.sort(key=lambda x: x[1], reverse=True)
    ctx: dict[str, Any] = {
        "items": items,
        "decisions": decisions,
        "employees": visible_employees(s, user, active_only=False),
        "kiosks": kiosk_names(s),
        "f": {
            "funcionario": funcionario,
            "quiosque": quiosque,
            "de": de,
            "ate": ate,
            "sinalizadas": sinalizadas,
        },
        "page": page,
        "more": found.more,
        "types": TYPES,
    }
    return render(request, "punches.html", **ctx)


@router.get("/revisao")
def review_queue(request: Request, s: DB, user: User) -> Response:
    need(user, "review")
    rows = pending_review(s, user, limit=200)
    return render(request, "review.html", rows=rows, kiosks=kiosk_names(s), types=TYPES,
                  total=pending_review_count(s, user))  # fmt: skip


@router.get("/revisao/{punch_id}")
def review_item(request: Request, s: DB, user: User, punch_id: int) -> Response:
    need(user, "review")
    p = punch_or_404(s, user, punch_id)
    d = review_detail(s, p)
    return render(request, "review_item.html", p=p, emp=d.employee, kiosk=d.kiosk,
                  history=d.history, verdicts=d.verdicts, has_audio=d.has_audio,
                  types=TYPES)  # fmt: skip


@router.post("/revisao/{punch_id}")
def review_decide(
    request: Request,
    s: DB,
    user: User,
    punch_id: int,
    decisao: F,
    justificativa: F,
    csrf: OptF = None,
    motivo_cadeia: OptF = None,
) -> Response:
    need(user, "review")
    check_csrf(user, csrf)
    p = punch_or_404(s, user, punch_id)
    if not p.flagged and p.chain_ok:
        raise WebError("Esta marcação não está sinalizada: não há o que revisar.")
    if decisao not in ("aprovar", "rejeitar"):
        raise WebError("Escolha aprovar ou rejeitar.")
    text = " ".join(justificativa.split())
    if len(text) < 5:
        raise WebError("Escreva uma justificativa (pelo menos 5 caracteres).")
    if not p.chain_ok and decisao == "aprovar":
        chain = " ".join((motivo_cadeia or "").split())
        if len(chain) < CHAIN_REASON_MIN:
            raise WebError(
                "A cadeia de hashes desta marcação falhou na chegada: para aprová-la, escreva"
                f" por que ela vale apesar disso (pelo menos {CHAIN_REASON_MIN} caracteres)."
            )
        text = f"{text} | Cadeia falhou ({p.chain_problem}); aprovada porque: {chain}"
    d = add_decision(s, p.id, decisao == "aprovar", text[:1000], user)
    auth.audit(s, user, "marcacao_aprovada" if d.approved else "marcacao_rejeitada",
               f"marcacao:{p.id}", {"nsr": p.nsr, "justificativa": text[:1000]})  # fmt: skip
    nxt = next_pending_review(s, user, after=p.id)
    return redirect(f"/revisao/{nxt.id}" if nxt else "/revisao")


@router.get("/marcacoes/{punch_id}/audio")
def punch_audio(request: Request, s: DB, user: User, punch_id: int) -> Response:
    need(user, "review")
    p = punch_or_404(s, user, punch_id)
    audio = stored_audio(s, p.id)
    if audio is None:
        raise NotFound("O áudio desta marcação não foi guardado.")
    kind = "audio/wav" if audio.data[:4] == b"RIFF" else "application/octet-stream"
    auth.audit(s, user, "audio_ouvido", f"marcacao:{p.id}")
    return Response(audio.data, media_type=kind)


@router.get("/correcoes")
def corrections(request: Request, s: DB, user: User, funcionario: str = "") -> Response:
    need(user, "review")
    return render(request, "corrections.html", rows=recent_manual_punches(s, user, limit=100),
                  absences=recent_absences(s, user, limit=50), types=TYPES,
                  employees=visible_employees(s, user), chosen=funcionario,
                  today=datetime.now(TZ).date())  # fmt: skip


@router.post("/correcoes")
def correction_add(
    request: Request,
    s: DB,
    user: User,
    funcionario: F,
    data: F,
    hora: F,
    tipo: F,
    motivo: F,
    csrf: OptF = None,
) -> Response:
    need(user, "review")
    check_csrf(user, csrf)
    emp, day = _employee_and_day(s, user, funcionario, data)
    if day is None or not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", hora.strip()):
        raise WebError("Informe a data (AAAA-MM-DD) e a hora (HH:MM) da marcação esquecida.")
    if tipo not in TYPES:
        raise WebError("Tipo de marcação inválido.")
    reason = " ".join(motivo.split())
    if len(reason) < 5:
        raise WebError("Escreva o motivo da inclusão (pelo menos 5 caracteres).")
    h, m = (int(x) for x in hora.strip().split(":"))
    at = datetime.combine(day, time(h, m), TZ)
    if at > datetime.now(UTC) + timedelta(minutes=5):
        raise WebError("Não é possível incluir uma marcação no futuro.")
    row = add_manual_punch(s, emp.id, at, tipo, reason[:1000], user)
    detail = {"id": row.id, "quando": at.isoformat(), "tipo": tipo, "motivo": reason}
    auth.audit(s, user, "marcacao_incluida", f"funcionario:{emp.id}", detail)
    return redirect("/correcoes?salvo=1")


@router.post("/ausencias")
def absence_add(
    request: Request,
    s: DB,
    user: User,
    funcionario: F,
    data: F,
    motivo: F,
    csrf: OptF = None,
) -> Response:
    need(user, "review")
    check_csrf(user, csrf)
    emp, day = _employee_and_day(s, user, funcionario, data)
    reason = " ".join(motivo.split())[:150]
    if day is None or len(reason) < 3:
        raise WebError("Informe a data e o motivo da ausência (ex.: Atestado médico).")
    if absence_on(s, emp.id, day):
        raise WebError("Já há uma ausência registrada nesse dia para esse funcionário.")
    add_absence(s, emp.id, day, reason, user.name)
    auth.audit(s, user, "ausencia_registrada", f"funcionario:{emp.id}",
               {"data": day.isoformat(), "motivo": reason})  # fmt: skip
    return redirect("/correcoes?salvo=1")
