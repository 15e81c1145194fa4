"""The espelho de ponto as a PDF per employee (for signature), and the month summary for
payroll as CSV and XLSX. Every word on them is pt-BR; treatment records are marked on the
mark itself ("*" included by HR, "A" approved after review, "R" rejected, "?" under review).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from fpdf import FPDF
from openpyxl import Workbook

from app.central.timesheet import (
    APPROVED,
    INCLUDED,
    PENDING,
    REJECTED,
    Espelho,
    Mark,
    hhmm,
)

WEEKDAYS = ("seg", "ter", "qua", "qui", "sex", "sáb", "dom")
MONTHS = (
    "janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro",
    "outubro", "novembro", "dezembro",
)  # fmt: skip
MARKERS = {INCLUDED: "*", APPROVED: "A", REJECTED: "R", PENDING: "?"}
LEGEND = (
    "Marcas: * incluída pelo RH (tratamento, com motivo e autor) · A sinalizada e aprovada · "
    "R desconsiderada (rejeitada) · ? em análise. Hora noturna reduzida (52'30\") creditada "
    "em 'Adic. not.'. Tolerância de 10 min por dia (CLT art. 58 §1º)."
)


@dataclass(frozen=True)
class Header:
    employer_name: str
    employer_id: str
    employee_name: str
    cpf: str
    generated_at: datetime


def mark_text(m: Mark) -> str:
    return m.at.strftime("%H:%M") + MARKERS.get(m.status, "")


def month_name(year: int, month: int) -> str:
    return f"{MONTHS[month - 1]} de {year}"


def fmt_cpf(cpf: str) -> str:
    d = "".join(c for c in cpf if c.isdigit())
    return f"{d[:3]}.{d[3:6]}.{d[6:9]}-{d[9:]}" if len(d) == 11 else cpf


def fmt_cnpj(cnpj: str) -> str:
    d = "".join(c for c in cnpj if c.isdigit())
    if len(d) != 14:
        return fmt_cpf(d)
    return f"{d[:2]}.{d[2:5]}.{d[5:8]}/{d[8:12]}-{d[12:]}"


class _Pdf(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=7)
        self.cell(0, 5, f"Página {self.page_no()}/{{nb}} · PontoVoz Central", align="C")


def espelho_pdf(h: Header, e: Espelho) -> bytes:
    """One employee's month, A4 landscape, with totals and signature lines."""
    pdf = _Pdf(orientation="L", format="A4")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 7, f"Espelho de ponto · {month_name(e.year, e.month)}", new_x="LMARGIN",
             new_y="NEXT")  # fmt: skip
    pdf.set_font("Helvetica", size=9)
    pdf.cell(0, 5, f"Empregador: {h.employer_name} · CNPJ/CPF {fmt_cnpj(h.employer_id)}",
             new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    pdf.cell(0, 5, f"Empregado: {h.employee_name} · CPF {fmt_cpf(h.cpf)}", new_x="LMARGIN",
             new_y="NEXT")  # fmt: skip
    s = e.schedule
    pdf.cell(0, 5, f"Horário: {s.code} · entrada {s.start:%H:%M} · {hhmm(s.weekly_minutes)} h "
             f"por semana · intervalo {s.break_minutes} min · noturno {s.night_start:%H:%M}-"
             f"{s.night_end:%H:%M}", new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    pdf.ln(2)
    cols = [("Dia", 20), ("Marcações", 86), ("Previsto", 17), ("Trabalhado", 19),
            ("Intervalo", 17), ("Noturno", 16), ("Adic. not.", 17), ("Extra", 15),
            ("Falta", 15), ("Ocorrências", 55)]  # fmt: skip
    pdf.set_font("Helvetica", "B", 8)
    pdf.set_fill_color(230, 236, 242)
    for title, w in cols:
        pdf.cell(w, 6, title, border=1, fill=True, align="C")
    pdf.ln()
    pdf.set_font("Helvetica", size=8)
    for line in e.days:
        wd = WEEKDAYS[line.day.weekday()]
        marks = " ".join(mark_text(m) for m in line.marks)
        cells = [
            f"{line.day:%d/%m} {wd}",
            marks,
            hhmm(line.owed) if line.owed else "",
            hhmm(line.worked) if line.worked else "",
            hhmm(line.breaks) if line.breaks else "",
            hhmm(line.night) if line.night else "",
            hhmm(line.night_bonus) if line.night_bonus else "",
            hhmm(line.overtime) if line.overtime else "",
            hhmm(line.shortfall) if line.shortfall else "",
            "; ".join(line.notes),
        ]
        fill = line.day.weekday() >= 5
        pdf.set_fill_color(246, 246, 246)
        for (_, w), text in zip(cols, cells, strict=True):
            pdf.cell(w, 5, _fit(pdf, text, w), border=1, fill=fill)
        pdf.ln()
    t = e.totals
    pdf.set_font("Helvetica", "B", 8)
    totals = ["Totais", f"{t.days_worked} dias trabalhados", hhmm(t.owed), hhmm(t.worked),
              hhmm(t.breaks), hhmm(t.night), hhmm(t.night_bonus), hhmm(t.overtime),
              hhmm(t.shortfall), f"{t.absences} faltas · {t.missing_punches} sem par"]  # fmt: skip
    for (_, w), text in zip(cols, totals, strict=True):
        pdf.cell(w, 6, _fit(pdf, text, w), border=1)
    pdf.ln(8)
    pdf.set_font("Helvetica", size=7)
    pdf.multi_cell(0, 4, LEGEND + f" Gerado em {h.generated_at:%d/%m/%Y %H:%M}.")
    pdf.ln(10)
    pdf.set_font("Helvetica", size=9)
    y = pdf.get_y()
    pdf.line(20, y, 120, y)
    pdf.line(160, y, 260, y)
    pdf.set_xy(20, y + 1)
    pdf.cell(100, 5, "Empregado", align="C")
    pdf.set_xy(160, y + 1)
    pdf.cell(100, 5, "Empregador", align="C")
    return bytes(pdf.output())


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """Latin-1 (the core fonts' range) and cut with "..." to fit the cell."""
    text = text.encode("latin-1", errors="replace").decode("latin-1")
    if pdf.get_string_width(text) <= width - 2:
        return text
    while text and pdf.get_string_width(text + "...") > width - 2:
        text = text[:-1]
    return text + "..."


SUMMARY_HEADER = (
    "Nome", "CPF", "Dias trabalhados", "Previsto (h)", "Trabalhado (h)", "Adicional noturno (h)",
    "Horas noturnas (h)", "Extras (h)", "Faltas em horas (h)", "Faltas (dias)",
    "Marcações sem par", "Em análise", "Tratamentos",
)  # fmt: skip


def summary_rows(items: Sequence[tuple[str, str, Espelho]]) -> list[list[str | int]]:
    rows: list[list[str | int]] = []
    for name, cpf, e in items:
        t = e.totals
        rows.append([name, fmt_cpf(cpf), t.days_worked, hhmm(t.owed), hhmm(t.worked),
                     hhmm(t.night_bonus), hhmm(t.night), hhmm(t.overtime), hhmm(t.shortfall),
                     t.absences, t.missing_punches, t.pending, t.treated])  # fmt: skip
    return rows


def summary_csv(items: Sequence[tuple[str, str, Espelho]]) -> bytes:
    """Semicolon-separated, UTF-8 with BOM: what Excel in pt-BR opens without a wizard."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    w.writerow(SUMMARY_HEADER)
    w.writerows(summary_rows(items))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def summary_xlsx(items: Sequence[tuple[str, str, Espelho]], title: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append(list(SUMMARY_HEADER))
    for row in summary_rows(items):
        ws.append(row)
    ws.freeze_panes = "A2"
    ws.column_dimensions["A"].width = 32
    ws.column_dimensions["B"].width = 16
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
