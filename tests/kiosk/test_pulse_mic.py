"""A real microphone: PulseAudio's null sink 'virt' and a virtual mic on its monitor
(tests/kiosk/pulse.py).

A clip played into 'virt' with paplay is recorded by sounddevice from device 'pulse' (at the
device's rate, resampled to 16 kHz by the recorder), verified by the real model on its QThread.
"""

from __future__ import annotations

import subprocess
import time

import pytest
from PySide6.QtCore import QTimer

from app.kiosk.recorder import MicError, SoundDeviceSource
from tests.kiosk import pulse
from tests.kiosk.conftest import paused_clip, to_challenge


@pytest.fixture(scope="module")
def virtual_mic(tmp_path_factory):
    pulse.require_tools()
    with pulse.Environment(tmp_path_factory.mktemp("pulse-runtime")):
        pulse.start_server()
        pulse.rescan_portaudio()
        yield "pulse"
        pulse.kill_server()
    pulse.rescan_portaudio()


def play_when_listening(win, clip, delay_ms=300):
    procs = []
    QTimer.singleShot(
        delay_ms, lambda: procs.append(subprocess.Popen(["paplay", "-d", "virt", str(clip)]))
    )
    return procs


@pytest.mark.parametrize(
    ("text", "verdict"),
    [("Entrada, treze e quarenta.", "Validado"), ("Saída, treze e quarenta.", "Não validado")],
)
def test_virtual_mic_right_and_wrong_phrase(qtbot, make_kiosk, make_clip, virtual_mic, text,
                                            verdict):  # fmt: skip
    win, _clock, sources = make_kiosk()
    to_challenge(qtbot, win, "ENTRADA")
    source = SoundDeviceSource(device=virtual_mic)
    rates: list[int] = []
    real_open = source.open

    def open_and_note_rate():  # a spy on the real stream, to see the rate it was opened at
        stream = real_open()
        rates.append(stream.samplerate)
        return stream

    source.open = open_and_note_rate  # type: ignore[method-assign]
    sources.next = source
    procs = play_when_listening(win, make_clip(text))
    win.window.challenge.record.click()
    qtbot.waitUntil(
        lambda: win.window.stack.currentWidget() is not win.window.challenge, timeout=20000
    )
    for p in procs:
        p.wait(5)
    assert win.window.stack.currentWidget() is win.window.result, win.window.message.text.text()
    assert win.window.result.verdict.text().endswith(verdict), win.window.result.heard.text()
    assert rates == [44100]  # opened at the device's own rate, resampled to 16 kHz
    # the verdict came from the speech followed by silence: stopped by it, or shown early on a
    # snapshot taken in it (app/kiosk/listening.py), and then stopped at once
    paths = win.punch.listener.metrics["paths"]
    lis = win.punch.listener.listening
    qtbot.waitUntil(lambda: lis.recording is not None, timeout=5000)
    expected_stop = "verdict" if paths["early"] else "silence"
    assert lis.recording.stopped_by == expected_stop, (paths, lis.recording.stopped_by)


def test_unsupported_rate_is_refused_by_the_device(virtual_mic):
    """Real: PortAudio refuses the rate."""
    with pytest.raises(MicError, match="não aceita a taxa"):
        SoundDeviceSource(device=virtual_mic, samplerate=1_000_000).open()


def test_unsupported_rate_on_screen(qtbot, make_kiosk, virtual_mic):
    win, _clock, sources = make_kiosk()
    to_challenge(qtbot, win)
    sources.next = SoundDeviceSource(device=virtual_mic, samplerate=1_000_000)
    win.window.challenge.record.click()
    qtbot.waitUntil(lambda: win.window.stack.currentWidget() is win.window.message, timeout=5000)
    assert "não aceita a taxa de 1000000 Hz" in win.window.message.text.text()


def test_virtual_mic_pause_between_type_and_time(qtbot, make_kiosk, make_clip, virtual_mic,
                                                 tmp_path):  # fmt: skip
    """A pause between type and time, through a real audio stack: "Entrada." + 1.0 s + "treze e
    quarenta." played into the virtual mic is recorded whole (the pause does not end it) and no
    verdict appears before the speaker has finished (docs/FIGURES.md, "Kiosk after the
    controller redesign")."""
    win, _clock, sources = make_kiosk()
    to_challenge(qtbot, win, "ENTRADA")
    sources.next = SoundDeviceSource(device=virtual_mic)
    clip = paused_clip(make_clip, tmp_path, gap=1.0)
    seconds = (clip.stat().st_size - 44) / 32000
    started: list[float] = []
    procs = play_when_listening(win, clip)
    QTimer.singleShot(300, lambda: started.append(time.monotonic()))
    win.window.challenge.record.click()
    qtbot.waitUntil(
        lambda: win.window.stack.currentWidget() is not win.window.challenge, timeout=20000
    )
    shown = time.monotonic()
    for p in procs:
        p.wait(5)
    assert win.window.stack.currentWidget() is win.window.result, win.window.message.text.text()
    assert shown >= started[0] + seconds - 0.05, "a verdict while the person was speaking"
    qtbot.waitUntil(lambda: win.punch.listener.listening.recording is not None, timeout=5000)
    rec = win.punch.listener.listening.recording
    assert rec.samples.size >= seconds * 16000 * 0.95  # the time after the pause was recorded
    heard = win.window.result.heard.text()
    assert "Entrada Entrada" not in heard, heard


def test_verdict_sound_plays_through_the_audio_stack(virtual_mic):
    """Real: the "Validado" chime played by SoundPlayer (sounddevice, default output = the
    null sink 'virt') is heard on virt's monitor, at the volume set; volume 0 plays nothing."""
    import numpy as np
    import sounddevice as sd

    from app.kiosk.sounds import SoundPlayer

    def loudest(volume: int) -> float:
        player = SoundPlayer(volume=volume)
        with sd.InputStream(device=virtual_mic, channels=1, dtype="float32") as mic:
            mic.read(int(mic.samplerate * 0.1))  # let the stream settle
            played = player.play("ok")
            # The 0.35 s chime, heard within 3 s: opening the output stream on a busy 2-core CI
            # machine once took longer than the 0.6 s this test used to listen (CI, stop 19).
            data, _ = mic.read(int(mic.samplerate * 3.0))
        sd.wait()
        assert played == (volume > 0)
        return float(np.abs(data).max())

    loud, quiet, silent = loudest(100), loudest(25), loudest(0)
    assert loud > 0.2, loud
    assert 0.15 * loud < quiet < 0.4 * loud, (quiet, loud)
    assert silent < 0.01, silent
