"""One receipt, three readings that must agree: the code a worker reads off the kiosk's receipt
screen, the official PDF receipt (`export --format receipt`, its text and its QR image) carry the
same hash and the same "Local", and `receipt check` accepts the code as read off the screen, the QR
text and the short code of the 48-hour list. Real kiosk, real model, real CLI."""

from __future__ import annotations

import io
import re
import subprocess
import sys

import segno
from pyhanko.pdf_utils.reader import PdfFileReader

from app.kiosk.settings import SettingsStore
from app.store.ledger import Ledger
from app.store.receipt import qr_payload
from tests.kiosk.conftest import configured_settings, speak, to_challenge, to_types
from tests.punch.test_receipt_qr import png_rows

PLACE = "Loja Centro - São Paulo/SP"


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True,
                          timeout=120)  # fmt: skip


def pdf_page(pdf: bytes) -> tuple[str, list]:
    """The page's drawn text (content streams, latin-1) and its image XObjects."""
    page = PdfFileReader(io.BytesIO(pdf)).root["/Pages"]["/Kids"][0]
    contents = page["/Contents"]
    streams = contents if isinstance(contents, list) else [contents]
    text = b"".join(s.data for s in streams).decode("latin-1")
    xobjects = page["/Resources"]["/XObject"]
    return text, [xobjects[k] for k in xobjects if xobjects[k]["/Subtype"] == "/Image"]


def qr_matches(image, payload: str) -> bool:
    """The PDF's QR image is, module by module, the QR of ``payload``."""
    width, height = int(image["/Width"]), int(image["/Height"])
    pixels = png_rows(image.encoded_data, width, height).tobytes()
    matrix = segno.make(payload, error="m").matrix
    scale, border = 4, 2
    if width != (len(matrix) + 2 * border) * scale:
        return False
    return all(
        (pixels[((y + border) * scale + 2) * width + (x + border) * scale + 2] < 128) == bool(d)
        for y, row in enumerate(matrix)
        for x, d in enumerate(row)
    )


def test_screen_pdf_and_qr_carry_one_hash_and_place(qtbot, make_kiosk, make_clip, pv_home,
                                                    tmp_path):  # fmt: skip
    settings = configured_settings()
    settings.kiosk.place = PLACE  # as the admin's Geral tab saves it
    SettingsStore(pv_home / "config" / "settings.json").save(settings)
    ledger = Ledger.open()  # where the CLI finds it (the fixture's default is elsewhere)
    win, _clock, sources = make_kiosk(ledger=ledger, settings=settings)
    to_challenge(qtbot, win)
    speak(qtbot, win, sources, make_clip("Entrada, treze e quarenta."))
    assert "Validado" in win.window.result.verdict.text(), win.window.result.heard.text()
    qtbot.waitUntil(lambda: win.window.stack.currentWidget() is win.window.receipt, timeout=5000)
    punch = win.ledger.punches()[-1]

    # What the worker reads: the hash in two lines, the place, the QR.
    screen_code = win.window.receipt.code.text()
    _label, first, second = screen_code.splitlines()
    assert first + second == punch.afd_hash and len(punch.afd_hash) == 64
    assert f"<td style='padding-right:24px;color:#4a5d70'>Local</td><td><b>{PLACE}</b>" in (
        win.window.receipt.body.text()
    )
    qr_text = win.window.receipt.qr.toolTip()
    assert qr_text == qr_payload(punch) and qr_text.endswith("|" + punch.afd_hash)

    # The official receipt, as `export` writes it from the same ledger.
    out = tmp_path / "comprovantes"
    done = cli("export", "--from", "2026-03-10", "--to", "2026-03-10", "--format", "receipt",
               "--out", str(out))  # fmt: skip
    assert done.returncode == 0, done.stderr
    pdf = (out / f"comprovante-{punch.kiosk_id}-{punch.nsr:09d}.pdf").read_bytes()
    drawn, images = pdf_page(pdf)
    assert f"({first})" in drawn and f"({second})" in drawn  # the screen's two lines
    assert f"(Local: {PLACE})" in drawn
    assert qr_text in "".join(re.findall(r"\((.*?)\) Tj", drawn))  # under the QR (wrapped)
    assert len(images) == 1 and qr_matches(images[0], qr_text)
    text = (out / f"comprovante-{punch.kiosk_id}-{punch.nsr:09d}.txt").read_text("utf-8")
    assert f"Local: {PLACE}\n" in text and f"\n{first}\n{second}\n" in text

    # `receipt check` takes each of them; a code one digit off is refused.
    short = win.ledger.punches()[-1].afd_hash[:12]
    for code in (screen_code, f"{first} {second}", qr_text, f"Conferência: {qr_text}", short):
        ok = cli("receipt", "check", code)
        assert ok.returncode == 0, (code, ok.stderr)
        assert f"Comprovante confere: NSR {punch.nsr:09d}" in ok.stdout
    wrong = second[:-1] + ("0" if second[-1] != "0" else "1")
    bad = cli("receipt", "check", f"{first}\n{wrong}")
    assert bad.returncode == 1 and "NÃO CONFERE" in bad.stderr

    # The worker's 48-hour list shows that short code.
    win.window.receipt.done.emit()
    to_types(qtbot, win)
    win.window.types.receipts.click()
    assert f"código {short}" in win.window.receipts.list.item(0).text()
