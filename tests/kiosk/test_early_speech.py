"""Speech that starts with the tap on Falar is kept (a rolling buffer opened when the phrase is
shown); "Comece a falar depois do sinal." only when the start was really lost.

``LiveClip`` is a microphone whose sound goes on whether or not anyone records: the clip plays
on a clock that starts when the test says, as a person speaks whether or not the kiosk listens.
The virtual-microphone test does the same through a real PulseAudio server."""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from app.core.audio import read_wav, wav_bytes
from app.kiosk.listening import CUT
from app.kiosk.recorder import SoundDeviceSource, resample
from tests.kiosk import pulse
from tests.kiosk.conftest import to_types, trimmed

RATE = 48000


class _LiveStream:
    def __init__(self, clip: LiveClip) -> None:
        self.samplerate = RATE
        self._clip = clip
        self._pos = max(0, int((time.monotonic() - clip.t0) * RATE))  # what is said *now*

    def read(self, frames: int) -> np.ndarray:
        due = self._clip.t0 + (self._pos + frames) / RATE
        wait = due - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        chunk = self._clip.audio[self._pos : self._pos + frames]
        if chunk.size < frames:  # a quiet room after the phrase
            noise = np.random.default_rng(self._pos).normal(0, 1e-4, frames - chunk.size)
            chunk = np.concatenate([chunk, noise.astype(np.float32)])
        self._pos += frames
        return chunk

    def close(self) -> None:
        pass


@dataclass(eq=False)
class LiveClip:
    """Speech starting ``lead`` s after ``t0`` (set by ``start``), at 48 kHz."""

    path: Path
    lead: float = 0.0
    t0: float = 0.0
    opened: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        samples, rate = read_wav(self.path)
        speech = resample(samples, rate, RATE)
        self.audio = np.concatenate([np.zeros(int(self.lead * RATE), np.float32), speech])

    def start(self) -> None:
        self.t0 = time.monotonic()

    def open(self) -> _LiveStream:
        self.opened.append(time.monotonic())
        return _LiveStream(self)


def opening_level(samples: np.ndarray) -> float:
    """RMS of a recording's first 60 ms (16 kHz)."""
    head = samples[:960]
    return float(np.sqrt(np.mean(head * head)))


def speech_clip(make_clip, folder: Path) -> Path:
    path = folder / "entrada-1340.wav"  # trimmed: the speech starts at the first sample
    path.write_bytes(wav_bytes(trimmed(make_clip("Entrada, treze e quarenta."))))
    return path


def tap_after_speech_began(qtbot, win, sources, clip: LiveClip, early: float) -> None:
    """The challenge opens; ``early`` s after the person began to speak, Falar is tapped."""
    to_types(qtbot, win)
    sources.next = clip
    clip.start()
    win.window.types.buttons["ENTRADA"].click()
    assert win.window.stack.currentWidget() is win.window.challenge
    qtbot.wait(int((clip.lead + early - (time.monotonic() - clip.t0)) * 1000))
    win.window.challenge.record.click()
    qtbot.waitUntil(
        lambda: win.window.stack.currentWidget() is not win.window.challenge, timeout=30000
    )
    assert win.window.stack.currentWidget() is win.window.result, win.window.message.text.text()


def test_speech_begun_0_3_s_before_the_tap_is_kept(qtbot, make_kiosk, make_clip, tmp_path):
    win, _clock, sources = make_kiosk()
    clip = LiveClip(speech_clip(make_clip, tmp_path), lead=0.6)
    tap_after_speech_began(qtbot, win, sources, clip, early=0.3)
    rec = win.punch.listener.listening
    qtbot.waitUntil(lambda: rec.recording is not None, timeout=5000)
    assert win.window.result.verdict.text().endswith("Validado"), win.window.result.heard.text()
    assert clip.opened == clip.opened[:1]  # the buffer's stream became the recording
    assert 0.3 <= rec.recording.preroll_seconds <= 0.8, rec.recording.preroll_seconds
    assert not rec.recording.cut
    assert opening_level(rec.recording.samples) < 0.005  # it begins before the first word


def test_without_the_buffer_the_same_speech_is_cut(qtbot, make_kiosk, make_clip, tmp_path):
    """The control: the kiosk as it was (the microphone opened at the tap) loses the start."""
    win, _clock, sources = make_kiosk()
    win.punch.listener.preroll_seconds = 0
    clip = LiveClip(speech_clip(make_clip, tmp_path), lead=0.6)
    tap_after_speech_began(qtbot, win, sources, clip, early=0.3)
    rec = win.punch.listener.listening
    qtbot.waitUntil(lambda: rec.recording is not None, timeout=5000)
    assert rec.recording.preroll_seconds == 0
    assert opening_level(rec.recording.samples) > 0.02  # it begins in the middle of a word


def test_speech_long_under_way_asks_to_start_after_the_signal(qtbot, make_kiosk, make_clip,
                                                             tmp_path):  # fmt: skip
    win, _clock, sources = make_kiosk()
    clip = LiveClip(speech_clip(make_clip, tmp_path), lead=0.2)
    tap_after_speech_began(qtbot, win, sources, clip, early=1.3)  # the buffer keeps 0.8 s
    rec = win.punch.listener.listening
    qtbot.waitUntil(lambda: rec.recording is not None, timeout=5000)
    assert rec.recording.cut  # the kiosk knows the start was lost
    # What is left may still be heard whole (the adapted model once read "Entrada, 13h40" from
    # it: CI, stop 27); when it is not, the person is told why.
    if win.window.result.verdict.text().endswith("Não validado"):
        assert win.window.result.detail.text().startswith(CUT)


def test_a_word_said_before_a_pause_is_not_kept(qtbot, make_kiosk, make_clip, tmp_path):
    """Someone said "Oi" and was quiet 0.5 s before the tap: not the phrase, not "cut"."""
    win, _clock, sources = make_kiosk()
    word = trimmed(make_clip("Oi."))
    quiet = np.zeros(int(0.45 * 16000), np.float32)
    path = tmp_path / "oi-then-phrase.wav"
    phrase = trimmed(make_clip("Entrada, treze e quarenta."))
    path.write_bytes(wav_bytes(np.concatenate([word, quiet, quiet, phrase])))
    clip = LiveClip(path, lead=0.2)
    tap_after_speech_began(qtbot, win, sources, clip, early=word.size / 16000 + 0.5)
    rec = win.punch.listener.listening
    qtbot.waitUntil(lambda: rec.recording is not None, timeout=5000)
    assert rec.recording.preroll_seconds <= 0.55  # the quiet lead only: "Oi" left out
    assert not rec.recording.cut
    assert win.window.result.verdict.text().endswith("Validado"), win.window.result.heard.text()


@pytest.fixture()
def live_pulse(tmp_path):
    pulse.require_tools()
    with pulse.Environment(tmp_path / "runtime"):
        (tmp_path / "runtime").mkdir()
        pulse.start_server()
        pulse.rescan_portaudio()
        yield SoundDeviceSource(device="pulse")
        pulse.kill_server()
    pulse.rescan_portaudio()


def test_virtual_mic_speech_begun_0_3_s_before_the_tap(qtbot, make_kiosk, make_clip, tmp_path,
                                                       live_pulse):  # fmt: skip
    """Through PulseAudio: the clip is played into the virtual mic, Falar tapped 0.3 s after
    its speech began."""
    win, _clock, _sources = make_kiosk(source_factory=lambda k: live_pulse)
    to_types(qtbot, win)
    win.window.types.buttons["ENTRADA"].click()
    qtbot.wait(1000)  # the phrase is read; the buffer is open
    clip = speech_clip(make_clip, tmp_path)
    player = subprocess.Popen(["paplay", "-d", "virt", str(clip)])
    qtbot.wait(300 + 60)  # paplay's own start-up (~60 ms) before its first sample is heard
    win.window.challenge.record.click()
    qtbot.waitUntil(
        lambda: win.window.stack.currentWidget() is not win.window.challenge, timeout=30000
    )
    player.wait(5)
    assert win.window.stack.currentWidget() is win.window.result, win.window.message.text.text()
    assert win.window.result.verdict.text().endswith("Validado"), win.window.result.heard.text()
