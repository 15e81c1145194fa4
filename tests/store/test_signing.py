"""Signing: a detached CAdES-BES .p7s for the AFD and PAdES on the PDF receipt, made with a test
CA and A1 certificate of our own and checked by independent tools (openssl cms, pyHanko)."""

from __future__ import annotations

import io
import json
import shutil
import subprocess

import pytest
from afd_support import make_pki
from asn1crypto import cms

from app.store.receipt import receipt_pdf
from app.store.signing import A1Certificate, SigningError, SigningSettings, check_detached

AFD = b"0000000001...\r\n" + "Conceição".encode("iso-8859-1") + b"\r\n"
OPENSSL = shutil.which("openssl")


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def cert(pki):
    return A1Certificate.from_file(pki.pfx, pki.password)


def _openssl_verify(tmp_path, pki, data: bytes, p7s: bytes) -> subprocess.CompletedProcess:
    (tmp_path / "f.txt").write_bytes(data)
    (tmp_path / "f.p7s").write_bytes(p7s)
    p7s_file, content, ca = tmp_path / "f.p7s", tmp_path / "f.txt", pki.ca_pem
    cmd = [OPENSSL, "cms", "-verify", "-binary", "-inform", "DER", "-in", str(p7s_file),
           "-content", str(content), "-CAfile", str(ca), "-out", "/dev/null"]  # fmt: skip
    return subprocess.run(cmd, capture_output=True, text=True, timeout=30)


@pytest.mark.skipif(OPENSSL is None, reason="openssl binary not installed")
def test_p7s_verifies_with_openssl_and_breaks_on_any_change(tmp_path, pki, cert):
    p7s = cert.sign_detached(AFD)
    ok = _openssl_verify(tmp_path, pki, AFD, p7s)
    assert ok.returncode == 0, ok.stderr
    assert "Verification successful" in ok.stderr
    tampered = _openssl_verify(tmp_path, pki, AFD.replace(b"Concei", b"Conce1"), p7s)
    assert tampered.returncode != 0 and "content verify error" in tampered.stderr.lower()
    other_ca = make_pki(tmp_path / "other")
    untrusted = _openssl_verify(tmp_path, other_ca, AFD, p7s)
    assert untrusted.returncode != 0 and "certificate verify error" in untrusted.stderr.lower()


def test_p7s_is_detached_cades_bes(cert):
    info = cms.ContentInfo.load(cert.sign_detached(AFD))
    signed = info["content"]
    assert info["content_type"].native == "signed_data"
    assert signed["encap_content_info"]["content"].native is None  # detached
    attrs = {a["type"].native for a in signed["signer_infos"][0]["signed_attrs"]}
    # CAdES-BES: content type, message digest, signing time and ESS signing-certificate-v2.
    assert {"content_type", "message_digest", "signing_time", "signing_certificate_v2"} <= attrs
    assert signed["signer_infos"][0]["digest_algorithm"]["algorithm"].native == "sha256"


def test_pyhanko_validator_agrees(pki, cert):
    p7s = cert.sign_detached(AFD)
    good = check_detached(AFD, p7s, [pki.ca_pem.read_bytes()])
    assert good.intact and good.trusted and "DESENVOLVEDOR PONTOVOZ" in good.signer
    assert not check_detached(AFD + b"x", p7s, [pki.ca_pem.read_bytes()]).intact
    assert not check_detached(AFD, p7s, []).trusted
    with pytest.raises(SigningError, match="não é uma assinatura CMS"):
        check_detached(AFD, b"not a signature", [])


def test_pades_receipt_validates(pki, cert, ledger, ana):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from app.store.models import PunchDraft

    punch = ledger.record_punch(PunchDraft(ana.id, "ENTRADA", "ENTRADA 08 00", validated=True))
    pdf = receipt_pdf(punch, ledger.settings)
    signed = cert.sign_pdf(pdf)
    assert signed.startswith(pdf)  # incremental: the receipt's bytes are untouched
    reader = PdfFileReader(io.BytesIO(signed))
    (sig,) = reader.embedded_signatures
    assert sig.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    ctx = ValidationContext(trust_roots=[_load_ca(pki)], allow_fetching=False)
    status = validate_pdf_signature(sig, ctx)
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    broken = bytearray(signed)
    at = signed.index(b"Comprovante") if b"Comprovante" in signed else len(pdf) // 2
    broken[at] ^= 0x01
    (bad,) = PdfFileReader(io.BytesIO(bytes(broken)), strict=False).embedded_signatures
    assert not validate_pdf_signature(bad, ctx).intact


def _load_ca(pki):
    from asn1crypto import pem, x509

    return x509.Certificate.load(pem.unarmor(pki.ca_pem.read_bytes())[2])


def test_wrong_password_expired_and_missing_are_clear_errors(tmp_path, pki):
    with pytest.raises(SigningError, match="senha errada"):
        A1Certificate.from_file(pki.pfx, b"errada")
    with pytest.raises(SigningError, match="não encontrado"):
        A1Certificate.from_file(tmp_path / "nada.pfx", b"")
    old = make_pki(tmp_path / "old", valid_days=30, expired=True)
    with pytest.raises(SigningError, match="vencido"):
        A1Certificate.from_file(old.pfx, old.password)
    with pytest.raises(SigningError, match="não configurado"):
        A1Certificate.from_settings(SigningSettings())


def test_settings_read_password_from_file_or_env(tmp_path, pki, monkeypatch):
    section = {"pkcs12_file": str(pki.pfx), "password_file": str(tmp_path / "senha")}
    (tmp_path / "settings.json").write_text(json.dumps({"signing": section}), encoding="utf-8")
    (tmp_path / "senha").write_bytes(pki.password + b"\n")
    settings = SigningSettings.load(tmp_path / "settings.json")
    assert A1Certificate.from_settings(settings).info.subject.startswith("CN=DESENVOLVEDOR")
    monkeypatch.setenv("PONTOVOZ_PKCS12_PASSWORD", pki.password.decode())
    assert A1Certificate.from_settings(SigningSettings(str(pki.pfx))).info.issuer
