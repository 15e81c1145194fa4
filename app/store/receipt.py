"""The worker's receipt ("Comprovante de Registro de Ponto do Trabalhador", Portaria 671):
employer name and CNPJ/CPF, place, REP-P identification, worker name and CPF, punch date and
time, NSR and the punch's SHA-256 hash. As text (screen, printer) and as a PDF (80 mm wide)."""

from __future__ import annotations

from datetime import datetime

from app.core import punch_types
from app.store.cpf import format_cpf
from app.store.models import Punch
from app.store.settings import LedgerSettings

TITLE = "Comprovante de Registro de Ponto do Trabalhador"


def _employer_id(raw: str) -> str:
    d = "".join(c for c in raw if c.isdigit())
    if len(d) == 14:
        return f"CNPJ {d[:2]}.{d[2:5]}.{d[5:8]}/{d[8:12]}-{d[12:]}"
    if len(d) == 11:
        return f"CPF {format_cpf(d)}"
    return "(não configurado)"


def receipt_lines(punch: Punch, settings: LedgerSettings) -> list[str]:
    when = datetime.fromisoformat(punch.punched_at)
    verdict = "validada" if punch.validated else "não validada (em revisão)"
    return [
        TITLE,
        f"Empregador: {settings.employer_name or '(não configurado)'}",
        _employer_id(settings.employer_id),
        f"Local: {settings.place or '(não configurado)'}",
        f"REP-P: PontoVoz {settings.rep_id or ''} - coletor {punch.kiosk_id}".replace("  ", " "),
        f"Trabalhador: {punch.employee_name}",
        f"CPF: {format_cpf(punch.cpf)}",
        f"Data: {when:%d/%m/%Y}  Hora: {when:%H:%M}  ({when:%z})",
        f"Tipo: {punch_types.label(punch.type)}",
        f"NSR: {punch.nsr:09d}",
        "Código hash (SHA-256):",
        punch.afd_hash[:32],
        punch.afd_hash[32:],
        f"Confirmação por voz: {verdict}",
    ]


def receipt_text(punch: Punch, settings: LedgerSettings) -> str:
    return "\n".join(receipt_lines(punch, settings)) + "\n"


def receipt_pdf(punch: Punch, settings: LedgerSettings) -> bytes:
    from fpdf import FPDF  # imported here: only exports need it

    pdf = FPDF(orientation="P", unit="mm", format=(80, 120))
    pdf.set_margins(4, 4, 4)
    pdf.set_auto_page_break(auto=True, margin=4)
    pdf.add_page()
    lines = receipt_lines(punch, settings)
    pdf.set_font("Helvetica", "B", 9)
    pdf.multi_cell(0, 4.5, lines[0], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    for line in lines[1:]:
        mono = line and all(c in "0123456789abcdef" for c in line)
        pdf.set_font("Courier" if mono else "Helvetica", "", 8)
        pdf.multi_cell(0, 4, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
