"""Recording: an injectable audio source, resampling to 16 kHz, levels and end-of-speech.

``AudioSource`` is what the recorder reads from. ``SoundDeviceSource`` opens a real microphone
with sounddevice at the device's default rate; ``ClipSource`` plays a WAV file through the very
same path, paced in real time and followed by silence like a quiet room (used by tests and the
screenshots). ``RecorderWorker`` is a QObject run on a QThread: it reads blocks, emits the level,
stops ~0.7 s after speech ends (energy endpointing with an adaptive noise floor), at the hard limit,
or on cancel, and hands back 16 kHz mono float32 samples.

Speculation: ~0.3 s into the silence after speech the recorder hands the audio so far (16 kHz)
to the window (``early(seq)``, then ``take_early(seq)``) while it keeps listening. If speech
resumes, that snapshot is void (``speculation_valid(seq)`` turns False and the final
``Recording.speculation`` is None), so the window verifies the full recording instead.
``stop_now()`` ends a recording early once a snapshot's verdict is final.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from app.core.audio import read_wav

TARGET_RATE = 16000
BLOCK_SECONDS = 0.03


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

    def read(self, frames: int) -> np.ndarray:
        import sounddevice as sd

        try:
            data, _overflowed = self._stream.read(frames)
        except sd.PortAudioError as exc:
            raise MicError(
                "O microfone parou de responder (desconectado ou em uso por outro programa)."
            ) from exc
        return np.asarray(data, dtype=np.float32).reshape(-1)

    def close(self) -> None:
        try:
            self._stream.stop()
            self._stream.close()
        except Exception:  # closing a dead device must not hide the first error
            pass


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

    def open(self) -> AudioStream:
        try:
            import sounddevice as sd
        except OSError as exc:  # PortAudio library missing
            raise MicError("Sistema de áudio indisponível (PortAudio não instalado).") from exc
        device = self._device()
        try:
            info = sd.query_devices(device, "input")
        except (ValueError, sd.PortAudioError) as exc:
            raise MicError(
                "Nenhum microfone encontrado. Conecte um microfone e tente novamente."
            ) from exc
        rate = self.samplerate or int(info["default_samplerate"])
        try:
            sd.check_input_settings(device, channels=1, dtype="float32", samplerate=rate)
        except (ValueError, sd.PortAudioError) as exc:
            raise MicError(
                f"O microfone não aceita a taxa de {rate} Hz. Ajuste nas configurações."
            ) from exc
        try:
            stream = sd.InputStream(device=device, channels=1, dtype="float32", samplerate=rate)
            stream.start()
        except (ValueError, sd.PortAudioError) as exc:
            raise MicError("O microfone está em uso por outro programa ou indisponível.") from exc
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
            raise MicError(
                "O microfone parou de responder (desconectado ou em uso por outro programa)."
            )
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


# ---------------------------------------------------------------------------------- endpointing


class Endpointer:
    """Energy endpointing: speech = RMS well above the adaptive noise floor."""

    def __init__(self, silence_seconds: float = 0.7, min_speech_seconds: float = 0.15) -> None:
        self.silence_seconds = silence_seconds
        self.min_speech_seconds = min_speech_seconds
        self.floor = 1e-3
        self.speech_seconds = 0.0
        self.silence_after = 0.0
        self.heard_speech = False
        self.speech_end_at: float | None = None  # seconds into the recording

    def feed(self, rms: float, seconds: float, at: float) -> bool:
        """Feed one block; True when the recording should stop (speech, then enough silence)."""
        threshold = max(0.01, self.floor * 4)
        if rms > threshold:
            self.speech_seconds += seconds
            if self.speech_seconds >= self.min_speech_seconds:
                self.heard_speech = True
            self.silence_after = 0.0
            self.speech_end_at = at + seconds
        else:
            self.floor = 0.95 * self.floor + 0.05 * max(rms, 1e-5)
            if self.heard_speech:
                self.silence_after += seconds
        return self.heard_speech and self.silence_after >= self.silence_seconds


@dataclass
class Recording:
    samples: np.ndarray  # 16 kHz mono float32
    heard_speech: bool
    stopped_by: str  # "silence", "limit", "verdict" (stop_now after an early verdict)
    speech_end_monotonic: float | None  # wall-clock (monotonic) time speech ended
    stop_monotonic: float
    device_rate: int
    speculation: int | None = None  # the early snapshot still valid at stop (no speech since)


@dataclass
class Snapshot:
    """The audio up to a pause, handed over while recording goes on."""

    seq: int
    samples: np.ndarray  # 16 kHz mono float32
    speech_end_monotonic: float


class RecorderWorker(QObject):
    """Records one utterance on its own QThread; talk to it only by signals/slots."""

    level = Signal(float)  # 0..1, ~30 times a second
    speech_started = Signal()
    finished = Signal()  # then take() gives the Recording (no Python objects in signals)
    cancelled = Signal()
    failed = Signal(str)
    early = Signal(int)  # snapshot seq: fetch it with take_early(seq)

    def __init__(
        self, source: AudioSource, silence_seconds=0.7, max_seconds=8.0, speculate_seconds=0.15
    ) -> None:
        super().__init__()
        self._source = source
        self.silence_seconds = silence_seconds
        self.max_seconds = max_seconds
        self.speculate_seconds = speculate_seconds  # 0: no early snapshots
        self._cancel = threading.Event()
        self._stop_now = threading.Event()
        self._done: Recording | None = None
        self._done_lock = threading.Lock()
        self._seq = 0
        self._snapshot: Snapshot | None = None
        self._valid: int | None = None  # the snapshot no speech has followed yet

    def take_early(self, seq: int) -> Snapshot | None:
        with self._done_lock:
            snap = self._snapshot
            if snap is None or snap.seq != seq:
                return None
            self._snapshot = None
        return snap

    def speculation_valid(self, seq: int) -> bool:
        """True while no speech has followed snapshot ``seq`` (any thread)."""
        with self._done_lock:
            return self._valid == seq

    def stop_now(self) -> None:  # GUI thread: the early verdict is final, stop listening
        self._stop_now.set()

    def take(self) -> Recording | None:
        with self._done_lock:
            done, self._done = self._done, None
        return done

    def cancel(self) -> None:  # called from the GUI thread: a flag, not a slot
        self._cancel.set()

    @Slot()
    def record(self) -> None:
        self._cancel.clear()
        self._stop_now.clear()
        with self._done_lock:
            self._snapshot, self._valid = None, None
        try:
            stream = self._source.open()
        except MicError as exc:
            self.failed.emit(str(exc))
            return
        except Exception as exc:  # an unknown driver error is still a message, never a crash
            self.failed.emit(f"Erro no microfone: {exc}")
            return
        try:
            self._loop(stream)
        except MicError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:
            self.failed.emit(f"Erro no microfone: {exc}")
        finally:
            stream.close()

    def _loop(self, stream: AudioStream) -> None:
        rate = stream.samplerate
        frames = max(1, int(rate * BLOCK_SECONDS))
        ep = Endpointer(self.silence_seconds)
        blocks: list[np.ndarray] = []
        total = 0
        started = False
        snapped = False  # a snapshot was taken in the current pause
        stopped_by = "limit"
        while total < self.max_seconds * rate:
            if self._cancel.is_set():
                self.cancelled.emit()
                return
            if self._stop_now.is_set():
                stopped_by = "verdict"
                break
            block = stream.read(frames)
            blocks.append(block)
            rms = float(np.sqrt(np.mean(block * block))) if block.size else 0.0
            self.level.emit(min(1.0, rms * 6.0))
            stop = ep.feed(rms, block.size / rate, total / rate)
            total += block.size
            if stop:
                stopped_by = "silence"
                break
            if ep.heard_speech and not started:
                started = True
                self.speech_started.emit()
            if ep.silence_after == 0.0 and snapped:  # speech resumed: the snapshot is void
                snapped = False
                with self._done_lock:
                    self._valid = None
            elif (
                self.speculate_seconds
                and ep.heard_speech
                and not snapped
                and ep.silence_after >= self.speculate_seconds
            ):
                snapped = True
                self._snap(blocks, rate, ep, total)
        stop_at = time.monotonic()
        audio = np.concatenate(blocks) if blocks else np.zeros(0, np.float32)
        # The wall-clock end of speech: the stop time minus the silence that followed it.
        speech_end = None
        if ep.speech_end_at is not None:
            speech_end = stop_at - (total / rate - ep.speech_end_at)
        with self._done_lock:
            valid = self._valid
        rec = Recording(
            samples=resample(audio, rate),
            heard_speech=ep.heard_speech,
            stopped_by=stopped_by,
            speech_end_monotonic=speech_end,
            stop_monotonic=stop_at,
            device_rate=rate,
            speculation=valid,
        )
        with self._done_lock:
            self._done = rec
        self.finished.emit()

    def _snap(self, blocks: list[np.ndarray], rate: int, ep: Endpointer, total: int) -> None:
        now = time.monotonic()
        speech_end = now - (total / rate - (ep.speech_end_at or 0.0))
        samples = resample(np.concatenate(blocks), rate)
        with self._done_lock:
            self._seq += 1
            self._snapshot = Snapshot(self._seq, samples, speech_end)
            self._valid = self._seq
            seq = self._seq
        self.early.emit(seq)
