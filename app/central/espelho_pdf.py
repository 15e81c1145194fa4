"""The espelho de ponto as a PDF per employee (for signature), and the month summary for
payroll as CSV and XLSX. Every word on them is pt-BR; treatment records are marked on the
mark itself ("*" included by HR, "A" approved after review, "R" rejected, "?" under review).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from fpdf import FPDF
from openpyxl import Workbook

from app.central.ptbr import plural
from app.central.timesheet import (
    APPROVED,
    INCLUDED,
    PENDING,
    REJECTED,
    DayLine,
    Espelho,
    Mark,
    hhmm,
)
from app.rep.sheets import safe_row

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
    role: str = ""  # cargo
    admission: date | None = None


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


# A4 landscape, mm. Content stops at BOTTOM; the footer sits below it at FOOTER_Y, so nothing
# drawn by the table, the legend or the signatures can reach the footer.
PAGE_H = 210.0
BOTTOM = PAGE_H - 18
FOOTER_Y = PAGE_H - 11
LINE_H = 3.2  # one line of 8-pt text in a table cell
SIGNATURE_BLOCK = 18.0  # space before the lines + the lines + their labels


@dataclass
class _Part:
    """Pages of one employee in the PDF, for the footer's "página 2 de 3"."""

    name: str
    month: str
    first_page: int
    last_page: int = 0


def espelho_pdf(h: Header, e: Espelho) -> bytes:
    """One employee's month, A4 landscape, with totals and signature lines."""
    return espelhos_pdf([(h, e)])


def espelhos_pdf(items: Sequence[tuple[Header, Espelho]]) -> bytes:
    """Every employee's month in one PDF (each starts on a new page); the footer numbers the
    pages of each employee ("Ana Souza · página 1 de 2")."""
    pdf = FPDF(orientation="L", format="A4")
    pdf.set_auto_page_break(False)  # the table breaks pages itself, row by row
    pdf.set_margins(10, 10, 10)
    parts: list[_Part] = []
    for h, e in items:
        pdf.add_page()
        part = _Part(h.employee_name, month_name(e.year, e.month), pdf.page_no())
        _one(pdf, h, e)
        part.last_page = pdf.page_no()
        parts.append(part)
    if not items:
        pdf.add_page()
        pdf.set_font("Helvetica", size=10)
        pdf.text(10, 20, "Nenhum funcionário no período.")
    for part in parts:
        _footers(pdf, part, items[0][0].generated_at)
    return bytes(pdf.output())


def _footers(pdf: FPDF, part: _Part, at: datetime) -> None:
    total = part.last_page - part.first_page + 1
    pdf.set_font("Helvetica", size=7)
    for n, page in enumerate(range(part.first_page, part.last_page + 1), 1):
        pdf.page = page
        right = f"Página {n} de {total}"
        left = f"Espelho de ponto de {part.name} · {part.month} · gerado em {at:%d/%m/%Y %H:%M}"
        room = pdf.w - pdf.l_margin - pdf.r_margin - pdf.get_string_width(right) - 6
        pdf.text(pdf.l_margin, FOOTER_Y + 3, _fit(pdf, _latin1(left + " · PontoVoz Central"), room))
        pdf.text(pdf.w - pdf.r_margin - pdf.get_string_width(right), FOOTER_Y + 3, right)


def _one(pdf: FPDF, h: Header, e: Espelho) -> None:
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 7, f"Espelho de ponto · {month_name(e.year, e.month)}", new_x="LMARGIN",
             new_y="NEXT")  # fmt: skip
    pdf.set_font("Helvetica", size=9)
    pdf.cell(0, 4.5, _latin1(f"Empregador: {h.employer_name} · CNPJ/CPF "
             f"{fmt_cnpj(h.employer_id)}"), new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    admission = h.admission.strftime("%d/%m/%Y") if h.admission else "não informada"
    pdf.cell(0, 4.5, _latin1(f"Empregado: {h.employee_name} · CPF {fmt_cpf(h.cpf)} · Cargo: "
             f"{h.role or 'não informado'} · Admissão: {admission}"), new_x="LMARGIN",
             new_y="NEXT")  # fmt: skip
    s = e.schedule
    pdf.cell(0, 4.5, f"Horário: {s.code} · entrada {s.start:%H:%M} · {hhmm(s.weekly_minutes)} h "
             f"por semana · intervalo {s.break_minutes} min · noturno {s.night_start:%H:%M}-"
             f"{s.night_end:%H:%M}", new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    pdf.ln(1.5)
    rows = [(_day_cells(line), line.day.weekday() >= 5) for line in e.days]
    t = e.totals
    worked_days = plural(t.days_worked, "dia trabalhado", "dias trabalhados")
    absences = plural(t.absences, "falta", "faltas")
    totals = ["Totais", worked_days, hhmm(t.owed), hhmm(t.worked), hhmm(t.breaks), hhmm(t.night),
              hhmm(t.night_bonus), hhmm(t.overtime), hhmm(t.shortfall),
              f"{absences} · {t.missing_punches} sem par"]  # fmt: skip
    _table(pdf, rows, totals)
    pdf.ln(2)
    pdf.set_font("Helvetica", size=7)
    for part in _wrap(pdf, LEGEND, pdf.w - pdf.l_margin - pdf.r_margin):
        if pdf.get_y() + 3.5 > BOTTOM:
            pdf.add_page()
        pdf.cell(0, 3.5, part, new_x="LMARGIN", new_y="NEXT")
    _signatures(pdf)


def _signatures(pdf: FPDF) -> None:
    """The two signature lines, on a new page when they would not fit above the footer."""
    if pdf.get_y() + SIGNATURE_BLOCK > BOTTOM:
        pdf.add_page()
        pdf.set_y(pdf.t_margin + 10)
    y = pdf.get_y() + 12
    pdf.set_font("Helvetica", size=9)
    pdf.line(20, y, 120, y)
    pdf.line(160, y, 260, y)
    pdf.set_xy(20, y + 1)
    pdf.cell(100, 5, "Empregado", align="C")
    pdf.set_xy(160, y + 1)
    pdf.cell(100, 5, "Empregador", align="C")
    pdf.set_y(y + 6)


COLS = [("Dia", 18), ("Marcações", 70), ("Previsto", 16), ("Trabalhado", 18),
        ("Intervalo", 16), ("Noturno", 15), ("Adic. not.", 16), ("Extra", 14), ("Falta", 14),
        ("Ocorrências", 80)]  # fmt: skip


def _day_cells(line: DayLine) -> list[str]:
    def d(v: int) -> str:
        return hhmm(v) if v else ""

    return [f"{line.day:%d/%m} {WEEKDAYS[line.day.weekday()]}",
            " ".join(mark_text(m) for m in line.marks), d(line.owed), d(line.worked),
            d(line.breaks), d(line.night), d(line.night_bonus), d(line.overtime),
            d(line.shortfall), "; ".join(line.notes)]  # fmt: skip


def _table(pdf: FPDF, rows: list[tuple[list[str], bool]], totals: list[str]) -> None:
    """The month grid drawn with text() and lines (~10x cheaper than a cell() per field: a
    month for 200 employees must print in seconds). Cells wrap at word boundaries (nothing is
    cut: an auditor reads every mark and every occurrence); a row that does not fit above the
    footer goes to the next page under a repeated header."""
    x0 = pdf.l_margin
    widths: list[float] = [w for _, w in COLS]
    xs = [x0]
    for w in widths:
        xs.append(xs[-1] + w)
    top = y = _head(pdf, xs, widths)
    for cells, shaded in [*rows, (totals, None)]:
        pdf.set_font("Helvetica", "B" if shaded is None else "", 8)
        wrapped = [
            _wrap(pdf, _latin1(c), w - 2) if c else [] for c, w in zip(cells, widths, strict=True)
        ]
        rh = max(1, *(len(w) for w in wrapped)) * LINE_H + 0.8
        if y + rh > BOTTOM:
            _verticals(pdf, xs, top, y)
            pdf.add_page()
            pdf.set_y(pdf.t_margin)
            top = y = _head(pdf, xs, widths)
            pdf.set_font("Helvetica", "B" if shaded is None else "", 8)
        if shaded:
            pdf.set_fill_color(246, 246, 246)
            pdf.rect(x0, y, xs[-1] - x0, rh, style="F")
        for x, lines in zip(xs, wrapped, strict=False):
            for i, text in enumerate(lines):
                pdf.text(x + 1, y + 2.9 + i * LINE_H, text)
        pdf.line(x0, y, xs[-1], y)
        y += rh
    pdf.line(x0, y, xs[-1], y)
    _verticals(pdf, xs, top, y)
    pdf.set_y(y)


def _head(pdf: FPDF, xs: list[float], widths: Sequence[float]) -> float:
    y, rh = pdf.get_y(), 5.4
    pdf.set_fill_color(230, 236, 242)
    pdf.rect(xs[0], y, xs[-1] - xs[0], rh, style="F")
    pdf.set_font("Helvetica", "B", 8)
    for x, w, (title, _) in zip(xs, widths, COLS, strict=False):
        title = _latin1(title)
        pdf.text(x + (w - pdf.get_string_width(title)) / 2, y + 4.0, title)
    pdf.line(xs[0], y, xs[-1], y)
    return y + rh


def _verticals(pdf: FPDF, xs: list[float], top: float, bottom: float) -> None:
    for x in xs:
        pdf.line(x, top - 5.4, x, bottom)


def _wrap(pdf: FPDF, text: str, width: float) -> list[str]:
    """Words to lines no wider than ``width``; a word longer than a line is split."""
    if pdf.get_string_width(text) <= width:  # most cells: one measure, no word loop
        return [text] if text.strip() else []
    lines, cur = [], ""
    for word in text.split():
        while pdf.get_string_width(word) > width and len(word) > 1:
            cut = len(word)
            while cut > 1 and pdf.get_string_width(word[:cut]) > width:
                cut -= 1
            if cur:
                lines.append(cur)
                cur = ""
            lines.append(word[:cut])
            word = word[cut:]
        nxt = f"{cur} {word}".strip()
        if cur and pdf.get_string_width(nxt) > width:
            lines.append(cur)
            cur = word
        else:
            cur = nxt
    return [*lines, cur] if cur else lines


def _latin1(text: str) -> str:
    """The core fonts' range (Latin-1): what falls outside it prints as "?"."""
    return text.encode("latin-1", errors="replace").decode("latin-1")


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """Cut with "..." to fit (the footer only: table cells wrap)."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "...") > width:
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
    w.writerows(safe_row(row) for row in summary_rows(items))
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def summary_xlsx(items: Sequence[tuple[str, str, Espelho]], title: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append(list(SUMMARY_HEADER))
    for row in summary_rows(items):
        ws.append(safe_row(row))
    ws.freeze_panes = "A2"
    ws.column_dimensions["A"].width = 32
    ws.column_dimensions["B"].width = 16
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
