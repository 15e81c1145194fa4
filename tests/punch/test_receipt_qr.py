"""Receipts a worker can check: the QR payload (PV1|kiosk|NSR|hash), the QR image really in the
PDF (decoded from the PDF stream and compared module by module with what segno encodes), and
`python -m app receipt check` against the real ledger."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import zlib
from datetime import datetime, timedelta, timezone

import pytest
import segno
from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader

from app.store.ledger import Ledger
from app.store.models import PunchDraft
from app.store.receipt import (
    ReceiptCode,
    hash_lines,
    parse_qr_payload,
    parse_receipt_code,
    qr_payload,
    receipt_pdf,
    receipt_text,
)

BRT = timezone(timedelta(hours=-3))
AT = datetime(2026, 3, 2, 8, 2, 11, tzinfo=BRT)


def punch_for(ledger, employee, kind="ENTRADA"):
    return ledger.record_punch(
        PunchDraft(employee.id, kind, f"{kind} 08 02", validated=True, punched_at=AT)
    )


def test_payload_round_trip_and_refusals(ledger, ana):
    p = punch_for(ledger, ana)
    payload = qr_payload(p)
    assert payload == f"PV1|01|{p.nsr:09d}|{p.afd_hash}" and len(p.afd_hash) == 64
    assert parse_qr_payload(payload) == ("01", p.nsr, p.afd_hash)
    assert f"Conferência: {payload}" in receipt_text(p, ledger.settings)
    for bad in ("", "PV2|01|1|" + "a" * 64, "PV1|01|x|" + "a" * 64, "PV1|01|1|abc",
                "PV1|01|1|" + "g" * 64, "PV1|01|1"):  # fmt: skip
        with pytest.raises(ValueError, match="código de conferência inválido"):
            parse_qr_payload(bad)


def test_receipt_code_as_a_worker_copies_it(ledger, ana):
    """The QR text, or the hash off the screen or the PDF: both lines, any spacing or case,
    with or without its label, or its first 12+ digits."""
    p = punch_for(ledger, ana)
    first, second = hash_lines(p)
    whole = ReceiptCode(p.afd_hash)
    assert parse_receipt_code(qr_payload(p)) == ReceiptCode(p.afd_hash, "01", p.nsr)
    assert parse_receipt_code(f"Conferência: {qr_payload(p)}") == ReceiptCode(
        p.afd_hash, "01", p.nsr
    )
    for typed in (f"Código hash (SHA-256):\n{first}\n{second}", f"{first} {second}",
                  f" {first.upper()}\n {second} ", f"código: {p.afd_hash}"):  # fmt: skip
        assert parse_receipt_code(typed) == whole, typed
    assert parse_receipt_code(p.afd_hash[:12]) == ReceiptCode(p.afd_hash[:12])
    assert parse_receipt_code(p.afd_hash[:12]).matches(p)
    assert parse_receipt_code(p.afd_hash).whole and not parse_receipt_code(first).whole
    other = punch_for(ledger, ana, "SAIDA")
    assert not whole.matches(other) and parse_receipt_code(qr_payload(other)).matches(other)
    assert not ReceiptCode(p.afd_hash, "01", other.nsr).matches(p)  # right hash, other NSR
    for bad in (p.afd_hash[:11], p.afd_hash + "0", "z" * 20, f"NSR {p.nsr:09d}", ""):
        with pytest.raises(ValueError, match="código de conferência inválido"):
            parse_receipt_code(bad)


def test_pdf_text_carries_the_hash_lines_and_place(ledger, ana):
    p = punch_for(ledger, ana)
    page = PdfFileReader(io.BytesIO(receipt_pdf(p, ledger.settings))).root["/Pages"]["/Kids"][0]
    drawn = page["/Contents"].data.decode("latin-1")
    first, second = hash_lines(p)
    assert first + second == p.afd_hash
    assert f"({first})" in drawn and f"({second})" in drawn
    assert f"(Local: {ledger.settings.place})" in drawn
    text = receipt_text(p, ledger.settings)
    assert f"\n{first}\n{second}\n" in text and f"Local: {ledger.settings.place}\n" in text


def test_pdf_embeds_the_qr_of_the_payload(ledger, ana):
    p = punch_for(ledger, ana)
    pdf = receipt_pdf(p, ledger.settings)
    page = PdfFileReader(io.BytesIO(pdf)).root["/Pages"]["/Kids"][0]
    xobjects = page["/Resources"]["/XObject"]
    images = [xobjects[k] for k in xobjects if xobjects[k]["/Subtype"] == "/Image"]
    assert len(images) == 1
    image = images[0]
    width, height = int(image["/Width"]), int(image["/Height"])
    assert image["/Filter"] == "/FlateDecode" and image["/DecodeParms"]["/Predictor"] == 15
    pixels = png_rows(image.encoded_data, width, height).tobytes()
    matrix = [list(row) for row in segno.make(qr_payload(p), error="m").matrix]
    scale, border = 4, 2
    assert width == height == (len(matrix) + 2 * border) * scale
    for y, row in enumerate(matrix):  # sample the centre of every module
        for x, dark in enumerate(row):
            px = pixels[((y + border) * scale + 2) * width + (x + border) * scale + 2]
            assert (px < 128) == bool(dark), (x, y)


def png_rows(idat: bytes, width: int, height: int) -> Image.Image:
    """A Flate stream with PNG predictors is a PNG's IDAT: wrap it and let Pillow decode it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grey
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    return Image.open(io.BytesIO(png)).convert("L")


def test_receipt_check_cli(pv_home):
    with Ledger.open() as led:
        emp = led.add_employee("Ana Souza", "52998224725", "5821")
        p = punch_for(led, emp)
    payload = qr_payload(p)

    def check(code):
        return subprocess.run(
            [sys.executable, "-m", "app", "receipt", "check", code],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip

    ok = check(payload)
    assert ok.returncode == 0, ok.stderr
    expected = f"Comprovante confere: NSR {p.nsr:09d}, Entrada em 02/03/2026 08:02, Ana Souza"
    assert expected in ok.stdout
    assert check(f"Conferência: {payload}").returncode == 0  # the receipt's text line works too
    forged = check(payload[:-1] + ("0" if payload[-1] != "0" else "1"))
    assert forged.returncode == 1 and "NÃO CONFERE" in forged.stderr
    missing = check(payload.replace(f"|{p.nsr:09d}|", f"|{p.nsr + 1:09d}|"))
    assert missing.returncode == 1 and "não há marcação" in missing.stderr
    garbage = check("hello")
    assert garbage.returncode == 2 and "código de conferência inválido" in garbage.stderr
    # The hash as read off the kiosk's screen or the PDF (both show the same), or its start.
    first, second = hash_lines(p)
    for typed in (f"Código hash (SHA-256):\n{first}\n{second}", f"{first} {second}",
                  p.afd_hash[:12]):  # fmt: skip
        got = check(typed)
        assert got.returncode == 0 and expected in got.stdout, (typed, got.stderr)
    off = check(first + second[:-1] + ("0" if second[-1] != "0" else "1"))
    assert off.returncode == 1 and "nenhuma marcação tem este código" in off.stderr
