"""The espelho PDF and the payroll summary (CSV, XLSX) carry the computed figures and marks."""

from __future__ import annotations

import csv
import io
import re
import zlib
from datetime import date, datetime

from openpyxl import load_workbook

from app.central.espelho_pdf import Header, espelho_pdf, summary_csv, summary_xlsx
from app.central.timesheet import INCLUDED, PENDING, Mark, espelho


def pdf_text(data: bytes) -> str:
    """Text of every content stream (fpdf2 writes core-font text as latin-1 literals)."""
    out = []
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            out.append(zlib.decompress(raw).decode("latin-1"))
        except zlib.error:
            out.append(raw.decode("latin-1"))
    return "\n".join(out)


def month():
    marks = [
        Mark(datetime(2026, 11, 2, 8, 0), "ENTRADA"),
        Mark(datetime(2026, 11, 2, 12, 0), "INTERVALO"),
        Mark(datetime(2026, 11, 2, 13, 0), "RETORNO"),
        Mark(datetime(2026, 11, 2, 18, 30), "SAIDA", INCLUDED, note="Esqueceu"),
        Mark(datetime(2026, 11, 3, 8, 0), "ENTRADA", PENDING),
    ]
    return espelho(2026, 11, marks, until=date(2026, 11, 3))


def test_pdf_wraps_a_crowded_day():
    """Every mark is printed (the cell wraps): an auditor must be able to read them all."""
    marks = [Mark(datetime(2026, 11, 2, 8, i), "ENTRADA") for i in range(0, 50, 2)]
    e = espelho(2026, 11, marks, until=date(2026, 11, 3))
    h = Header("Empresa", "12345678000195", "Ana", "52998224725", datetime(2026, 11, 4))
    text = pdf_text(espelho_pdf(h, e))
    assert "08:00 08:02" in text and "..." not in text
    assert all(f"08:{i:02d}" in text for i in range(0, 50, 2))


def test_pdf_has_header_marks_and_totals():
    e = month()
    h = Header(
        "Padaria São João",
        "12345678000195",
        "Ana Souza",
        "52998224725",
        datetime(2026, 11, 4, 9, 0),
    )
    data = espelho_pdf(h, e)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    for needle in (
        "Espelho de ponto",
        "novembro de 2026",
        "Padaria S\xe3o Jo\xe3o",
        "12.345.678/0001-95",
        "529.982.247-25",
        "18:30*",
        "08:00?",
        "9:30",
        "1:30",
        "Sa\xedda ausente",
        "Empregado",
        "Empregador",
    ):
        assert needle in text, needle


def test_summary_csv_and_xlsx_agree():
    items = [("Ana Souza", "52998224725", month())]
    rows = list(csv.reader(io.StringIO(summary_csv(items).decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Nome", "CPF", "Dias trabalhados"]
    # Nov 2: 570 worked, 90 extra; Nov 3: entry only (missing exit), owes 480; Nov 1 Sunday.
    assert rows[1] == [
        "Ana Souza",
        "529.982.247-25",
        "1",
        "16:00",
        "9:30",
        "0:00",
        "0:00",
        "1:30",
        "8:00",
        "0",
        "1",
        "1",
        "1",
    ]
    wb = load_workbook(io.BytesIO(summary_xlsx(items, "novembro 2026")))
    ws = wb.active
    assert [c.value for c in ws[2]] == [int(x) if x.isdigit() else x for x in rows[1]]
