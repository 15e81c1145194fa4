"""The whole punch flow, offscreen, with real audio replayed through the recorder's code path
(ClipSource -> resampler -> endpointing -> the real verifier on its QThread)."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QTimer

from tests.kiosk.conftest import BADGE, clip_source, speak, to_challenge


def test_right_phrase_is_validated_then_receipt(qtbot, make_kiosk, make_clip):
    win, _clock, sources = make_kiosk()
    to_challenge(qtbot, win)
    assert win.window.challenge.phrase.text() == "ENTRADA 13 40"
    assert win.window.types.buttons["ENTRADA"].property("role") == "suggested"
    levels = []
    win.recorder.level.connect(levels.append)
    stored_when_shown = []  # punches stored as each screen came up: nothing shown before stored
    win.window.stack.currentChanged.connect(lambda _i: stored_when_shown.append(
        (win.window.stack.currentWidget(), win.ledger.count_punches())))  # fmt: skip
    speak(qtbot, win, sources, make_clip("Entrada, treze e quarenta."))
    assert win.window.stack.currentWidget() is win.window.result
    assert "Validado" in win.window.result.verdict.text(), win.window.result.heard.text()
    assert stored_when_shown[-1] == (win.window.result, 1)  # committed before "Validado" showed
    assert "Ouvimos" in win.window.result.heard.text()
    assert max(levels) > 0.05  # the live meter moved
    qtbot.waitUntil(lambda: win.window.stack.currentWidget() is win.window.receipt, timeout=5000)
    assert "Maria da Silva" in win.window.receipt.body.text()
    assert win.window.receipt.flag.text() == ""
    assert not win.window.receipt.qr.pixmap().isNull()  # the receipt's QR (NSR and hash)
    punch = win.ledger.punches()[-1]
    assert win.window.receipt.qr.toolTip() == f"PV1|LOJA-01|{punch.nsr:09d}|{punch.afd_hash}"
    assert win.window.receipt.code.text().splitlines()[1:] == [
        punch.afd_hash[:32],
        punch.afd_hash[32:],
    ]
    win.punch.accept()  # a late "Continuar" (timer or tap) stores nothing more
    assert win.ledger.count_punches() == 1 and punch.validated
    qtbot.waitUntil(lambda: win.window.stack.currentWidget() is win.window.idle, timeout=5000)
    # The next punch suggests Intervalo.
    win.window.idle.touched.emit()
    win.window.pin.badge.setText(BADGE)
    win.window.pin.badge.returnPressed.emit()
    assert win.window.stack.currentWidget() is win.window.types
    assert win.window.types.buttons["INTERVALO"].property("role") == "suggested"


def test_wrong_phrase_three_tries_then_flagged(qtbot, make_kiosk, make_clip):
    win, _clock, sources = make_kiosk()
    to_challenge(qtbot, win)
    wrong = make_clip("Entrada, treze e cinquenta.")
    for attempt in (1, 2, 3):
        assert win.window.challenge.tries.text() == f"Tentativa {attempt} de 3"
        speak(qtbot, win, sources, wrong)
        assert "Não validado" in win.window.result.verdict.text()
        assert (
            "50" in win.window.result.heard.text() or "cinquenta" in win.window.result.heard.text()
        )
        if attempt < 3:
            assert win.window.result.retry_button.isVisible()
            win.window.result.retry_button.click()
    assert not win.window.result.retry_button.isVisible()
    assert win.window.result.accept_button.text() == "Registrar para revisão"
    win.window.result.accept_button.click()
    assert win.window.stack.currentWidget() is win.window.receipt
    assert "revisão" in win.window.receipt.flag.text()


def test_challenge_follows_the_minute_until_recording_starts(qtbot, make_kiosk):
    win, clock, _sources = make_kiosk()
    to_challenge(qtbot, win, "SAIDA")
    assert win.window.challenge.phrase.text() == "SAÍDA 13 40"  # with its accent, on one line
    clock.advance(minutes=1)
    win.window.tick()
    assert win.window.challenge.phrase.text() == "SAÍDA 13 41"


class _ThreadNotingVerifier:
    """The session's real verifier, noting which thread each verify runs on."""

    def __init__(self, inner):
        self._inner = inner
        self.threads: list[int] = []
        self.spans: list[tuple[float, float]] = []

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def verify(self, *args, **kwargs):
        self.threads.append(threading.get_ident())
        start = time.perf_counter()
        try:
            return self._inner.verify(*args, **kwargs)
        finally:
            self.spans.append((start, time.perf_counter()))


def test_event_loop_keeps_ticking_during_verify(qtbot, make_kiosk, make_clip, verifier):
    # The verify runs on the worker thread, and the GUI's event loop keeps serving timers
    # meanwhile. (No stall limit in seconds: speed is the benchmark's business.)
    noting = _ThreadNotingVerifier(verifier)
    win, _clock, sources = make_kiosk(verifier_=noting)
    to_challenge(qtbot, win)
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start(10)
    speak(qtbot, win, sources, make_clip("Entrada, treze e quarenta."))
    timer.stop()
    assert "Validado" in win.window.result.verdict.text()
    assert noting.threads, "verify never ran"
    assert threading.get_ident() not in noting.threads, "verify ran on the GUI thread"
    start, end = noting.spans[-1]
    during = [t for t in ticks if start <= t <= end]
    assert len(during) >= 3, f"{len(during)} timer ticks in a {end - start:.2f}-s verify"


def test_cancel_while_listening_returns_to_idle(qtbot, make_kiosk, make_clip):
    win, _clock, sources = make_kiosk()
    to_challenge(qtbot, win)
    sources.next = clip_source(make_clip("Entrada, treze e quarenta."), lead_seconds=3.0)
    win.window.challenge.record.click()
    qtbot.wait(300)
    win.window.challenge.cancel.click()
    qtbot.waitUntil(lambda: win.window.stack.currentWidget() is win.window.idle, timeout=3000)


def test_silence_is_no_speech(qtbot, make_kiosk, tmp_path):
    import numpy as np

    from app.lab.corpus import write_wav

    win, _clock, sources = make_kiosk()
    to_challenge(qtbot, win)
    quiet = write_wav(tmp_path / "quiet.wav", np.zeros(16000, np.float32))
    win.settings.kiosk.max_record_seconds = 2.0
    speak(qtbot, win, sources, quiet)
    assert "Não validado" in win.window.result.verdict.text()
    assert "Não ouvimos" in win.window.result.heard.text()
