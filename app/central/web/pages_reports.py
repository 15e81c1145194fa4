"""Timesheets (espelho on screen and as PDF, month summary CSV/XLSX) and exports (AEJ, AFD per
kiosk), plus the employer data they print."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from app.central import aej, auth
from app.central.aej_check import check as check_aej
from app.central.espelho_pdf import (
    Header,
    espelho_pdf,
    espelhos_pdf,
    month_name,
    summary_csv,
    summary_xlsx,
)
from app.central.hr_data import TZ, espelhos, month_bounds
from app.central.hr_models import Employer
from app.central.models import Employee
from app.central.web.deps import DB, User, check_csrf, need, redirect, render
from app.central.web.errors import NotFound, WebError
from app.central.web.forms import parse_date, parse_int, parse_month
from app.central.web.queries.kiosks import all_kiosk_ids, kiosk_by_id, kiosks_by_name
from app.central.web.queries.reports import EmployerData, registered_employer, save_employer
from app.central.web.queries.scope import employee_or_404, visible_employees

router = APIRouter()
# Brazil's IANA zones (name shown to HR): where a kiosk may stand.
ZONES = {
    "America/Noronha": "Fernando de Noronha (UTC-2)",
    "America/Sao_Paulo": "Brasília: S/SE, GO, DF, BA, MG... (UTC-3)",
    "America/Bahia": "Bahia (UTC-3)",
    "America/Fortaleza": "CE, RN, PB, PI, MA (UTC-3)",
    "America/Recife": "Pernambuco (UTC-3)",
    "America/Maceio": "Alagoas e Sergipe (UTC-3)",
    "America/Belem": "Pará (leste) e Amapá (UTC-3)",
    "America/Santarem": "Pará (oeste) (UTC-3)",
    "America/Araguaina": "Tocantins (UTC-3)",
    "America/Manaus": "Amazonas (leste) (UTC-4)",
    "America/Boa_Vista": "Roraima (UTC-4)",
    "America/Porto_Velho": "Rondônia (UTC-4)",
    "America/Cuiaba": "Mato Grosso (UTC-4)",
    "America/Campo_Grande": "Mato Grosso do Sul (UTC-4)",
    "America/Rio_Branco": "Acre (UTC-5)",
    "America/Eirunepe": "Amazonas (oeste) (UTC-5)",
}
F = Annotated[str, Form()]
OptF = Annotated[str | None, Form()]


def _employer(s: DB) -> Employer:
    row = registered_employer(s)
    if row is None:
        raise WebError(
            "Cadastre primeiro o empregador (CNPJ e razão social) na página Exportações.",
            "Empregador não cadastrado",
        )
    return row


def _download(data: bytes, name: str, kind: str) -> Response:
    return Response(
        data, media_type=kind, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get("/espelho")
def timesheet(
    request: Request, s: DB, user: User, funcionario: str = "", mes: str = ""
) -> Response:
    need(user, "timesheets")
    year, month = parse_month(mes)
    people = visible_employees(s, user, active_only=False)
    emp_id = parse_int(funcionario, "Funcionário")
    chosen = employee_or_404(s, user, emp_id) if emp_id is not None else None
    sheet = None
    if chosen is not None:
        sheet = espelhos(s, year, month, [chosen], today=datetime.now(TZ).date())[0][1]
    return render(request, "timesheet.html", people=people, chosen=chosen, sheet=sheet,
                  mes=f"{year:04d}-{month:02d}", month_label=month_name(year, month))  # fmt: skip


def _header(employer: Employer, emp: Employee, now: datetime) -> Header:
    return Header(employer.name, employer.cnpj, emp.name, emp.cpf, now.replace(tzinfo=None),
                  emp.role or "", emp.admission_date)  # fmt: skip


@router.get("/espelho/todos/{mes}.pdf")
def timesheets_pdf(request: Request, s: DB, user: User, mes: str) -> Response:
    """Everyone the user may see, one PDF (each employee on new pages, numbered per employee):
    active people, and those deactivated who still worked that month."""
    need(user, "timesheets")
    year, month = parse_month(mes)
    employer = _employer(s)
    now = datetime.now(TZ)
    people = visible_employees(s, user, active_only=False)
    sheets = [(e, sh) for e, sh in espelhos(s, year, month, people, today=now.date())
              if e.active or sh.totals.worked]  # fmt: skip
    auth.audit(s, user, "espelhos_pdf", "", {"mes": mes, "funcionarios": len(sheets)})
    data = espelhos_pdf([(_header(employer, e, now), sh) for e, sh in sheets])
    return _download(data, f"espelhos_{year:04d}-{month:02d}.pdf", "application/pdf")


@router.get("/espelho/{employee_id}/{mes}.pdf")
def timesheet_pdf(request: Request, s: DB, user: User, employee_id: int, mes: str) -> Response:
    need(user, "timesheets")
    year, month = parse_month(mes)
    emp = employee_or_404(s, user, employee_id)
    employer = _employer(s)
    now = datetime.now(TZ)
    sheet = espelhos(s, year, month, [emp], today=now.date())[0][1]
    auth.audit(s, user, "espelho_pdf", f"funcionario:{emp.id}", {"mes": mes})
    name = f"espelho_{emp.cpf}_{year:04d}-{month:02d}.pdf"
    return _download(espelho_pdf(_header(employer, emp, now), sheet), name, "application/pdf")


@router.get("/folha/{mes}.{ext}")
def payroll(request: Request, s: DB, user: User, mes: str, ext: str) -> Response:
    need(user, "timesheets")
    if ext not in ("csv", "xlsx"):
        raise NotFound("Formato desconhecido: use .csv ou .xlsx.")
    year, month = parse_month(mes)
    people = visible_employees(s, user, active_only=False)
    sheets = espelhos(s, year, month, people, today=datetime.now(TZ).date())
    items = [(e.name, e.cpf, sh) for e, sh in sheets if e.active or sh.totals.worked]
    auth.audit(s, user, "resumo_mensal", "", {"mes": mes, "formato": ext})
    name = f"resumo_{year:04d}-{month:02d}.{ext}"
    if ext == "csv":
        return _download(summary_csv(items), name, "text/csv; charset=utf-8")
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _download(summary_xlsx(items, month_name(year, month)), name, xlsx)


@router.get("/exportacoes")
def exports(
    request: Request, s: DB, user: User, mes: str = "", de: str = "", ate: str = ""
) -> Response:
    """The period picked (``de``/``ate``, or a whole ``mes``; the current month by default)
    drives the AEJ form and every AFD link."""
    need(user, "exports")
    if de or ate:
        first, last = _period(de, ate)
        year, month = first.year, first.month
    else:
        year, month = parse_month(mes)
        first, last = month_bounds(year, month)
    return render(request, "exports.html", employer=registered_employer(s),
                  kiosks=kiosks_by_name(s), zones=ZONES,
                  de=first.isoformat(), ate=last.isoformat(), first=first, last=last,
                  mes=f"{year:04d}-{month:02d}")  # fmt: skip


@router.post("/empresa")
def employer_save(
    request: Request,
    s: DB,
    user: User,
    cnpj: F,
    nome: F,
    inpi: OptF = None,
    desenvolvedor: OptF = None,
    desenvolvedor_nome: OptF = None,
    desenvolvedor_email: OptF = None,
    csrf: OptF = None,
) -> Response:
    need(user, "exports")
    check_csrf(user, csrf)
    digits = re.sub(r"\D", "", cnpj)
    inpi_digits = re.sub(r"\D", "", inpi or "")
    dev = re.sub(r"\D", "", desenvolvedor or "")
    dev_name = " ".join((desenvolvedor_nome or "").split())
    dev_email = (desenvolvedor_email or "").strip()
    if dev and len(dev) not in (11, 14):
        raise WebError("CNPJ/CPF do desenvolvedor: 14 ou 11 dígitos.")
    if inpi_digits and set(inpi_digits) == {"0"}:
        raise WebError("Registro INPI zerado: informe o número de registro do REP-P no INPI.")
    if (
        len(dev_name) > 150
        or (dev_email and not re.match(r"^[^@\s|]+@[^@\s|]+\.[^@\s|]+$", dev_email))
        or len(dev_email) > 50
    ):
        raise WebError("Desenvolvedor: nome até 150 caracteres; e-mail válido até 50.")
    if len(digits) not in (11, 14):
        raise WebError("Informe um CNPJ (14 dígitos) ou CPF (11 dígitos).")
    if not 2 <= len(nome.strip()) <= 150 or len(inpi_digits) > 17:
        raise WebError("Razão social até 150 caracteres; registro INPI até 17 dígitos.")
    row = save_employer(s, EmployerData(digits, " ".join(nome.split()), inpi_digits, dev,
                                        dev_name, dev_email))  # fmt: skip
    auth.audit(s, user, "empregador_alterado", "empregador", {"cnpj": digits, "nome": row.name})
    return redirect("/exportacoes")


@router.post("/quiosques/{kiosk_id}/fuso")
def kiosk_zone_save(
    request: Request, s: DB, user: User, kiosk_id: int, fuso: F, csrf: OptF = None
) -> Response:
    """The kiosk's IANA zone: its AFD header and whatever of it has no punch of its own."""
    need(user, "exports")
    check_csrf(user, csrf)
    kiosk = kiosk_by_id(s, kiosk_id)
    if kiosk is None:
        raise NotFound("Quiosque não encontrado.")
    if fuso not in ZONES:
        raise WebError("Fuso horário desconhecido: escolha um da lista.")
    kiosk.time_zone = fuso
    auth.audit(s, user, "fuso_alterado", f"quiosque:{kiosk.id}", {"fuso": fuso})
    return redirect("/exportacoes")


def _period(de: str, ate: str) -> tuple[date, date]:
    first, last = parse_date(de, "De"), parse_date(ate, "Até")
    if first is None or last is None:
        raise WebError("Informe o período (de, até).")
    if last < first or (last - first).days > 366:
        raise WebError("Período inválido: até 366 dias, terminando depois de começar.")
    return first, last


@router.get("/exportacoes/aej")
def export_aej(request: Request, s: DB, user: User, de: str = "", ate: str = "") -> Response:
    need(user, "personal_exports")
    first, last = _period(de, ate)
    employer = _employer(s)
    people = [e for e in visible_employees(s, user, active_only=False)]
    vinculos = []
    months = sorted({(d.year, d.month) for d in _days(first, last)})
    per_emp: dict[int, list] = {e.id: [] for e in people}
    for y, m in months:
        for e, sh in espelhos(s, y, m, people, today=datetime.now(TZ).date()):
            per_emp[e.id].append(sh)
    for e in people:
        for sh in per_emp[e.id]:
            if any(line.marks or "Falta" in line.notes for line in sh.days):
                vinculos.append(aej.Vinculo(e.cpf, e.name, sh))
    merged = _merge_vinculos(vinculos)
    reps = {str(k): employer.inpi or "0" for k in all_kiosk_ids(s)}
    ptrp = _ptrp(employer)
    text = aej.build(aej.Employer(employer.cnpj, employer.name), first, last, merged, reps, TZ,
                     datetime.now(TZ), ptrp)  # fmt: skip
    data = text.encode("iso-8859-1", errors="replace")
    problems = check_aej(data)
    if problems:
        raise WebError("O AEJ gerado não passou na validação: " + "; ".join(problems[:5]))
    auth.audit(s, user, "aej_exportado", "", {"de": de, "ate": ate, "vinculos": len(merged)})
    return _download(
        data, aej.file_name(employer.cnpj, first, last), "text/plain; charset=iso-8859-1"
    )


def _ptrp(employer: Employer) -> aej.Ptrp:
    """The AEJ's record 08 from what HR filed on Exportações (never hard-coded or empty)."""
    if not (employer.developer_id and employer.developer_name and employer.developer_email):
        raise WebError(
            "Cadastre o CNPJ/CPF, o nome e o e-mail do desenvolvedor do programa de tratamento "
            "de ponto em Exportações antes de gerar o AEJ.",
            "Desenvolvedor não cadastrado",
        )
    from app import __version__

    return aej.Ptrp(version=__version__, developer_id=employer.developer_id,
                    developer_name=employer.developer_name,
                    email=employer.developer_email)  # fmt: skip


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _merge_vinculos(items: list[aej.Vinculo]) -> list[aej.Vinculo]:
    """One vínculo per CPF: the AEJ writer walks each espelho's days, so a multi-month period
    becomes one Vinculo per month of the same person, keyed once in record 03."""
    from app.central.timesheet import Espelho, totals

    by_cpf: dict[str, list[aej.Vinculo]] = {}
    for v in items:
        by_cpf.setdefault(v.cpf, []).append(v)
    out = []
    for cpf, group in by_cpf.items():
        days = tuple(d for v in group for d in v.espelho.days)
        first = group[0].espelho
        merged = Espelho(first.year, first.month, first.schedule, days, totals(days))
        out.append(aej.Vinculo(cpf, group[0].name, merged))
    return out


@router.get("/exportacoes/afd/{kiosk_id}")
def export_afd(
    request: Request, s: DB, user: User, kiosk_id: int, de: str = "", ate: str = ""
) -> Response:
    need(user, "personal_exports")
    from app.central.afd_export import AfdError, RepOwner, kiosk_afd

    first, last = _period(de, ate)
    kiosk = kiosk_by_id(s, kiosk_id)
    if kiosk is None:
        raise NotFound("Quiosque não encontrado.")
    employer = _employer(s)
    owner = RepOwner(employer.cnpj, employer.name, employer.inpi, employer.developer_id)
    try:
        data, name = kiosk_afd(s, kiosk, owner, first, last, datetime.now(UTC))
    except AfdError as exc:
        raise WebError(str(exc)) from None
    auth.audit(s, user, "afd_exportado", f"quiosque:{kiosk.id}", {"de": de, "ate": ate})
    return _download(data, name, "text/plain; charset=iso-8859-1")
