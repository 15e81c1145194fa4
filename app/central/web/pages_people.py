"""Employees (add, edit, deactivate, reset PIN/badge, kiosks, team, schedule), schedules and
holidays. A change bumps ``employees.updated_at`` so the roster flows down to the kiosks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from app.central import auth, security, service, voice_labels
from app.central.errors import CentralError
from app.central.models import Employee
from app.central.web.deps import DB, User, check_csrf, need, redirect, render
from app.central.web.errors import WebError
from app.central.web.forms import parse_date, parse_int
from app.central.web.queries.admin import team_exists, team_names
from app.central.web.queries.kiosks import kiosk_by_id
from app.central.web.queries.people import (
    add_holiday,
    add_schedule,
    cpf_taken,
    credential_clash,
    employee_form_choices,
    holiday_exists,
    profile_of,
    profiles_of,
    recent_holidays,
    save_profile,
    schedule_exists,
    schedules_by_code,
)
from app.central.web.queries.scope import employee_or_404, visible_employees
from app.rep.pin_rules import pin_problem

router = APIRouter()
F = Annotated[str, Form()]
OptF = Annotated[str | None, Form()]
ListF = Annotated[list[str], Form()]


def cpf_ok(cpf: str) -> bool:
    d = [int(c) for c in cpf]
    if len(d) != 11 or len(set(d)) == 1:
        return False
    for n in (9, 10):
        total = sum(d[i] * (n + 1 - i) for i in range(n))
        if (total * 10 % 11) % 10 != d[n]:
            return False
    return True


def _secret(value: str | None, kind: str) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if kind == "pin" and (problem := pin_problem(value)):  # the kiosk's own PIN policy
        raise WebError(problem)
    if kind == "badge" and not re.fullmatch(r"[0-9A-Za-z]{1,32}", value):
        raise WebError("O crachá deve ter até 32 letras ou dígitos.")
    return value


def _set_secret(s: DB, emp: Employee, kind: str, value: str) -> None:
    h, indexes = security.credential(s, kind, value)  # the kiosks' roster pepper
    if credential_clash(s, kind, indexes, emp.id):
        what = "PIN" if kind == "pin" else "crachá"
        raise WebError(f"Esse {what} já é usado por outro funcionário ativo.")
    if kind == "pin":
        emp.pin_index, emp.pin_hash = h.index, h.hash
    else:
        emp.badge_index, emp.badge_hash = h.index, h.hash


def _form_ctx(s: DB) -> dict:
    choices = employee_form_choices(s)
    return {"teams": choices.teams, "schedules": choices.schedules, "kiosks": choices.kiosks}


@dataclass(frozen=True)
class PlacementForm:
    """The employee form's fields that creating and editing share: team, schedule, kiosks,
    admission date and role, as sent (None: not in the form)."""

    equipe: str | None
    horario: str | None
    todos_quiosques: str | None
    quiosques: tuple[str, ...]
    admissao: str | None
    cargo: str | None


def _placement_form(
    equipe: OptF = None,
    horario: OptF = None,
    todos_quiosques: OptF = None,
    quiosques: ListF = [],  # noqa: B006 - FastAPI form default, never mutated
    admissao: OptF = None,
    cargo: OptF = None,
) -> PlacementForm:
    """One place that names these form fields, for both pages that take them."""
    return PlacementForm(equipe, horario, todos_quiosques, tuple(quiosques), admissao, cargo)


Placement = Annotated[PlacementForm, Depends(_placement_form)]


def _full_name(nome: str) -> str:
    name = " ".join(nome.split())
    if not 2 <= len(name) <= 150:
        raise WebError("Informe o nome completo (até 150 caracteres).")
    return name


@router.get("/funcionarios")
def employees(request: Request, s: DB, user: User, busca: str = "", inativos: str = "") -> Response:
    need(user, "employees")
    rows = visible_employees(s, user, active_only=not inativos, search=busca)
    profiles = profiles_of(s, [e.id for e in rows])
    teams = team_names(s)
    return render(request, "employees.html", rows=rows, profiles=profiles, teams=teams,
                  busca=busca, inativos=inativos)  # fmt: skip


@router.get("/funcionarios/novo")
def employee_new(request: Request, s: DB, user: User) -> Response:
    need(user, "edit_employees")
    return render(request, "employee_form.html", emp=None, profile=None,
                  purpose=voice_labels.PURPOSE, **_form_ctx(s))  # fmt: skip


@router.post("/funcionarios/novo")
def employee_create(
    request: Request,
    s: DB,
    user: User,
    nome: F,
    cpf: F,
    pin: F,
    placement: Placement,
    csrf: OptF = None,
    cracha: OptF = None,
) -> Response:
    need(user, "edit_employees")
    check_csrf(user, csrf)
    name = _full_name(nome)
    digits = re.sub(r"\D", "", cpf)
    if not cpf_ok(digits):
        raise WebError("CPF inválido: confira os 11 dígitos.")
    if cpf_taken(s, digits):
        raise WebError("Já existe um funcionário com esse CPF.")
    if problem := pin_problem(pin.strip()):  # the kiosk's own PIN policy, its own words
        raise WebError(problem)
    try:
        emp = service.add_employee(s, name, digits, pin, _secret(cracha, "badge"))
    except CentralError as exc:
        raise WebError(str(exc).capitalize() + ".") from None
    _apply(s, user, emp, placement)
    _job(emp, placement)
    auth.audit(s, user, "funcionario_criado", f"funcionario:{emp.id}", {"nome": name})
    return redirect(f"/funcionarios/{emp.id}?salvo=1")


def _job(emp: Employee, form: PlacementForm) -> dict:
    """Admission date and role (cargo): the espelho and the AEJ start owing from admission.
    Fields not sent (a form without them) keep their value."""
    if form.admissao is None and form.cargo is None:
        return {}
    try:
        emp.role = service.clean_role(form.cargo)
    except CentralError as exc:
        raise WebError(str(exc).capitalize() + ".") from None
    emp.admission_date = parse_date(form.admissao or "", "Data de admissão")
    shown = emp.admission_date.isoformat() if emp.admission_date else ""
    return {"admissao": shown, "cargo": emp.role}


def _apply(s: DB, user: auth.CurrentUser, emp: Employee, form: PlacementForm) -> dict:
    team_id = parse_int(form.equipe, "Equipe")
    if team_id is not None and not team_exists(s, team_id):
        raise WebError("Equipe inexistente.")
    if user.role == "gestor":
        team_id = user.team_id
    code = (form.horario or "").strip() or None
    if code is not None and not schedule_exists(s, code):
        raise WebError("Horário de trabalho inexistente.")
    save_profile(s, emp.id, team_id, code)
    chosen = [parse_int(k, "Quiosque") for k in form.quiosques]
    kiosks = [kiosk_by_id(s, k) for k in chosen if k is not None]
    if any(k is None for k in kiosks):
        raise WebError("Quiosque inexistente.")
    emp.all_kiosks = bool(form.todos_quiosques) or not kiosks
    emp.kiosks = [] if emp.all_kiosks else [k for k in kiosks if k is not None]
    emp.updated_at = datetime.now(UTC)
    return {"equipe": team_id, "horario": code, "quiosques": [k.id for k in emp.kiosks]}


@router.get("/funcionarios/{employee_id}")
def employee_edit(
    request: Request, s: DB, user: User, employee_id: int, salvo: str = ""
) -> Response:
    need(user, "employees")
    emp = employee_or_404(s, user, employee_id)
    return render(request, "employee_form.html", emp=emp, profile=profile_of(s, emp.id),
                  saved=bool(salvo), purpose=voice_labels.PURPOSE, **_form_ctx(s))  # fmt: skip


@router.post("/funcionarios/{employee_id}")
def employee_update(
    request: Request,
    s: DB,
    user: User,
    employee_id: int,
    nome: F,
    placement: Placement,
    csrf: OptF = None,
) -> Response:
    need(user, "edit_employees")
    check_csrf(user, csrf)
    emp = employee_or_404(s, user, employee_id)
    name = _full_name(nome)
    before = emp.name
    emp.name = name
    detail = _apply(s, user, emp, placement)
    detail.update(_job(emp, placement))
    auth.audit(s, user, "funcionario_alterado", f"funcionario:{emp.id}",
               {"nome_antes": before, "nome": name, **detail})  # fmt: skip
    return redirect(f"/funcionarios/{emp.id}?salvo=1")


@router.post("/funcionarios/{employee_id}/ativo")
def employee_toggle(request: Request, s: DB, user: User, employee_id: int, csrf: OptF = None):
    need(user, "edit_employees")
    check_csrf(user, csrf)
    emp = employee_or_404(s, user, employee_id)
    emp.active = not emp.active
    emp.updated_at = datetime.now(UTC)
    action = "funcionario_reativado" if emp.active else "funcionario_desativado"
    auth.audit(s, user, action, f"funcionario:{emp.id}")
    return redirect(f"/funcionarios/{emp.id}?salvo=1")


@router.post("/funcionarios/{employee_id}/credenciais")
def employee_secrets(
    request: Request,
    s: DB,
    user: User,
    employee_id: int,
    csrf: OptF = None,
    pin: OptF = None,
    cracha: OptF = None,
) -> Response:
    need(user, "edit_employees")
    check_csrf(user, csrf)
    emp = employee_or_404(s, user, employee_id)
    new_pin, new_badge = _secret(pin, "pin"), _secret(cracha, "badge")
    if not new_pin and not new_badge:
        raise WebError("Informe um novo PIN ou um novo crachá.")
    if new_pin:
        _set_secret(s, emp, "pin", new_pin)
    if new_badge:
        _set_secret(s, emp, "badge", new_badge)
    emp.updated_at = datetime.now(UTC)
    auth.audit(s, user, "credenciais_redefinidas", f"funcionario:{emp.id}",
               {"pin": bool(new_pin), "cracha": bool(new_badge)})  # fmt: skip
    return redirect(f"/funcionarios/{emp.id}?salvo=1")


@router.post("/funcionarios/{employee_id}/consentimento-voz")
def employee_voice_consent(
    request: Request,
    s: DB,
    user: User,
    employee_id: int,
    acao: F,
    csrf: OptF = None,
    confirmo: OptF = None,
) -> Response:
    """Consent to keep the reviewed punch audio for improving the verifier (LGPD): given only
    with the purpose confirmed, revocable at any time; both audited."""
    need(user, "edit_employees")
    check_csrf(user, csrf)
    emp = employee_or_404(s, user, employee_id)
    if acao not in ("dar", "revogar"):
        raise WebError("Escolha registrar ou revogar o consentimento.")
    if acao == "dar" and not confirmo:
        raise WebError(
            "Confirme que o funcionário leu a finalidade e consentiu (marque a caixa) antes de"
            " registrar o consentimento."
        )
    voice_labels.set_consent(s, emp, acao == "dar", user)
    return redirect(f"/funcionarios/{emp.id}?salvo=1")


@router.get("/horarios")
def schedules(request: Request, s: DB, user: User) -> Response:
    need(user, "employees")
    rows = schedules_by_code(s)
    holidays = recent_holidays(s, limit=60)
    return render(request, "schedules.html", rows=rows, holidays=holidays)


@router.post("/horarios")
def schedule_add(
    request: Request,
    s: DB,
    user: User,
    codigo: F,
    nome: F,
    semana: F,
    entrada: F,
    intervalo: F,
    csrf: OptF = None,
) -> Response:
    need(user, "edit_employees")
    check_csrf(user, csrf)
    code = codigo.strip().upper()
    if not re.fullmatch(r"[A-Z0-9_-]{1,30}", code):
        raise WebError("Código: até 30 letras, dígitos, - ou _.")
    try:
        week = [round(float(x.replace(",", ".")) * 60) for x in semana.split()]
    except ValueError:
        raise WebError("Semana: informe 7 números de horas, de segunda a domingo.") from None
    if len(week) != 7 or any(not 0 <= w <= 16 * 60 for w in week):
        raise WebError("Semana: informe 7 valores (horas por dia, 0 a 16), de segunda a domingo.")
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", entrada.strip()):
        raise WebError("Entrada: use HH:MM.")
    brk = parse_int(intervalo, "Intervalo")
    if brk is None or brk > 240:
        raise WebError("Intervalo: minutos de 0 a 240.")
    if schedule_exists(s, code):
        raise WebError("Já existe um horário com esse código.")
    row = add_schedule(s, code, " ".join(nome.split())[:120] or code, week, entrada.strip(), brk)
    auth.audit(s, user, "horario_criado", f"horario:{code}", {"semana": row.week})
    return redirect("/horarios")


@router.post("/feriados")
def holiday_add(
    request: Request, s: DB, user: User, data: F, nome: F, csrf: OptF = None
) -> Response:
    need(user, "edit_employees")
    check_csrf(user, csrf)
    day = parse_date(data, "Data")
    name = " ".join(nome.split())[:120]
    if day is None or not name:
        raise WebError("Informe a data e o nome do feriado.")
    if holiday_exists(s, day):
        raise WebError("Já há um feriado nessa data.")
    add_holiday(s, day, name)
    auth.audit(s, user, "feriado_criado", f"feriado:{day}", {"nome": name})
    return redirect("/horarios")
