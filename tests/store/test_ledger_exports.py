"""Exports: AFD (Portaria 671 widths, ISO-8859-1, CRLF, chained hashes), CSV, receipts."""

from __future__ import annotations

import csv
import hashlib
import io
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone

from app.store.afd import build_afd
from app.store.csv_export import build_csv
from app.store.ledger import Ledger
from app.store.models import PunchDraft
from app.store.receipt import receipt_pdf, receipt_text

BRT = timezone(timedelta(hours=-3))


def _fill(ledger, emp, n=3):
    base = datetime(2026, 3, 2, 8, 0, 30, tzinfo=BRT)
    kinds = ["ENTRADA", "INTERVALO", "RETORNO", "SAIDA"]
    return [
        ledger.record_punch(
            PunchDraft(
                emp.id,
                kinds[i % 4],
                f"{kinds[i % 4]} {8 + i:02d} 00",
                validated=i != 1,
                flag_reason="" if i != 1 else "voice not validated after 3 tries",
                punched_at=base + timedelta(hours=i),
                offline=i == 2,
            )
        )
        for i in range(n)
    ]


def test_afd_layout(ledger):
    emp = ledger.add_employee("João Conceição", "52998224725", "1234")
    punches = _fill(ledger, emp)
    data = build_afd(punches, ledger.settings, date(2026, 3, 2), date(2026, 3, 2), ledger.now())
    assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b"")
    lines = data.decode("iso-8859-1").split("\r\n")[:-1]
    header, body, trailer = lines[0], lines[1:-1], lines[-1]
    assert len(header) == 302 and header.startswith("0000000001" + "1" + "11222333000181")
    assert header[39:189].rstrip() == "Padaria Pão Quente Ltda"  # ISO-8859-1 'ã'
    assert "ã".encode("iso-8859-1") in data
    assert header[189:206] == "12345678901234567"
    assert header[206:226] == "2026-03-022026-03-02"
    assert header[250:253] == "003"
    assert [len(line) for line in body] == [137] * 3
    first = body[0]
    assert first[:9] == "000000001" and first[9] == "7"
    assert first[10:34] == "2026-03-02T08:00:00-0300"  # seconds always 00
    assert first[34:46] == "052998224725"
    assert first[70:72] == "04" and first[72] == "0"
    assert body[2][72] == "1"  # offline punch
    # Field 8: SHA-256 of fields 1-7 + previous record's field 8 (first: its own fields only).
    prev = ""
    for line in body:
        assert line[73:] == hashlib.sha256((line[:73] + prev).encode("iso-8859-1")).hexdigest()
        prev = line[73:]
    assert len(trailer) == 64 and trailer.startswith("999999999")
    assert trailer[9:54] == "0" * 45 and trailer[54:63] == "000000003" and trailer[63] == "9"


def test_csv_for_payroll(ledger):
    emp = ledger.add_employee("João Conceição", "52998224725", "1234")
    punches = _fill(ledger, emp)
    ledger.add_correction(punches[1].uuid, "RH", "saída para almoço")
    data = build_csv(ledger.punches(), ledger.corrections())
    assert data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [r["nsr"] for r in rows] == ["1", "2", "3"]
    assert rows[0]["nome"] == "João Conceição" and rows[0]["cpf"] == "529.982.247-25"
    assert rows[0]["data"] == "2026-03-02" and rows[0]["hora"] == "08:00"
    assert rows[1]["em_revisao"] == "sim" and "saída para almoço" in rows[1]["correcoes"]
    assert rows[1]["motivo_revisao"] == "voz não validada após 3 tentativas"  # stored in English


def test_receipt_text_and_pdf(ledger):
    emp = ledger.add_employee("João Conceição", "52998224725", "1234")
    p = _fill(ledger, emp, 1)[0]
    text = receipt_text(p, ledger.settings)
    for needed in (
        "Comprovante de Registro de Ponto do Trabalhador",
        "Padaria Pão Quente Ltda",
        "CNPJ 11.222.333/0001-81",
        "Rua das Flores",
        "João Conceição",
        "529.982.247-25",
        "02/03/2026",
        "08:00",
        "NSR: 000000001",
        p.afd_hash[:32],
    ):
        assert needed in text
    pdf = receipt_pdf(p, ledger.settings)
    assert pdf.startswith(b"%PDF") and len(pdf) > 800


def test_export_cli(pv_home, tmp_path):
    with Ledger.open() as led:
        emp = led.add_employee("Ana Souza", "52998224725", "1234")
        _fill(led, emp, 4)

    def run(*args):
        return subprocess.run([sys.executable, "-m", "app", "export", *args], capture_output=True)

    afd = tmp_path / "afd.txt"
    r = run("--from", "2026-03-02", "--to", "2026-03-02", "--format", "afd", "--out", str(afd))
    assert r.returncode == 0, r.stderr
    assert len(afd.read_bytes().split(b"\r\n")) == 4 + 2 + 1
    r = run("--from", "2026-03-01", "--to", "2026-03-31", "--format", "csv")
    assert r.returncode == 0 and r.stdout.decode("utf-8-sig").count("\r\n") == 5
    out = tmp_path / "receipts"
    r = run("--from", "2026-03-02", "--to", "2026-03-02", "--format", "receipt", "--out", str(out))
    assert (
        r.returncode == 0
        and len(list(out.glob("*.pdf"))) == 4
        and len(list(out.glob("*.txt"))) == 4
    )
    r = run("--from", "2026-03-03", "--to", "2026-03-01", "--format", "csv")
    assert r.returncode == 2 and b"--to must not be before --from" in r.stderr
