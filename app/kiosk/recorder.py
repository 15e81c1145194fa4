"""Recording one utterance on its thread: levels, the stop, speculative snapshots, pauses.

``RecorderWorker`` is a QObject run on a QThread; each recording gets its ``AudioSource`` and
``RecordLimits`` injected (``start(source, limits)``). It reads blocks, emits the level, stops
``silence_seconds`` after speech ends (``endpointing.Endpointer``), at the hard limit, or on
cancel, and hands back 16 kHz mono float32 samples.

Pre-roll: people start speaking as they tap Falar. ``arm(source, seconds)`` opens the source as
soon as the phrase is shown and keeps its last ``seconds`` in a rolling buffer; a ``start`` with
the same source takes that stream over, and the speech already under way at the tap
(``preroll_keep``) opens the recording. ``Recording.cut`` says the speech had begun before even
the buffer's start: the only case the screen asks to start after the signal.

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
from collections import deque
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from app.kiosk.endpointing import BLOCK_SECONDS, Endpointer, preroll_keep, rms
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


@dataclass
class Recording:
    samples: np.ndarray  # 16 kHz mono float32
    heard_speech: bool
    stopped_by: str  # "silence", "limit", "verdict" (stop_now after an early verdict)
    speech_end_monotonic: float | None  # wall-clock (monotonic) time speech ended
    stop_monotonic: float
    device_rate: int
    speculation: int | None = None  # the early snapshot still valid at stop (no speech since)
    preroll_seconds: float = 0.0  # audio kept from before the tap (speech already under way)
    cut: bool = False  # speech was under way before even the pre-roll began: its start is lost


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
    yet); max_seconds: the hard limit.
    """

    silence_seconds: float = 0.7
    speculate_seconds: float = 0.15
    max_pause_seconds: float = 1.8
    max_seconds: float = 8.0


@dataclass(eq=False)
class _Arm:
    """One rolling buffer: its source, how much it keeps, and how it ends (under the lock)."""

    source: AudioSource
    seconds: float
    stop: threading.Event = field(default_factory=threading.Event)
    started: bool = False  # its loop runs (or ran)
    live: bool = True  # its loop has not ended: a hand-over will be seen
    handoff: bool = False  # start() asked it to become the recording


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
    _go_armed = Signal()

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
        self._arm: _Arm | None = None  # the latest rolling buffer
        self._go.connect(self.record)
        self._go_armed.connect(self._arm_loop)

    def arm(self, source: AudioSource, seconds: float) -> None:
        """Open ``source`` now and keep its last ``seconds`` (any thread); a ``start`` with an
        equal source takes the stream and that audio over. Failures are silent here: the
        recording opens the source again and reports them."""
        with self._done_lock:
            if self._arm is not None:
                self._arm.stop.set()
            self._arm = _Arm(source, seconds)
        self._go_armed.emit()

    def disarm(self) -> None:
        """Close the rolling buffer (the phrase is no longer on screen)."""
        with self._done_lock:
            if self._arm is not None and not self._arm.handoff:
                self._arm.stop.set()

    def start(self, source: AudioSource, limits: RecordLimits) -> None:
        """Queue one recording from ``source`` (any thread; it runs on the worker's thread)."""
        with self._done_lock:
            self._source, self._limits = source, limits
            a = self._arm
            if a is not None and a.live and not a.handoff and not a.stop.is_set():
                if a.source == source:
                    a.handoff = True  # the arm loop goes on as this recording
                    return
                a.stop.set()
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
    def _arm_loop(self) -> None:
        with self._done_lock:
            a = self._arm
            if a is None or a.started:  # an older arm's queued call: the latest already ran
                return
            a.started = True
        stream: AudioStream | None = None
        ring: deque[np.ndarray] = deque()
        full = False
        try:
            if not a.stop.is_set():
                stream = a.source.open()
        except Exception:  # reported by the recording, which opens the source again
            stream = None
        while stream is not None:
            with self._done_lock:
                if a.handoff:
                    break
            if a.stop.is_set():
                break
            try:
                block = stream.read(max(1, int(stream.samplerate * BLOCK_SECONDS)))
            except Exception:
                stream.close()
                stream = None
                break
            ring.append(block)
            while sum(b.size for b in ring) > a.seconds * stream.samplerate:
                ring.popleft()
                full = True
        with self._done_lock:
            a.live, handoff = False, a.handoff
            if self._arm is a:
                self._arm = None
        if not handoff:
            if stream is not None:
                stream.close()
            return
        if stream is None:
            self.record()  # the buffer failed: open the source again (and report why)
            return
        self.record(stream, preroll_keep(list(ring), stream.samplerate, full))

    @Slot()
    def record(self, armed: AudioStream | None = None,
               preroll: tuple[list[np.ndarray], bool] = ([], False)) -> None:  # fmt: skip
        """One recording; ``armed``: the stream the rolling buffer had open, and what of it
        opens the recording."""
        self._cancel.clear()
        self._stop_now.clear()
        with self._done_lock:
            self._snapshot, self._valid, self._judged = None, None, {}
            source, limits = self._source, self._limits
        try:
            if armed is not None:
                stream = armed
            elif source is None:
                raise MicError("Nenhum microfone configurado.")
            else:
                stream = source.open()
        except MicError as exc:
            self.failed.emit(str(exc))
            return
        except Exception as exc:  # an unknown driver error is still a message, never a crash
            self.failed.emit(f"Erro no microfone: {exc}")
            return
        try:
            self._loop(stream, limits, *preroll)
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

    def _loop(self, stream: AudioStream, limits: RecordLimits,
              preroll: list[np.ndarray] | None = None, cut: bool = False) -> None:  # fmt: skip
        rate = stream.samplerate
        frames = max(1, int(rate * BLOCK_SECONDS))
        ep = Endpointer(limits.silence_seconds)
        blocks: list[np.ndarray] = list(preroll or ())
        total = 0
        for block in blocks:  # speech under way at the tap counts as speech heard
            ep.feed(rms(block), block.size / rate, total / rate)
            total += block.size
        ep.silence_after = 0.0  # the silence rules start at the tap
        lead = total
        started = False
        snapped = False  # a snapshot was taken in the current pause
        stopped_by = "limit"
        while total - lead < limits.max_seconds * rate:
            if self._cancel.is_set():
                self.cancelled.emit()
                return
            if self._stop_now.is_set():
                stopped_by = "verdict"
                break
            block = stream.read(frames)
            blocks.append(block)
            level = rms(block)
            self.level.emit(min(1.0, level * 6.0))
            ep.silence_seconds = self._stop_silence(limits) if snapped else limits.silence_seconds
            stop = ep.feed(level, block.size / rate, total / rate)
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
            preroll_seconds=lead / rate,
            cut=cut,
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
