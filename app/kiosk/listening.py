"""One try of the punch flow: record, verify (speculatively), hand the verdict to the flow.

``Listener`` is owned by the ``PunchController`` and is the shared ``Microphone``'s
``RecordingOwner`` while a try runs. What it needs of its owner is ``ListeningHost``: it hands
back a ``Verdict`` or a ``Trouble`` (or asks to cancel) and never writes the owner's state.

Speculative verification: ~0.15 s into a pause the recorder hands over the audio so far
(``early``) and it is verified while the recorder keeps listening. The verdict is shown as soon
as it is final:
- a *validated* snapshot is final at once: shown right away, and the recording stops;
- a snapshot whose transcript holds a type but no full time yet ("Entrada." then a pause) is
  judged *incomplete*: the recorder waits up to ``max_pause_seconds`` of silence for the rest
  and the screen says it is still listening;
- another *not validated* snapshot is held until the stop and used only if no speech followed;
- if speech resumed, the snapshot is void and the full recording is verified at the stop.
No verdict is shown while the person speaks; "Verificando..." is bounded by a watchdog and
Cancelar stays usable. A validated verdict is shown only after the punch is committed (the
host's ``show_verdict`` saves first): a power cut or ``kill -9`` after "Validado" never loses
the punch (tests/kiosk/test_kill_after_verdict.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QWidget

from app.core.phrase import Phrase
from app.core.result import NO_SPEECH, VerifyResult
from app.kiosk.attempt import Listening, incomplete
from app.kiosk.microphone import Microphone
from app.kiosk.punch_screens import ChallengeScreen
from app.kiosk.recorder import Recording, RecordLimits
from app.kiosk.settings import KioskSection
from app.kiosk.workers import VerifyWorker

NOT_HEARD = "Fale mais perto do microfone."  # below "Não ouvimos nenhuma fala." (said once)
CUT = "Comece a falar depois do sinal."  # only when the start of the speech was really lost
TIMEOUT = "verification timeout"
PREROLL_SECONDS = 0.8  # kept from before the tap on Falar (speech begun with the tap)
FLAG = {"flag": "Registrar para revisão"}


@dataclass(frozen=True)
class Verdict:
    """How a try ended: its result (a real one, or "no speech"/"timeout"), what to show as
    heard (None: nothing to report) and why not validated, and when the speech ended."""

    result: VerifyResult
    heard: str | None
    detail: str
    speech_end: float | None  # monotonic; None when unknown


@dataclass(frozen=True)
class Trouble:
    """A try that could not be judged: the flag note the punch would carry, and the message."""

    note: str
    title: str
    text: str
    actions: dict[str, str] = field(default_factory=lambda: dict(FLAG))


class ListeningHost(Protocol):
    """What a ``Listener`` needs of the flow that owns it."""

    def show_verdict(self, verdict: Verdict) -> None: ...
    def listening_failed(self, trouble: Trouble) -> None: ...
    def cancel(self) -> None: ...


class VerifyModel(Protocol):
    """The verifier as the kiosk runs it (``engine.Engine``): its state and its worker."""

    @property
    def state(self) -> str: ...  # loading | ready | failed
    @property
    def error(self) -> str: ...
    @property
    def worker(self) -> VerifyWorker: ...


class Listener(QObject):
    def __init__(
        self,
        host: ListeningHost,
        microphone: Microphone,
        model: VerifyModel,
        challenge: ChallengeScreen,
        current: Callable[[], QWidget | None],
        monotonic: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.host, self.mic, self.model = host, microphone, model
        self.challenge = challenge
        self.current = current  # the screen on show
        self.monotonic = monotonic
        self.kiosk = KioskSection()
        self.preroll_seconds = PREROLL_SECONDS
        self.listening = Listening()  # this try
        self.phrase: Phrase | None = None
        self.metrics: dict = {"latencies": [], "paths": {"early": 0, "snapshot": 0, "full": 0}}
        self._job = 0
        # "Verificando..." never stays up long (tests/kiosk/test_failures.py)
        self.watchdog = QTimer(self)
        self.watchdog.setSingleShot(True)
        self.watchdog.timeout.connect(self.on_verify_timeout)

    def configure(self, kiosk: KioskSection) -> None:
        self.kiosk = kiosk

    def reset(self) -> None:
        """The try is over (cancelled, or the next person): nothing of it stays in flight."""
        self.watchdog.stop()
        self.mic.disarm()
        self.listening = Listening()

    @property
    def worker(self) -> VerifyWorker:
        return self.model.worker

    @property
    def current_phrase(self) -> Phrase:
        """This try's phrase (``record`` fixes it before anything is heard)."""
        if self.phrase is None:
            raise RuntimeError("no phrase for this try")
        return self.phrase

    def arm(self) -> None:
        """The phrase is on screen: the microphone opens now, so the first words said with
        the tap on Falar are kept (``endpointing.preroll_keep``)."""
        self.mic.arm(self.kiosk, self.preroll_seconds)

    def limits(self) -> RecordLimits:
        k = self.kiosk
        return RecordLimits(
            silence_seconds=k.silence_seconds,
            speculate_seconds=k.speculate_seconds,
            max_pause_seconds=max(k.max_pause_seconds, k.silence_seconds),
            max_seconds=k.max_record_seconds,
        )

    def record(self, phrase: Phrase) -> None:
        """One try of ``phrase`` (fixed from here on)."""
        self.phrase = phrase
        self.listening = Listening(started_at=self.monotonic())
        self.challenge.set_state("listening")
        self.update_countdown()
        self.mic.record(self, self.kiosk, self.limits())

    def update_countdown(self) -> None:
        lis = self.listening
        if self.challenge.state != "listening":
            return
        left = self.kiosk.max_record_seconds - (self.monotonic() - lis.started_at)
        self.challenge.set_countdown(max(0, int(left + 0.999)), lis.paused)

    def on_cancel_recording(self) -> None:
        if self.challenge.state == "listening":
            self.mic.cancel()  # the recorder answers with on_record_cancelled
        else:
            self.host.cancel()  # ready or verifying: leave (a late verdict is dropped)

    # ------------------------------------------------------------ RecordingOwner

    def on_level(self, value: float) -> None:
        self.challenge.meter.set_level(value)

    def on_record_cancelled(self) -> None:
        self.host.cancel()

    def on_record_failed(self, message: str) -> None:
        text = message + " Avise o administrador; o ponto pode ser registrado para revisão do RH."
        actions = {"retry": "Tentar de novo", **FLAG}
        self.host.listening_failed(
            Trouble("microfone com problema: " + message, "Problema no microfone", text, actions)
        )

    def _listening_here(self) -> bool:
        return self.current() is self.challenge and not self.listening.verdict_shown

    def on_early(self, seq: int) -> None:
        snap = self.mic.take_early(seq)
        lis = self.listening
        if snap is None or self.model.state != "ready" or not self._listening_here():
            self.mic.judge(seq, False)
            return
        self._job += 1
        lis.spec_job, lis.spec_seq = self._job, seq
        lis.spec_speech_end, lis.spec_result = snap.speech_end_monotonic, None
        lis.spec_samples = snap.samples
        self.worker.submit(self._job, snap.samples, self.current_phrase)

    def on_recorded(self, rec: Recording) -> None:
        lis = self.listening
        lis.recording = rec
        if lis.verdict_shown or self.current() is not self.challenge:
            return  # stopped after an early verdict: keep the audio, nothing else
        if not rec.heard_speech:
            result = VerifyResult(False, "", self.current_phrase, None, NO_SPEECH, method="none")
            self._verdict(Verdict(result, "", NOT_HEARD, None))
            return
        if self.model.state == "failed":
            error = self.model.error
            note = "verificação de voz indisponível: " + error
            self.host.listening_failed(Trouble(note, "Verificação de voz indisponível", error))
            return
        self.challenge.set_state("verifying")
        lis.verifying_since = self.monotonic()
        self.watchdog.start(int(self.kiosk.verify_timeout_seconds * 1000))
        if lis.spec_job is not None and rec.speculation == lis.spec_seq:
            self.metrics["paths"]["snapshot"] += 1
            if lis.spec_result is not None:  # already verified while we waited for the stop
                self.deliver(lis.spec_result, lis.spec_speech_end)
            return  # else on_verified delivers it when it lands
        self.metrics["paths"]["full"] += 1
        lis.spec_job = None  # void: speech followed it (or there was none)
        self._job += 1
        lis.final_job = self._job
        self.worker.submit(self._job, rec.samples, self.current_phrase)

    # ------------------------------------------------------------ verify results

    def on_verified(self, job: int) -> None:
        result = self.worker.take(job)
        lis = self.listening
        if result is None or job not in (lis.final_job, lis.spec_job):
            return
        if not self._listening_here():
            return
        if job == lis.final_job:
            rec = lis.recording
            self.deliver(result, rec.speech_end_monotonic if rec is not None else None)
        elif lis.recording is not None:  # stopped, and the snapshot was still valid
            self.deliver(result, lis.spec_speech_end)
        elif (
            result.validated
            and lis.spec_seq is not None
            and self.mic.speculation_valid(lis.spec_seq)
        ):
            self.metrics["paths"]["early"] += 1
            self.mic.stop_now()
            self.deliver(result, lis.spec_speech_end)
        else:
            lis.spec_result = result  # decided at the stop
            lis.paused = incomplete(result)
            if lis.spec_seq is not None:
                self.mic.judge(lis.spec_seq, lis.paused)
            self.update_countdown()

    def on_verify_failed(self, job: int, message: str) -> None:
        lis = self.listening
        if job not in (lis.final_job, lis.spec_job) or not self._listening_here():
            return
        if job == lis.spec_job and lis.recording is None:
            lis.spec_job = None  # the full recording will be tried at the stop
            if lis.spec_seq is not None:
                self.mic.judge(lis.spec_seq, False)
            return
        self.watchdog.stop()
        note = "falha na verificação de voz: " + message
        self.host.listening_failed(Trouble(note, "Erro na verificação", message))

    def on_verify_timeout(self) -> None:
        """The verifier took too long (a slow machine, a long clip): a "not validated" try with
        a retry, instead of "Verificando..." without end; the late verdict is dropped."""
        lis = self.listening
        if lis.verdict_shown or self.challenge.state != "verifying":
            return
        lis.spec_job = lis.final_job = None
        result = VerifyResult(False, "", self.current_phrase, None, TIMEOUT, method="none")
        self._verdict(Verdict(result, None, "A verificação demorou demais. Tente de novo.", None))

    def deliver(self, result: VerifyResult, speech_end: float | None) -> None:
        detail = ""
        if not result.validated:
            detail = (
                NOT_HEARD
                if result.reason == NO_SPEECH
                else f"Diga exatamente: {self.challenge.phrase.text()}"
            )
            rec = self.listening.recording
            if rec is not None and rec.cut:
                detail = f"{CUT} {detail}"
        self._verdict(Verdict(result, result.spoken_text, detail, speech_end))

    def _verdict(self, verdict: Verdict) -> None:
        self.watchdog.stop()
        self.listening.verdict_shown = True
        self.host.show_verdict(verdict)

    def note_shown(self, speech_end: float | None) -> None:
        """The verdict is on screen (the host calls this right after drawing it): the latency
        from the end of speech, for the figures (tests/kiosk/test_speed.py)."""
        if speech_end is not None:
            self.metrics["latencies"].append(time.monotonic() - speech_end)
