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
from app.store.receipt import parse_qr_payload, qr_payload, receipt_pdf, receipt_text

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
