"""Recording one utterance: levels, end-of-speech, speculative snapshots, pauses.

``RecorderWorker`` is a QObject run on a QThread; each recording gets its ``AudioSource`` and
``RecordLimits`` injected (``start(source, limits)``). It reads blocks, emits the level, stops
``silence_seconds`` after speech ends (energy endpointing with an adaptive noise floor), at the
hard limit, or on cancel, and hands back 16 kHz mono float32 samples.

Speculation: ``speculate_seconds`` into a pause the recorder hands the audio so far to its owner
(``early(seq)``, then ``take_early(seq)``) while it keeps listening. Until the owner judges that
snapshot (``judge(seq, incomplete)``), and while it judges the phrase incomplete ("Entrada."
with no time yet), the recorder waits up to ``max_pause_seconds`` of silence instead of
``silence_seconds``, so a pause between the type and the time does not end the utterance. If
speech resumes, the snapshot is void (``speculation_valid(seq)`` turns False and the final
``Recording.speculation`` is None). ``stop_now()`` ends a recording once a verdict is final.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from app.kiosk.sources import (
    TARGET_RATE,
    AudioSource,
    AudioStream,
    ClipSource,
    MicError,
    SoundDeviceSource,
    resample,
)

__all__ = [
    "TARGET_RATE",
    "AudioSource",
    "ClipSource",
    "MicError",
    "RecordLimits",
    "RecorderWorker",
    "Recording",
    "SoundDeviceSource",
    "resample",
]  # fmt: skip
BLOCK_SECONDS = 0.03


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


@dataclass(frozen=True)
class RecordLimits:
    """When one recording stops (injected per recording by its owner).

    silence_seconds: stop this long after speech ends; speculate_seconds: hand over a snapshot
    this far into a pause (0: none); max_pause_seconds: the longest pause waited for while the
    owner has not judged a snapshot, or judged the phrase incomplete ("Entrada." and no time
    yet, issue 11 item 3); max_seconds: the hard limit.
    """

    silence_seconds: float = 0.7
    speculate_seconds: float = 0.15
    max_pause_seconds: float = 1.8
    max_seconds: float = 8.0


class RecorderWorker(QObject):
    """Records one utterance on its own QThread; talk to it only by signals/slots.

    ``start(source, limits)`` (GUI thread) queues a recording: the source and limits are
    injected per recording (a microphone for the kiosk, a file for tests, a 3-s probe for the
    microphone test), never built here.
    """

    level = Signal(float)  # 0..1, ~30 times a second
    speech_started = Signal()
    finished = Signal()  # then take() gives the Recording (no Python objects in signals)
    cancelled = Signal()
    failed = Signal(str)
    early = Signal(int)  # snapshot seq: fetch it with take_early(seq), then judge(seq, ...)
    _go = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._source: AudioSource | None = None
        self._limits = RecordLimits()
        self._cancel = threading.Event()
        self._stop_now = threading.Event()
        self._done: Recording | None = None
        self._done_lock = threading.Lock()
        self._seq = 0
        self._snapshot: Snapshot | None = None
        self._valid: int | None = None  # the snapshot no speech has followed yet
        self._judged: dict[int, bool] = {}  # snapshot seq -> phrase incomplete (wait longer)
        self._go.connect(self.record)

    def start(self, source: AudioSource, limits: RecordLimits) -> None:
        """Queue one recording from ``source`` (any thread; it runs on the worker's thread)."""
        with self._done_lock:
            self._source, self._limits = source, limits
        self._go.emit()

    def take_early(self, seq: int) -> Snapshot | None:
        with self._done_lock:
            snap = self._snapshot
            if snap is None or snap.seq != seq:
                return None
            self._snapshot = None
        return snap

    def judge(self, seq: int, incomplete: bool) -> None:
        """The owner's reading of snapshot ``seq``: incomplete -> wait up to max_pause_seconds
        of silence; complete (but not final) -> the normal silence_seconds stop applies."""
        with self._done_lock:
            self._judged[seq] = incomplete

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
            self._snapshot, self._valid, self._judged = None, None, {}
            source, limits = self._source, self._limits
        try:
            if source is None:
                raise MicError("Nenhum microfone configurado.")
            stream = source.open()
        except MicError as exc:
            self.failed.emit(str(exc))
            return
        except Exception as exc:  # an unknown driver error is still a message, never a crash
            self.failed.emit(f"Erro no microfone: {exc}")
            return
        try:
            self._loop(stream, limits)
        except MicError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:
            self.failed.emit(f"Erro no microfone: {exc}")
        finally:
            stream.close()

    def _stop_silence(self, limits: RecordLimits) -> float:
        """Silence needed to stop now: longer while the valid snapshot is unjudged or judged
        incomplete, so a pause between the type and the time does not end the utterance."""
        with self._done_lock:
            valid = self._valid
            incomplete = self._judged.get(valid, True) if valid is not None else False
        if incomplete:
            return max(limits.silence_seconds, limits.max_pause_seconds)
        return limits.silence_seconds

    def _loop(self, stream: AudioStream, limits: RecordLimits) -> None:
        rate = stream.samplerate
        frames = max(1, int(rate * BLOCK_SECONDS))
        ep = Endpointer(limits.silence_seconds)
        blocks: list[np.ndarray] = []
        total = 0
        started = False
        snapped = False  # a snapshot was taken in the current pause
        stopped_by = "limit"
        while total < limits.max_seconds * rate:
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
            ep.silence_seconds = self._stop_silence(limits) if snapped else limits.silence_seconds
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
                limits.speculate_seconds
                and ep.heard_speech
                and not snapped
                and ep.silence_after >= limits.speculate_seconds
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
