"""The whole punch flow, offscreen, with real audio replayed through the recorder's code path
(ClipSource -> resampler -> endpointing -> the real verifier on its QThread)."""

from __future__ import annotations

import itertools
import time

from PySide6.QtCore import QTimer

from tests.kiosk.conftest import BADGE, clip_source, speak, to_challenge


def test_right_phrase_is_validated_then_receipt(qtbot, make_kiosk, make_clip):
    win, _clock, sources = make_kiosk()
    to_challenge(qtbot, win)
    assert win.challenge.phrase.text() == "ENTRADA 13 40"
    assert win.types.buttons["ENTRADA"].property("role") == "suggested"
    levels = []
    win.recorder.level.connect(levels.append)
    speak(qtbot, win, sources, make_clip("Entrada, treze e quarenta."))
    assert win.stack.currentWidget() is win.result
    assert "Validado" in win.result.verdict.text(), win.result.heard.text()
    assert "Ouvimos" in win.result.heard.text()
    assert max(levels) > 0.05  # the live meter moved
    qtbot.waitUntil(lambda: win.stack.currentWidget() is win.receipt, timeout=5000)
    assert "Maria da Silva" in win.receipt.body.text()
    assert win.receipt.flag.text() == ""
    assert not win.receipt.qr.pixmap().isNull()  # the receipt's QR (NSR and hash)
    punch = win.ledger.punches()[-1]
    assert win.receipt.qr.toolTip() == f"PV1|LOJA-01|{punch.nsr:09d}|{punch.afd_hash}"
    qtbot.waitUntil(lambda: win.stack.currentWidget() is win.idle, timeout=5000)
    # The next punch suggests Intervalo.
    win.idle.touched.emit()
    win.pin.badge.setText(BADGE)
    win.pin.badge.returnPressed.emit()
    assert win.stack.currentWidget() is win.types
    assert win.types.buttons["INTERVALO"].property("role") == "suggested"


def test_wrong_phrase_three_tries_then_flagged(qtbot, make_kiosk, make_clip):
    win, _clock, sources = make_kiosk()
    to_challenge(qtbot, win)
    wrong = make_clip("Entrada, treze e cinquenta.")
    for attempt in (1, 2, 3):
        assert win.challenge.tries.text() == f"Tentativa {attempt} de 3"
        speak(qtbot, win, sources, wrong)
        assert "Não validado" in win.result.verdict.text()
        assert "50" in win.result.heard.text() or "cinquenta" in win.result.heard.text()
        if attempt < 3:
            assert win.result.retry_button.isVisible()
            win.result.retry_button.click()
    assert not win.result.retry_button.isVisible()
    assert win.result.accept_button.text() == "Registrar para revisão"
    win.result.accept_button.click()
    assert win.stack.currentWidget() is win.receipt
    assert "revisão" in win.receipt.flag.text()


def test_challenge_follows_the_minute_until_recording_starts(qtbot, make_kiosk):
    win, clock, _sources = make_kiosk()
    to_challenge(qtbot, win, "SAIDA")
    assert win.challenge.phrase.text() == "SAÍDA 13 40"  # with its accent, on one line
    clock.advance(minutes=1)
    win.tick()
    assert win.challenge.phrase.text() == "SAÍDA 13 41"


def test_event_loop_keeps_ticking_during_verify(qtbot, make_kiosk, make_clip):
    win, _clock, sources = make_kiosk()
    to_challenge(qtbot, win)
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start(10)
    verifying: list[float] = []
    submit = win.verify_worker.submit

    def timed_submit(*args):  # note when the verify is handed to the worker thread
        verifying.append(time.perf_counter())
        submit(*args)

    win.verify_worker.submit = timed_submit
    speak(qtbot, win, sources, make_clip("Entrada, treze e quarenta."))
    done = time.perf_counter()
    timer.stop()
    assert verifying, "verify never started"
    during = [t for t in ticks if verifying[0] <= t <= done]
    gaps = [b - a for a, b in itertools.pairwise(during)]
    assert len(during) >= 3, "no ticks while verifying"
    assert max(gaps) < 0.1, f"GUI stalled {max(gaps):.3f} s during verify"


def test_cancel_while_listening_returns_to_idle(qtbot, make_kiosk, make_clip):
    win, _clock, sources = make_kiosk()
    to_challenge(qtbot, win)
    sources.next = clip_source(make_clip("Entrada, treze e quarenta."), lead_seconds=3.0)
    win.challenge.record.click()
    qtbot.wait(300)
    win.challenge.cancel.click()
    qtbot.waitUntil(lambda: win.stack.currentWidget() is win.idle, timeout=3000)


def test_silence_is_no_speech(qtbot, make_kiosk, tmp_path):
    import numpy as np

    from app.lab.corpus import write_wav

    win, _clock, sources = make_kiosk()
    to_challenge(qtbot, win)
    quiet = write_wav(tmp_path / "quiet.wav", np.zeros(16000, np.float32))
    win.settings.kiosk.max_record_seconds = 2.0
    speak(qtbot, win, sources, quiet)
    assert "Não validado" in win.result.verdict.text()
    assert "Não ouvimos" in win.result.heard.text()
