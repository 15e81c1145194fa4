"""`export --format afd` end to end: the ledger's records become an AFD with the official file
name and a .p7s beside it; `export check` passes it; CRCs and the SHA-256 chain recompute here
independently; openssl verifies the signature against the test CA."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest
from afd_support import kermit, make_pki

from app.store.ledger import Ledger
from app.store.models import PunchDraft

BRT = timezone(timedelta(hours=-3))
INPI, DEVELOPER, EMPLOYER = "12345678901234567", "11444777000161", "11222333000181"
NAME = f"AFD{INPI}{EMPLOYER}REP_P"


def _settings(home, pki=None):
    (home / "config").mkdir(parents=True, exist_ok=True)
    data = {
        "ledger": {"employer_name": "Padaria Pão Quente Ltda", "employer_id": EMPLOYER,
                   "place": "Rua das Flores, 100", "rep_id": INPI},
        "rep": {"developer_id": DEVELOPER},
    }  # fmt: skip
    if pki is not None:
        (home / "senha").write_bytes(pki.password)
        data["signing"] = {"pkcs12_file": str(pki.pfx), "password_file": str(home / "senha")}
    (home / "config" / "settings.json").write_text(json.dumps(data), encoding="utf-8")


def _fill(ledger, n=4):
    emp = ledger.add_employee("João Conceição", "52998224725", "1234")
    base = datetime(2026, 3, 2, 8, 0, 30, tzinfo=BRT)
    kinds = ["ENTRADA", "INTERVALO", "RETORNO", "SAIDA"]
    for i in range(n):
        ledger.record_punch(
            PunchDraft(emp.id, kinds[i % 4], f"{kinds[i % 4]} 08 00", validated=True,
                       punched_at=base + timedelta(hours=i), offline=i == 2)
        )  # fmt: skip


def run(*args):
    cmd = [sys.executable, "-m", "app", "export", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def recompute(data: bytes) -> None:
    """Every CRC and hash of the file, recomputed from the layout's positions alone."""
    lines = data.decode("iso-8859-1").split("\r\n")
    assert lines[-1] == "" and lines[-2] == "ASSINATURA_DIGITAL_EM_ARQUIVO_P7S".ljust(100)
    prev = None
    for line in lines[:-3]:
        kind = line[9]
        if kind in "12345":
            assert line[-4:] == kermit(line[:-4].encode("iso-8859-1")), line
        if kind == "7":
            data7 = line[:73] + (prev or "")
            assert line[73:] == hashlib.sha256(data7.encode("iso-8859-1")).hexdigest()
            prev = line[73:]


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl binary not installed")
def test_signed_afd_passes_check_and_openssl(pv_home, tmp_path):
    pki = make_pki(tmp_path / "pki")
    _settings(pv_home, pki)
    with Ledger.open() as led:
        _fill(led)
    out = tmp_path / "saida"
    r = run("--from", "2026-03-01", "--to", "2026-03-31", "--format", "afd", "--out", str(out))
    assert r.returncode == 0, r.stderr
    afd, p7s = out / f"{NAME}.txt", out / f"{NAME}.p7s"
    assert sorted(p.name for p in out.iterdir()) == [p7s.name, afd.name]
    data = afd.read_bytes()
    lines = data.decode("iso-8859-1").split("\r\n")
    assert [len(x) for x in lines] == [302, 137, 137, 137, 137, 64, 100, 0]
    assert lines[0][206:226] == "2026-03-022026-03-02"  # dates of the records, not the range
    recompute(data)
    check = run("check", str(afd), "--ac", str(pki.ca_pem))
    assert check.returncode == 0, check.stdout + check.stderr
    assert "conforme ao leiaute" in check.stdout and "cadeia confiável" in check.stdout
    ssl = subprocess.run(
        ["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", str(p7s),
         "-content", str(afd), "-CAfile", str(pki.ca_pem), "-out", "/dev/null"],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert ssl.returncode == 0, ssl.stderr
    afd.write_bytes(data.replace(b"052998224725", b"052998224726", 1))  # a punch edited
    broken = run("check", str(afd))
    assert broken.returncode == 1


def test_unsigned_export_warns_and_unconfigured_rep_refuses(pv_home, tmp_path):
    _settings(pv_home)
    with Ledger.open() as led:
        _fill(led, 2)
    r = run("--from", "2026-03-02", "--to", "2026-03-02", "--format", "afd", "--out", str(tmp_path))
    assert r.returncode == 0 and "aviso: AFD sem assinatura eletrônica" in r.stderr
    assert run("check", str(tmp_path / f"{NAME}.txt")).returncode == 0
    (pv_home / "config" / "settings.json").write_text("{}", encoding="utf-8")
    r = run("--from", "2026-03-02", "--to", "2026-03-02", "--format", "afd", "--out", str(tmp_path))
    assert r.returncode == 2 and "INPI não configurado" in r.stderr


def test_mixed_kiosk_ledger_is_refused(pv_home, tmp_path):
    _settings(pv_home)
    with Ledger.open() as led:
        _fill(led, 1)
    from app.store.ledger import Ledger as L
    from app.store.settings import LedgerSettings

    db = pv_home / "data" / "ledger.sqlite3"
    with L.open(db, LedgerSettings(kiosk_id="02", employer_id=EMPLOYER)) as other:
        emp = other.find_by_pin("1234")
        other.record_punch(PunchDraft(emp.id, "SAIDA", "SAIDA 17 00", validated=True))
    r = run("--from", "2026-01-01", "--to", "2027-01-01", "--format", "afd", "--out", str(tmp_path))
    assert r.returncode == 2 and "2 coletores" in r.stderr
    assert not list(tmp_path.glob("AFD*"))
    one = run("--from", "2026-01-01", "--to", "2027-01-01", "--format", "afd", "--out",
              str(tmp_path), "--coletor", "02")  # fmt: skip
    assert one.returncode == 0, one.stderr
    data = (tmp_path / f"{NAME}.txt").read_bytes()
    assert len(data.split(b"\r\n")) == 5  # header, kiosk 02's one punch, trailer, signature
    assert run("check", str(tmp_path / f"{NAME}.txt")).returncode == 0
    r = run("--from", "2026-01-01", "--to", "2027-01-01", "--format", "afd", "--coletor", "09")
    assert r.returncode == 2 and "coletor '09' não encontrado" in r.stderr


def test_check_reports_missing_and_bad_signature(pv_home, tmp_path):
    pki = make_pki(tmp_path / "pki")
    _settings(pv_home, pki)
    with Ledger.open() as led:
        _fill(led, 1)
    run("--from", "2026-03-02", "--to", "2026-03-02", "--format", "afd", "--out", str(tmp_path))
    afd, p7s = tmp_path / f"{NAME}.txt", tmp_path / f"{NAME}.p7s"
    other = make_pki(tmp_path / "other")
    r = run("check", str(afd), "--ac", str(other.ca_pem))
    assert r.returncode == 1 and "cadeia não conferida" in r.stdout
    p7s.write_bytes(b"lixo")
    r = run("check", str(afd))
    assert r.returncode == 1 and "não é uma assinatura CMS" in r.stdout
    p7s.unlink()
    r = run("check", str(afd))
    assert r.returncode == 0 and "não encontrada" in r.stdout
    assert run("check", str(tmp_path / "nada.txt")).returncode == 2


def test_receipts_are_pades_signed_when_a_certificate_is_given(pv_home, tmp_path):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    pki = make_pki(tmp_path / "pki")
    _settings(pv_home)
    (tmp_path / "senha").write_bytes(pki.password)
    with Ledger.open() as led:
        _fill(led, 2)
    out = tmp_path / "comprovantes"
    day = ("--from", "2026-03-02", "--to", "2026-03-02", "--format", "receipt", "--out", str(out))
    r = run(*day, "--certificado", str(pki.pfx), "--senha-arquivo", str(tmp_path / "senha"))
    assert r.returncode == 0 and "assinados (PAdES)" in r.stdout, r.stderr
    from asn1crypto import pem, x509

    ca = x509.Certificate.load(pem.unarmor(pki.ca_pem.read_bytes())[2])
    pdfs = sorted(out.glob("*.pdf"))
    assert len(pdfs) == 2
    for pdf in pdfs:
        with pdf.open("rb") as fh:
            (sig,) = PdfFileReader(fh).embedded_signatures
            status = validate_pdf_signature(sig, ValidationContext(trust_roots=[ca]))
            assert status.intact and status.valid and status.trusted
    r = run(*day, "--certificado", str(pki.pfx))
    assert r.returncode == 2 and "senha errada" in r.stderr


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl binary not installed")
def test_done_when_every_record_type_exports_checks_and_verifies(pv_home, tmp_path):
    """Every record type of the REP (docs/COMPLIANCE.md): punches, employee changes, an
    employer change, a clock adjustment and a power return, all from the real ledger, in one AFD
    that passes `export check`, whose CRCs and chain recompute here, and whose .p7s openssl
    verifies against the test CA."""
    from dataclasses import replace

    pki = make_pki(tmp_path / "pki")
    _settings(pv_home, pki)
    ana_cpf, bruno_cpf = "52998224725", "11144477735"
    with Ledger.open() as led:
        assert led.record_employer(author_cpf=ana_cpf) is not None  # type 2
        led.record_sensitive_event("02")  # power return
        ana = led.add_employee("Ana Conceição", ana_cpf, "1234", author_cpf=ana_cpf)
        bruno = led.add_employee("Bruno Souza", bruno_cpf, "5678", author_cpf=ana_cpf)
        led.record_punch(PunchDraft(ana.id, "ENTRADA", "ENTRADA 08 00", validated=True))
        led.record_punch(PunchDraft(bruno.id, "ENTRADA", "ENTRADA 08 01", offline=True))
        now = led.now()
        led.record_clock_adjustment(now, now + timedelta(minutes=2), author_cpf=ana_cpf)
        led.update_employee(bruno_cpf, name="Bruno Souza Lima", author_cpf=ana_cpf)
        moved = replace(led.settings, employer_name="Padaria Pão Quente ME", place="Rua Nova, 2")
        assert led.record_employer(moved, author_cpf=ana_cpf) is not None  # employer change
        led.record_punch(PunchDraft(ana.id, "SAIDA", "SAIDA 17 00", validated=True))
        led.deactivate_employee(bruno_cpf, author_cpf=ana_cpf)
        led.record_sensitive_event("08")
        day = led.now().date().isoformat()
    out = tmp_path / "afd"
    r = run("--from", day, "--to", day, "--format", "afd", "--out", str(out))
    assert r.returncode == 0, r.stderr
    afd, p7s = out / f"{NAME}.txt", out / f"{NAME}.p7s"
    data = afd.read_bytes()
    lines = data.decode("iso-8859-1").split("\r\n")
    records = lines[1:-3]
    assert [x[9] for x in records] == list("265577452756")
    assert [int(x[:9]) for x in records] == list(range(1, 13))  # one NSR sequence for all
    assert [x[34] for x in records if x[9] == "5"] == ["I", "I", "A", "E"]
    assert [x[34:36] for x in records if x[9] == "6"] == ["02", "08"]
    assert records[8][77:227].rstrip() == "Padaria Pão Quente ME"  # the second type 2
    assert lines[0][39:189].rstrip() == "Padaria Pão Quente ME"  # header: latest employer
    assert records[5][72] == "1"  # Bruno's offline punch
    assert lines[-3] == "9999999990000000020000000000000000010000000040000000020000000039"
    recompute(data)
    check = run("check", str(afd), "--ac", str(pki.ca_pem))
    assert check.returncode == 0, check.stdout + check.stderr
    assert "erro" not in check.stdout and "cadeia confiável" in check.stdout
    ssl = subprocess.run(
        ["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", str(p7s),
         "-content", str(afd), "-CAfile", str(pki.ca_pem), "-out", "/dev/null"],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert ssl.returncode == 0 and "Verification successful" in ssl.stderr, ssl.stderr
