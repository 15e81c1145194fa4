"""Punches (filters), the review queue for flagged punches, corrections (manual inclusions) and
justified absences. Nothing here changes a punch: decisions and inclusions are new records."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import select

from app.central import auth
from app.central.hr_data import TZ, latest_decisions
from app.central.hr_models import Absence, ManualPunch, PunchDecision
from app.central.models import CentralVerdict, Employee, Kiosk, Punch, PunchAudio
from app.central.web import queries
from app.central.web.deps import DB, User, check_csrf, need, redirect, render
from app.central.web.errors import NotFound, WebError
from app.central.web.forms import parse_date, parse_int

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
    q = queries.scoped(select(Punch, Employee).join(Employee, Employee.id == Punch.employee_id),
                       user)  # fmt: skip
    mq = queries.scoped(
        select(ManualPunch, Employee).join(Employee, Employee.id == ManualPunch.employee_id), user
    )
    if emp_id is not None:
        q, mq = q.where(Punch.employee_id == emp_id), mq.where(ManualPunch.employee_id == emp_id)
    if kiosk_id is not None:
        q = q.where(Punch.kiosk_id == kiosk_id)
    if sinalizadas:
        q = q.where(Punch.flagged)
    if start:
        q, mq = q.where(Punch.punched_at_ts >= start), mq.where(ManualPunch.punched_at >= start)
    if end:
        q, mq = q.where(Punch.punched_at_ts < end), mq.where(ManualPunch.punched_at < end)
    rows = s.execute(
        q.order_by(Punch.punched_at_ts.desc(), Punch.id.desc())
        .limit(PAGE + 1)
        .offset((page - 1) * PAGE)
    ).all()
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    manual: list[Any] = []
    if kiosk_id is None and not sinalizadas:
        # inclusions between this page's oldest and newest punch (unbounded at the ends)
        if rows and more:
            mq = mq.where(ManualPunch.punched_at >= rows[-1][0].punched_at_ts)
        if rows and page > 1:
            mq = mq.where(ManualPunch.punched_at <= rows[0][0].punched_at_ts)
        manual = list(s.execute(mq.order_by(ManualPunch.punched_at.desc()).limit(PAGE)).all())
    decisions = latest_decisions(s, [p.id for p, _ in rows if p.flagged])
    items = [("punch", p.punched_at_ts, p, e) for p, e in rows]
    items += [("manual", m.punched_at, m, e) for m, e in manual]
    items.sort(key=lambda x: x[1], reverse=True)
    ctx: dict[str, Any] = {
        "items": items,
        "decisions": decisions,
        "employees": queries.visible_employees(s, user, active_only=False),
        "kiosks": {k.id: k.name for k in s.scalars(select(Kiosk))},
        "f": {
            "funcionario": funcionario,
            "quiosque": quiosque,
            "de": de,
            "ate": ate,
            "sinalizadas": sinalizadas,
        },
        "page": page,
        "more": more,
        "types": TYPES,
    }
    return render(request, "punches.html", **ctx)


@router.get("/revisao")
def review_queue(request: Request, s: DB, user: User) -> Response:
    need(user, "review")
    q = queries.pending_review_query(user).order_by(Punch.punched_at_ts).limit(200)
    rows = s.execute(q).all()
    kiosks = {k.id: k.name for k in s.scalars(select(Kiosk))}
    return render(request, "review.html", rows=rows, kiosks=kiosks, types=TYPES,
                  total=queries.pending_review_count(s, user))  # fmt: skip


@router.get("/revisao/{punch_id}")
def review_item(request: Request, s: DB, user: User, punch_id: int) -> Response:
    need(user, "review")
    p = queries.punch_or_404(s, user, punch_id)
    history = s.scalars(
        select(PunchDecision).where(PunchDecision.punch_id == p.id).order_by(PunchDecision.id)
    ).all()
    verdicts = s.scalars(select(CentralVerdict).where(CentralVerdict.punch_id == p.id)).all()
    has_audio = s.scalar(select(PunchAudio.punch_id).where(PunchAudio.punch_id == p.id)) is not None
    return render(request, "review_item.html", p=p, emp=s.get(Employee, p.employee_id),
                  kiosk=s.get(Kiosk, p.kiosk_id), history=history, verdicts=verdicts,
                  has_audio=has_audio, types=TYPES)  # fmt: skip


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
    p = queries.punch_or_404(s, user, punch_id)
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
    d = PunchDecision(punch_id=p.id, approved=decisao == "aprovar", justification=text[:1000],
                      user_id=user.id, author=user.name)  # fmt: skip
    s.add(d)
    auth.audit(s, user, "marcacao_aprovada" if d.approved else "marcacao_rejeitada",
               f"marcacao:{p.id}", {"nsr": p.nsr, "justificativa": text[:1000]})  # fmt: skip
    nxt = s.execute(
        queries.pending_review_query(user).where(Punch.id != p.id).order_by(Punch.punched_at_ts)
    ).first()
    return redirect(f"/revisao/{nxt[0].id}" if nxt else "/revisao")


@router.get("/marcacoes/{punch_id}/audio")
def punch_audio(request: Request, s: DB, user: User, punch_id: int) -> Response:
    need(user, "review")
    p = queries.punch_or_404(s, user, punch_id)
    audio = s.get(PunchAudio, p.id)
    if audio is None:
        raise NotFound("O áudio desta marcação não foi guardado.")
    kind = "audio/wav" if audio.data[:4] == b"RIFF" else "application/octet-stream"
    auth.audit(s, user, "audio_ouvido", f"marcacao:{p.id}")
    return Response(audio.data, media_type=kind)


@router.get("/correcoes")
def corrections(request: Request, s: DB, user: User, funcionario: str = "") -> Response:
    need(user, "review")
    q = (
        queries.scoped(
            select(ManualPunch, Employee).join(Employee, Employee.id == ManualPunch.employee_id),
            user,
        )
        .order_by(ManualPunch.id.desc())
        .limit(100)
    )
    absences = (
        queries.scoped(
            select(Absence, Employee).join(Employee, Employee.id == Absence.employee_id), user
        )
        .order_by(Absence.id.desc())
        .limit(50)
    )
    return render(request, "corrections.html", rows=s.execute(q).all(),
                  absences=s.execute(absences).all(), types=TYPES,
                  employees=queries.visible_employees(s, user), chosen=funcionario,
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
    emp = queries.employee_or_404(s, user, parse_int(funcionario, "Funcionário"))
    day = parse_date(data, "Data")
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
    row = ManualPunch(employee_id=emp.id, punched_at=at, type=tipo, reason=reason[:1000],
                      user_id=user.id, author=user.name)  # fmt: skip
    s.add(row)
    s.flush()
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
    emp = queries.employee_or_404(s, user, parse_int(funcionario, "Funcionário"))
    day = parse_date(data, "Data")
    reason = " ".join(motivo.split())[:150]
    if day is None or len(reason) < 3:
        raise WebError("Informe a data e o motivo da ausência (ex.: Atestado médico).")
    exists = s.scalar(select(Absence.id).where(Absence.employee_id == emp.id, Absence.day == day))
    if exists is not None:
        raise WebError("Já há uma ausência registrada nesse dia para esse funcionário.")
    s.add(Absence(employee_id=emp.id, day=day, reason=reason, author=user.name))
    auth.audit(s, user, "ausencia_registrada", f"funcionario:{emp.id}",
               {"data": day.isoformat(), "motivo": reason})  # fmt: skip
    return redirect("/correcoes?salvo=1")
