"""Login, logout, the today board, users and teams, the audit log."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import select

from app.central import auth, service
from app.central.errors import CentralError
from app.central.hr_models import AuditEntry, Team
from app.central.hr_models import User as UserRow
from app.central.models import Kiosk, QuarantinedRecord
from app.central.web import queries
from app.central.web.app import (
    COOKIE,
    DB,
    User,
    WebError,
    check_csrf,
    need,
    parse_int,
    redirect,
    render,
)

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
        token, _ = auth.login(s, usuario, senha)
    except auth.AuthError as exc:
        s.commit()  # keep the audit entry of the refused login
        return render(
            request, "login.html", 401, proximo=_safe_next(proximo), error=str(exc), usuario=usuario
        )
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
    board = queries.today_board(s, user) if user.role != "ti" else None
    pending = queries.pending_review_count(s, user) if user.can("review") else 0
    quarantined = queries.open_quarantine_count(s) if can_see_quarantine(user) else 0
    return render(request, "today.html", board=board, kiosks=queries.kiosk_rows(s), pending=pending,
                  quarantined=quarantined)  # fmt: skip


def can_see_quarantine(user) -> bool:
    """RH and TI: a quarantined record is about a kiosk and may name anyone."""
    return user.can("edit_employees") or user.can("kiosks")


@router.get("/quarentena")
def quarantine_page(request: Request, s: DB, user: User) -> Response:
    if not can_see_quarantine(user):
        need(user, "kiosks")
    q = QuarantinedRecord
    rows = s.scalars(
        select(q).where(q.reason != "gap").order_by(q.acknowledged_at.is_not(None), q.id.desc())
        .limit(300)
    ).all()  # fmt: skip
    kiosks = {k.id: k for k in s.scalars(select(Kiosk))}
    return render(request, "quarantine.html", rows=[(r, _record(r)) for r in rows], kiosks=kiosks,
                  reasons=QUARANTINE_REASONS)  # fmt: skip


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


@router.get("/usuarios")
def users_page(request: Request, s: DB, user: User) -> Response:
    need(user, "users")
    users = s.scalars(select(UserRow).order_by(UserRow.username)).all()
    teams = s.scalars(select(Team).order_by(Team.name)).all()
    return render(request, "users.html", users=users, teams=teams, roles=auth.ROLE_NAMES)


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
    if team_id is not None and s.get(Team, team_id) is None:
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
    row = s.get(UserRow, user_id)
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
    if s.scalar(select(Team.id).where(Team.name == name)) is not None:
        raise WebError("Essa equipe já existe.")
    team = Team(name=name)
    s.add(team)
    s.flush()
    auth.audit(s, user, "equipe_criada", f"equipe:{team.id}", {"nome": name})
    return redirect("/usuarios")


@router.get("/auditoria")
def audit_page(request: Request, s: DB, user: User, pagina: int = 1) -> Response:
    need(user, "audit")
    page = max(1, min(pagina, 10_000))
    rows = s.scalars(
        select(AuditEntry).order_by(AuditEntry.id.desc()).limit(101).offset((page - 1) * 100)
    ).all()
    return render(request, "audit.html", rows=rows[:100], page=page, more=len(rows) > 100)
