"""Login, logout, the today board, users and teams, the audit log."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from app.central import anchors, audit_text, auth, service
from app.central.errors import CentralError
from app.central.hr_data import TZ
from app.central.models import QuarantinedRecord
from app.central.web.deps import COOKIE, DB, User, check_csrf, need, redirect, render
from app.central.web.errors import NotFound, WebError
from app.central.web.forms import parse_int
from app.central.web.queries.admin import (
    add_team,
    audit_page_rows,
    team_exists,
    team_name_taken,
    teams_by_name,
    user_by_id,
    users_by_username,
)
from app.central.web.queries.kiosks import (
    kiosk_row,
    kiosk_rows,
    kiosks_by_id,
    open_quarantine_count,
    quarantine_list,
    recent_kiosk_events,
)
from app.central.web.queries.punches import pending_review_count
from app.central.web.queries.today import today_board

router = APIRouter()
F = Annotated[str, Form()]
OptF = Annotated[str | None, Form()]


def _safe_next(nxt: str | None) -> str:
    return nxt if nxt and nxt.startswith("/") and not nxt.startswith("//") else "/"


@router.get("/entrar")
def login_page(request: Request, proximo: str | None = None) -> Response:
    return render(request, "login.html", proximo=_safe_next(proximo), error=None)


@router.post("/entrar")
def login_submit(request: Request, s: DB, usuario: F, senha: F, proximo: OptF = None) -> Response:
    try:
        token, _ = auth.login(s, usuario, senha, request.client.host if request.client else "")
    except auth.AuthError as exc:
        s.commit()  # keep the audit entry (and the throttle count) of the refused login
        wait = exc.wait_s if isinstance(exc, auth.TooManyAttempts) else 0
        page = render(request, "login.html", 429 if wait else 401, proximo=_safe_next(proximo),
                      error=str(exc), usuario=usuario)  # fmt: skip
        if wait:
            page.headers["Retry-After"] = str(wait)
        return page
    resp = redirect(_safe_next(proximo))
    secure = request.url.scheme == "https"
    resp.set_cookie(
        COOKIE, token, httponly=True, samesite="strict", secure=secure,
        max_age=auth.SESSION_HOURS * 3600,
    )  # fmt: skip
    return resp


@router.post("/sair")
def logout(request: Request, s: DB, user: User, csrf: OptF = None) -> Response:
    check_csrf(user, csrf)
    auth.logout(s, request.cookies.get(COOKIE), user)
    resp = redirect("/entrar")
    resp.delete_cookie(COOKIE)
    return resp


@router.get("/")
def today(request: Request, s: DB, user: User) -> Response:
    need(user, "today")
    board = today_board(s, user) if user.role != "ti" else None
    pending = pending_review_count(s, user) if user.can("review") else 0
    quarantined = open_quarantine_count(s) if can_see_quarantine(user) else 0
    # RH and TI see the kiosks' security alerts (docs/SECURITY.md)
    alerts = anchors.open_alerts(s) if can_see_quarantine(user) else []
    return render(request, "today.html", board=board, kiosks=kiosk_rows(s), pending=pending,
                  quarantined=quarantined, day=datetime.now(TZ).date(), security_alerts=alerts,
                  kiosk_details=can_see_quarantine(user))  # fmt: skip


# What each kind of kiosk event means and what to do about it (the Alertas badge opens these).
EVENT_HELP: dict[str, tuple[str, str]] = {
    "quarantine": (
        "Registro recusado (quarentena)",
        "Abra Quarentena, confira o registro com o quiosque (AFD do próprio quiosque) e registre"
        " o que foi verificado. Se repetir, chame o TI: pode ser um quiosque restaurado de um"
        " backup antigo ou adulterado.",
    ),
    "revoked": (
        "Credencial revogada",
        "O quiosque não envia mais marcações. Para voltar a usá-lo, gere um código"
        " (central enroll-code) e cadastre-o de novo.",
    ),
    "roster": (
        "Funcionários vindos do quiosque",
        "Abra Funcionários e confira a data de admissão, o cargo e o horário das pessoas"
        " cadastradas pelo quiosque.",
    ),
    "gap": (
        "Lacuna de NSR",
        "Registros do quiosque ainda não chegaram. Verifique a rede e se o quiosque está ligado;"
        " se a lacuna não fechar em um dia, chame o TI.",
    ),
}
EVENT_DEFAULT = (
    "Alerta do quiosque",
    "Leia o detalhe e, se não souber o que fazer, chame o TI com o nome do quiosque e a data.",
)


@router.get("/quiosques/{kiosk_id}")
def kiosk_page(request: Request, s: DB, user: User, kiosk_id: int) -> Response:
    """One kiosk's alerts with what each means and what to do (RH and TI)."""
    if not can_see_quarantine(user):
        need(user, "kiosks")
    row = kiosk_row(s, kiosk_id)
    if row is None:
        raise NotFound("Quiosque não encontrado.")
    events = recent_kiosk_events(s, kiosk_id, limit=200)
    items = [(e, *EVENT_HELP.get(e.kind, EVENT_DEFAULT)) for e in events]
    return render(request, "kiosk.html", k=row, items=items)


def can_see_quarantine(user) -> bool:
    """RH and TI: a quarantined record is about a kiosk and may name anyone."""
    return user.can("edit_employees") or user.can("kiosks")


@router.get("/quarentena")
def quarantine_page(request: Request, s: DB, user: User) -> Response:
    if not can_see_quarantine(user):
        need(user, "kiosks")
    rows = quarantine_list(s, limit=300)
    return render(request, "quarantine.html", rows=[(r, _record(r)) for r in rows],
                  kiosks=kiosks_by_id(s), reasons=QUARANTINE_REASONS)  # fmt: skip


QUARANTINE_REASONS = {
    "hash": "hash do registro não confere com os campos",
    "link": "não encadeia com o registro anterior guardado na Central",
    "conflict": "NSR já guardado com outro conteúdo",
    "kiosk_id": "kiosk_id diferente do cadastrado",
}


def _record(r: QuarantinedRecord) -> dict:
    try:
        data = json.loads(r.record)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


@router.post("/quarentena/{record_id}")
def quarantine_ack(
    request: Request, s: DB, user: User, record_id: int, nota: OptF = None, csrf: OptF = None
) -> Response:
    if not can_see_quarantine(user):
        need(user, "kiosks")
    check_csrf(user, csrf)
    try:
        row = service.acknowledge(s, record_id, user.name, nota or "")
    except CentralError as exc:
        raise WebError(str(exc)[:1].upper() + str(exc)[1:] + ".") from None
    auth.audit(s, user, "quarentena_ciente", f"quarentena:{row.id}",
               {"nsr": row.nsr, "quiosque": row.kiosk_id, "nota": row.ack_note})  # fmt: skip
    return redirect("/quarentena")


@router.post("/alertas/{event_id}/ciente")
def security_alert_ack(request: Request, s: DB, user: User, event_id: int, csrf: OptF = None
                       ) -> Response:  # fmt: skip
    """RH/TI saw a kiosk security alert (docs/SECURITY.md); it leaves Hoje, stays in the history."""
    if not can_see_quarantine(user):
        need(user, "kiosks")
    check_csrf(user, csrf)
    if not anchors.acknowledge(s, event_id, user.name):
        raise NotFound("Alerta não encontrado ou já visto.")
    auth.audit(s, user, "alerta_ciente", f"alerta:{event_id}")
    return redirect("/")


@router.get("/usuarios")
def users_page(request: Request, s: DB, user: User) -> Response:
    need(user, "users")
    users = users_by_username(s)
    teams = teams_by_name(s)
    return render(request, "users.html", users=users, teams=teams, roles=auth.ROLE_NAMES,
                  team_names={t.id: t.name for t in teams})  # fmt: skip


@router.post("/usuarios")
def users_add(
    request: Request,
    s: DB,
    user: User,
    usuario: F,
    nome: F,
    senha: F,
    perfil: F,
    csrf: OptF = None,
    equipe: OptF = None,
) -> Response:
    need(user, "users")
    check_csrf(user, csrf)
    team_id = parse_int(equipe, "Equipe")
    if perfil == "gestor" and team_id is None:
        raise WebError("Um gestor precisa de uma equipe.")
    if team_id is not None and not team_exists(s, team_id):
        raise WebError("Equipe inexistente.")
    try:
        auth.create_user(s, usuario, nome, senha, perfil, team_id, actor=user)
    except auth.AuthError as exc:
        raise WebError(str(exc)) from None
    return redirect("/usuarios")


@router.post("/usuarios/{user_id}/ativo")
def users_toggle(request: Request, s: DB, user: User, user_id: int, csrf: OptF = None) -> Response:
    need(user, "users")
    check_csrf(user, csrf)
    row = user_by_id(s, user_id)
    if row is None:
        raise WebError("Usuário inexistente.")
    if row.id == user.id:
        raise WebError("Você não pode desativar o próprio usuário.")
    row.active = not row.active
    auth.audit(
        s, user, "usuario_ativo" if row.active else "usuario_desativado", f"usuario:{row.id}"
    )
    return redirect("/usuarios")


@router.post("/equipes")
def teams_add(request: Request, s: DB, user: User, nome: F, csrf: OptF = None) -> Response:
    need(user, "users")
    check_csrf(user, csrf)
    name = " ".join(nome.split())[:120]
    if not name:
        raise WebError("Informe o nome da equipe.")
    if team_name_taken(s, name):
        raise WebError("Essa equipe já existe.")
    team = add_team(s, name)
    auth.audit(s, user, "equipe_criada", f"equipe:{team.id}", {"nome": name})
    return redirect("/usuarios")


@router.get("/auditoria")
def audit_page(request: Request, s: DB, user: User, pagina: int = 1) -> Response:
    need(user, "audit")
    page = max(1, min(pagina, 10_000))
    rows = audit_page_rows(s, page, per_page=100)
    lines = audit_text.describe(s, rows[:100])
    return render(request, "audit.html", rows=lines, page=page, more=len(rows) > 100)
