"""Microphone trouble named on screen (docs/INSTALL.md, "Troubleshooting"), through a real
PulseAudio server: the sound server killed, the microphone's source unloaded, each named on the
idle screen within seconds and at the punch, and gone by itself when the server or the
microphone comes back; the sample-rate message only when true."""

from __future__ import annotations

import pytest
import sounddevice as sd

from app.kiosk import audio_health
from app.kiosk.recorder import MicError, SoundDeviceSource
from tests.kiosk import pulse
from tests.kiosk.conftest import to_challenge, wait_ready

WITHIN_MS = 7000  # the idle screen looks every 5 s


@pytest.fixture()
def server(tmp_path):
    pulse.require_tools()
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    with pulse.Environment(runtime):
        pulse.start_server()
        pulse.rescan_portaudio()
        yield
        pulse.kill_server()
    pulse.rescan_portaudio()


def idle_with_pulse(qtbot, make_kiosk):
    win, _clock, _sources = make_kiosk(source_factory=lambda k: SoundDeviceSource("pulse"))
    wait_ready(qtbot, win)
    qtbot.waitUntil(lambda: win.window.idle.notice.text() == "", timeout=WITHIN_MS)
    return win


def punch_message(qtbot, win) -> str:
    to_challenge(qtbot, win)
    win.window.challenge.record.click()
    qtbot.waitUntil(lambda: win.window.stack.currentWidget() is win.window.message, timeout=10000)
    text = win.window.message.text.text()
    win.go_idle()
    return text


def test_microphone_unplugged_then_back(qtbot, make_kiosk, server):
    win = idle_with_pulse(qtbot, make_kiosk)
    pulse.remove_mic()  # the server runs on; its only microphone is gone
    qtbot.waitUntil(
        lambda: audio_health.NO_INPUT in win.window.idle.notice.text(), timeout=WITHIN_MS
    )
    text = punch_message(qtbot, win)
    assert audio_health.NO_INPUT in text and "mais perto" not in text, text
    pulse.add_mic()
    qtbot.waitUntil(lambda: win.window.idle.notice.text() == "", timeout=WITHIN_MS)


def test_sound_server_killed_then_back(qtbot, make_kiosk, server):
    win = idle_with_pulse(qtbot, make_kiosk)
    pulse.kill_server()
    qtbot.waitUntil(
        lambda: audio_health.NO_SERVER in win.window.idle.notice.text(), timeout=WITHIN_MS
    )
    text = punch_message(qtbot, win)
    assert audio_health.NO_SERVER in text and "taxa" not in text, text
    pulse.start_server()
    qtbot.waitUntil(lambda: win.window.idle.notice.text() == "", timeout=WITHIN_MS)
    stream = SoundDeviceSource("pulse").open()  # PortAudio's list is fresh again: it opens
    stream.close()


def test_named_device_gone_while_others_remain(qtbot, make_kiosk, server):
    win, _clock, _sources = make_kiosk(source_factory=lambda k: SoundDeviceSource("Microfone USB"))
    wait_ready(qtbot, win)
    gone = audio_health.gone("Microfone USB")
    qtbot.waitUntil(lambda: gone in win.window.idle.notice.text(), timeout=WITHIN_MS)


def test_rate_message_only_when_the_device_refuses_the_rate(server):
    with pytest.raises(MicError, match="não aceita a taxa de 1000000 Hz"):
        SoundDeviceSource("pulse", samplerate=1_000_000).open()
    pulse.kill_server()
    with pytest.raises(MicError) as caught:  # the rate is fine; the server is not there
        SoundDeviceSource("pulse", samplerate=44100).open()
    assert str(caught.value) == audio_health.NO_SERVER


def test_busy_device_is_named_busy():
    """FAKE: holding a capture device busy needs exclusive hardware (an ALSA hw device) that
    CI machines lack; PortAudio's own error for it (paDeviceUnavailable) is built here."""
    busy = sd.PortAudioError("Error opening InputStream: Device unavailable", -9985)
    assert audio_health.open_error(busy, 48000) == audio_health.BUSY
    other = sd.PortAudioError("Error opening InputStream: Invalid sample rate", -9997)
    assert "taxa de 48000 Hz" in audio_health.open_error(other, 48000)
