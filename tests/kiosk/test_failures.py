"""Failures end on a screen that says what happened, never in a crash."""

from __future__ import annotations

from app.kiosk.recorder import SoundDeviceSource
from tests.kiosk.conftest import clip_source, enter_pin, speak, to_challenge


def test_no_microphone(qtbot, make_kiosk):
    """Real: sounddevice is asked for a device that does not exist."""
    win, _clock, sources = make_kiosk()
    to_challenge(qtbot, win)
    sources.next = SoundDeviceSource(device="Microfone USB inexistente")
    win.window.challenge.record.click()
    qtbot.waitUntil(lambda: win.window.stack.currentWidget() is win.window.message, timeout=5000)
    assert win.window.message.title.text() == "Problema no microfone"
    assert "Nenhum microfone" in win.window.message.text.text()
    assert "Avise o administrador" in win.window.message.text.text()  # not "conecte um microfone"
    # Punches are never blocked: it can still be recorded, flagged for review.
    win.window.message.action.emit("flag")
    assert win.window.stack.currentWidget() is win.window.receipt
    assert "revisão" in win.window.receipt.flag.text()


def test_microphone_unplugged_mid_recording(qtbot, make_kiosk, make_clip):
    """FAKE: a USB mic cannot be unplugged in CI, so the replayed source raises the same MicError
    the sounddevice stream raises when PortAudio reports the device gone, 0.5 s in."""
    win, _clock, sources = make_kiosk()
    to_challenge(qtbot, win)
    sources.next = clip_source(make_clip("Entrada, treze e quarenta."), fail_after_seconds=0.5)
    win.window.challenge.record.click()
    qtbot.waitUntil(lambda: win.window.stack.currentWidget() is win.window.message, timeout=5000)
    assert "parou de responder (desconectado?)" in win.window.message.text.text()
    win.window.message.action.emit("retry")  # plugged back in: try again
    assert win.window.stack.currentWidget() is win.window.challenge
    speak(qtbot, win, sources, make_clip("Entrada, treze e quarenta."))
    assert "Validado" in win.window.result.verdict.text()


def test_model_missing_or_corrupt(qtbot, make_kiosk, make_clip, tmp_path):
    """Real: a model folder with a garbage model.bin, loaded by the real Verifier."""
    from app.core.config import options_from
    from app.core.verifier import Verifier

    bad = tmp_path / "broken-model"
    bad.mkdir()
    (bad / "model.bin").write_bytes(b"not a model" * 100)
    (bad / "config.json").write_text("{}")
    options = options_from({}, overrides={"model_path": str(bad)})
    win, _clock, sources = make_kiosk(verifier_=Verifier(options))
    qtbot.waitUntil(lambda: win.model_state == "failed", timeout=30000)
    assert "modelo de voz" in win.window.idle.status.text()
    win.window.idle.touched.emit()
    enter_pin(win, "2468")
    win.window.types.buttons["SAIDA"].click()
    speak(qtbot, win, sources, make_clip("Saída, treze e quarenta."))
    assert win.window.stack.currentWidget() is win.window.message
    assert "modelo de voz" in win.window.message.text.text()
    win.window.message.action.emit("flag")
    assert "revisão" in win.window.receipt.flag.text()


def test_disk_full_when_recording_the_punch(qtbot, make_kiosk, make_clip):
    """FAKE: filling the disk of a shared machine is not something a test may do (and SQLite's
    max_page_count did not trip on a fresh WAL database), so the real store's ``record_punch``
    is wrapped to raise the store's own DiskFullError once; the punch service and screens
    are the real code."""
    win, _clock, sources = make_kiosk()
    from app.store.errors import DiskFullError

    real = win.ledger.record_punch
    calls = []

    def full_once(draft):
        calls.append(draft)
        if len(calls) == 1:
            raise DiskFullError("o disco de /x está cheio; nada foi gravado")
        return real(draft)

    win.ledger.record_punch = full_once
    to_challenge(qtbot, win)
    speak(qtbot, win, sources, make_clip("Entrada, treze e quarenta."))
    # The voice matched, but nothing is stored: "Validado" is never shown for an unstored punch.
    assert len(calls) == 1
    assert win.window.stack.currentWidget() is win.window.message
    assert "Validado" not in win.window.result.verdict.text()
    assert "Disco cheio" in win.window.message.text.text()
    win.window.message.action.emit("save")  # space freed: retry works
    assert win.window.stack.currentWidget() is win.window.receipt
    assert len(calls) == 2 and calls[1].validated
    assert win.ledger.punches()[-1].validated


def test_bad_settings_file_is_a_message(qtbot, make_kiosk, pv_home):
    win, _clock, _sources = make_kiosk()
    (pv_home / "config" / "settings.json").write_text('{"kiosk": {"max_tries": 42}}')
    win.start()
    assert win.window.stack.currentWidget() is win.window.message
    assert "Tentativas" in win.window.message.text.text()


def test_recorder_resamples_to_16k(make_clip):
    from app.core.audio import read_wav
    from app.kiosk.recorder import resample

    samples, rate = read_wav(make_clip("Entrada, treze e quarenta."))
    up = resample(samples, rate, 44100)
    back = resample(up, 44100)
    assert abs(back.size - samples.size) <= 2
