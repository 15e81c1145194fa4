"""Exports: CSV, receipts (the AFD is tested in test_afd_*.py)."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import datetime, timedelta, timezone

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


def test_csv_for_payroll(ledger):
    emp = ledger.add_employee("João Conceição", "52998224725", "1234")
    punches = _fill(ledger, emp)
    ledger.add_correction(punches[1].uuid, "RH", "saída para almoço")
    data = build_csv(ledger.punches(), ledger.corrections())
    assert data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [r["nsr"] for r in rows] == ["2", "3", "4"]
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
        "NSR: 000000002",
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
    assert r.returncode == 2 and "--to não pode ser anterior a --from".encode() in r.stderr
