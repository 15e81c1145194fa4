"""A queue of workers at the real kiosk: a receipt that counts down and gives way to the next person
at once, the 48-hour list readable and opening a receipt, messages said once, and a duplicate
question whose big default records nothing."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor

from tests.kiosk.conftest import BADGE, EMPLOYEE_PIN, speak, to_challenge, to_types
from tests.kiosk.test_shift_change import punch_at


def receipt_after_a_punch(qtbot, win, sources, make_clip):
    to_challenge(qtbot, win, "ENTRADA")
    speak(qtbot, win, sources, make_clip("Entrada, treze e quarenta."))
    assert win.window.result.verdict.text().endswith("Validado"), win.window.result.heard.text()
    qtbot.waitUntil(lambda: win.window.stack.currentWidget() is win.window.receipt, timeout=5000)


def test_receipt_counts_down_then_a_tap_or_a_pin_digit_hands_over(qtbot, make_kiosk, make_clip):
    win, _clock, sources = make_kiosk()
    win.settings.kiosk.idle_return_seconds = 3
    receipt_after_a_punch(qtbot, win, sources, make_clip)
    punch = win.punch.attempt.punch
    assert win.window.receipt.countdown.text() == "Voltando ao início em 3 s"
    qtbot.waitUntil(lambda: win.window.receipt.countdown.text() == "Voltando ao início em 2 s",
                    timeout=2500)  # fmt: skip
    qtbot.waitUntil(lambda: win.window.receipt.countdown.text() == "Voltando ao início em 1 s",
                    timeout=2500)  # fmt: skip
    qtbot.waitUntil(lambda: win.window.stack.currentWidget() is win.window.idle, timeout=2500)

    win.punch.show_receipt(punch)  # the next person taps the receipt: the PIN screen, at once
    qtbot.mouseClick(win.window.receipt.title, Qt.MouseButton.LeftButton)
    assert win.window.stack.currentWidget() is win.window.pin
    assert not win.window.receipt.counting

    win.punch.show_receipt(punch)  # or a badge is read (a keyboard wedge: digits, Enter)
    qtbot.keyClick(win.window, BADGE[0])
    assert win.window.stack.currentWidget() is win.window.pin
    assert not win.window.receipt.counting
    qtbot.keyClicks(win.window.pin.badge, BADGE[1:])
    qtbot.keyClick(win.window.pin.badge, Qt.Key.Key_Return)
    assert win.window.stack.currentWidget() is win.window.types  # the next person, identified


def test_48_hour_list_is_readable_and_opens_the_receipt(qtbot, make_kiosk):
    win, _clock, _sources = make_kiosk()
    now = datetime(2026, 3, 10, 13, 40)
    punch_at(win, "ENTRADA", now - timedelta(hours=5))
    newest = punch_at(win, "INTERVALO", now - timedelta(minutes=30))
    to_types(qtbot, win)
    win.window.types.receipts.click()
    lst = win.window.receipts.list
    assert lst.count() == 2
    lst.setCurrentRow(0)
    rect = lst.visualItemRect(lst.item(0))
    shot = lst.viewport().grab().toImage()
    colors: dict[tuple[int, int, int], int] = {}
    for x in range(rect.left() + 2, rect.right() - 2, 3):
        for y in range(rect.top() + 2, rect.bottom() - 2, 2):
            c = QColor(shot.pixel(x, y))
            key = (c.red(), c.green(), c.blue())
            colors[key] = colors.get(key, 0) + 1
    background = max(colors, key=colors.__getitem__)
    text = max(colors, key=lambda c: contrast(c, background))
    assert contrast(text, background) >= 4.5, (text, background)  # WCAG AA for the row's text

    center = rect.center()
    qtbot.mouseClick(lst.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(center))
    assert win.window.stack.currentWidget() is win.window.receipt
    assert f"{newest.nsr:09d}" in win.window.receipt.body.text()
    assert not win.window.receipt.qr.pixmap().isNull()
    assert (
        win.window.receipt.countdown.text() == "" and not win.window.receipt.counting
    )  # time to scan
    qtbot.mouseClick(
        win.window.receipt.title, Qt.MouseButton.LeftButton
    )  # a tap: still the worker's
    assert win.window.stack.currentWidget() is win.window.receipt
    win.window.receipt.ok.click()
    assert win.window.stack.currentWidget() is win.window.receipts  # Concluir: back to the list


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    def lum(c):
        ch = [v / 255 for v in c]
        ch = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in ch]
        return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2]

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def sentences(*texts: str) -> list[str]:
    out = []
    for t in texts:
        out += [s.strip().lower() for s in re.split(r"(?<=[.!?])\s+", t) if s.strip()]
    return out


def test_silence_is_said_once(qtbot, make_kiosk, tmp_path):
    import numpy as np

    from app.core.audio import wav_bytes

    win, _clock, sources = make_kiosk()
    quiet = tmp_path / "quiet.wav"
    quiet.write_bytes(wav_bytes(np.zeros(16000, np.float32)))
    to_challenge(qtbot, win)
    speak(qtbot, win, sources, quiet)
    r = win.window.result
    said = sentences(r.verdict.text(), r.heard.text(), r.detail.text())
    assert len(said) == len(set(said)), said
    assert sum("ouvimos" in s for s in said) == 1, said  # "Não ouvimos ..." once
    assert "microfone" in r.detail.text()


def test_duplicate_question_big_default_records_nothing(qtbot, make_kiosk):
    win, _clock, _sources = make_kiosk()
    punch_at(win, "ENTRADA", datetime(2026, 3, 10, 13, 39))
    before = win.ledger.count_punches()
    to_types(qtbot, win, EMPLOYEE_PIN)
    win.window.types.buttons["ENTRADA"].click()
    m = win.window.message
    assert m.title.text() == "Marcação repetida?"
    duplicate = m.findChild(type(m.ok_button), "action-duplicate")
    assert m.ok_button.property("role") == "ok"  # the big green one...
    assert duplicate.property("role") == "secondary"
    assert m.ok_button.width() > duplicate.width()
    m.ok_button.click()  # ...goes back and records nothing
    assert win.window.stack.currentWidget() is win.window.idle
    assert win.ledger.count_punches() == before
    to_types(qtbot, win, EMPLOYEE_PIN)
    win.window.types.buttons["ENTRADA"].click()
    duplicate = m.findChild(type(m.ok_button), "action-duplicate")
    duplicate.click()  # asked for on purpose: the challenge
    assert win.window.stack.currentWidget() is win.window.challenge
