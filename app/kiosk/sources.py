"""Audio sources the recorder reads from, and resampling to 16 kHz.

``SoundDeviceSource`` opens a real microphone with sounddevice at the device's default rate
(``check()`` looks for it without opening a stream: the idle screen's check; a failure is
named by ``audio_health``: no sound server, no input, device gone, busy, rate); ``ClipSource``
plays a WAV file through the very same path, paced in real time and followed by silence like a
quiet room (tests and screenshots).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from app.core.audio import read_wav
from app.kiosk import audio_health

TARGET_RATE = 16000


class MicError(Exception):
    """A microphone problem, with a pt-BR message for the screen."""


class AudioStream(Protocol):
    samplerate: int

    def read(self, frames: int) -> np.ndarray: ...  # float32 mono, blocks until ready

    def close(self) -> None: ...


class AudioSource(Protocol):
    def open(self) -> AudioStream: ...


def resample(samples: np.ndarray, rate: int, target: int = TARGET_RATE) -> np.ndarray:
    """Band-limit (windowed-sinc FIR) and resample by linear interpolation."""
    samples = np.asarray(samples, dtype=np.float32).reshape(-1)
    if rate == target or samples.size == 0:
        return samples
    if rate > target:
        cutoff = 0.9 * target / 2 / rate  # normalised to the input rate
        n = np.arange(-32, 33)
        taps = 2 * cutoff * np.sinc(2 * cutoff * n) * np.hamming(n.size)
        samples = np.convolve(samples, (taps / taps.sum()).astype(np.float32), mode="same")
    out_len = round(samples.size * target / rate)
    x_old = np.arange(samples.size, dtype=np.float64) / rate
    x_new = np.arange(out_len, dtype=np.float64) / target
    return np.interp(x_new, x_old, samples).astype(np.float32)


# ---------------------------------------------------------------------------------- sources


class _SoundDeviceStream:
    def __init__(self, stream) -> None:
        self._stream = stream
        self.samplerate = int(stream.samplerate)
        self._open = True
        audio_health.stream_opened()

    def read(self, frames: int) -> np.ndarray:
        import sounddevice as sd

        try:
            data, _overflowed = self._stream.read(frames)
        except sd.PortAudioError as exc:
            raise MicError(audio_health.STOPPED) from exc
        return np.asarray(data, dtype=np.float32).reshape(-1)

    def close(self) -> None:
        if not self._open:
            return
        self._open = False
        try:
            self._stream.stop()
            self._stream.close()
        except Exception:  # closing a dead device must not hide the first error
            pass
        finally:
            audio_health.stream_closed()


@dataclass
class SoundDeviceSource:
    """A real microphone. device: name or index ('' = system default); rate 0 = device default."""

    device: str | int | None = None
    samplerate: int = 0

    def _device(self) -> str | int | None:
        if self.device in ("", None):
            return None
        if isinstance(self.device, str) and self.device.isdigit():
            return int(self.device)
        return self.device

    def _sd(self):
        try:
            import sounddevice as sd
        except OSError as exc:  # PortAudio library missing
            raise MicError("Sistema de áudio indisponível (PortAudio não instalado).") from exc
        return sd

    def check(self) -> None:
        """The idle screen's check, every few seconds, no stream opened: MicError naming what
        is wrong (it sees a device unplugged or a sound server stopped, and their return)."""
        self._sd()
        problem = audio_health.diagnose(self._device())
        if problem:
            raise MicError(problem)

    def open(self) -> AudioStream:
        sd = self._sd()
        last: Exception | None = None
        for _ in range(2):  # PortAudio's device list may be stale: once more on a fresh one
            try:
                return self._open(sd)
            except (ValueError, sd.PortAudioError, MicError) as exc:
                problem = audio_health.diagnose(self._device())  # rescans
                if problem:
                    raise MicError(problem) from exc
                if isinstance(exc, MicError):
                    raise  # the rate refused by a device that is otherwise there
                last = exc
        assert last is not None
        raise MicError(audio_health.open_error(last, self.samplerate)) from last

    def _open(self, sd) -> AudioStream:
        device = self._device()
        if str(device or "") in audio_health.SERVER_DEVICES and audio_health.server_inputs() == []:
            # the sound server would record its silent fallback: say what is missing instead
            raise MicError(audio_health.NO_INPUT)
        info = sd.query_devices(device, "input")
        rate = self.samplerate or int(info["default_samplerate"])
        try:
            sd.check_input_settings(device, channels=1, dtype="float32", samplerate=rate)
        except sd.PortAudioError as exc:
            if len(exc.args) > 1 and exc.args[1] == audio_health.PA_INVALID_SAMPLE_RATE:
                raise MicError(audio_health.bad_rate(rate)) from exc  # true: PortAudio said so
            raise
        stream = sd.InputStream(device=device, channels=1, dtype="float32", samplerate=rate)
        try:
            stream.start()
        except Exception:
            stream.close()
            raise
        return _SoundDeviceStream(stream)


class _ClipStream:
    def __init__(self, samples: np.ndarray, rate: int, lead: float, realtime: bool, fail_at):
        self.samplerate = rate
        self._data = np.concatenate([np.zeros(int(lead * rate), np.float32), samples])
        self._pos = 0
        self._realtime = realtime
        self._t0 = time.monotonic()
        self._fail_at = fail_at
        self.closed = False

    def read(self, frames: int) -> np.ndarray:
        if self._fail_at is not None and self._pos >= self._fail_at * self.samplerate:
            raise MicError(audio_health.STOPPED)
        chunk = self._data[self._pos : self._pos + frames]
        if chunk.size < frames:  # after the clip: a quiet room (a little noise, not zeros)
            noise = np.random.default_rng(self._pos).normal(0, 1e-4, frames - chunk.size)
            chunk = np.concatenate([chunk, noise.astype(np.float32)])
        self._pos += frames
        if self._realtime:
            wait = self._t0 + self._pos / self.samplerate - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        return chunk

    def close(self) -> None:
        self.closed = True


@dataclass
class ClipSource:
    """Plays a WAV file through the recorder as a microphone would (resampled to ``rate``)."""

    path: Path
    rate: int = 48000  # what a typical microphone gives: exercises the resampler
    lead_seconds: float = 0.3
    realtime: bool = True
    fail_after_seconds: float | None = None  # simulate an unplug mid-recording (tests only)

    def open(self) -> AudioStream:
        samples, rate = read_wav(Path(self.path))
        samples = resample(samples, rate, self.rate) if rate != self.rate else samples
        return _ClipStream(
            samples, self.rate, self.lead_seconds, self.realtime, self.fail_after_seconds
        )
