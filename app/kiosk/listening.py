"""One try of the punch flow: record, verify (speculatively), show the verdict.

A mixin of ``PunchController`` (kept apart so each file stays small); it is the controller's
``RecordingOwner`` for the shared ``Microphone``.

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
Cancelar stays usable. A validated verdict is shown only after the punch is committed
(``save_punch``): a power cut or ``kill -9`` after "Validado" never loses the punch.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QTimer

from app.core.phrase import Phrase
from app.core.result import NO_SPEECH, VerifyResult
from app.kiosk.attempt import Listening, PunchAttempt, clean_heard, incomplete
from app.kiosk.microphone import Microphone
from app.kiosk.punch_screens import PunchScreens
from app.kiosk.recorder import Recording, RecordLimits
from app.kiosk.settings import KioskSettings
from app.kiosk.workers import VerifyWorker
from app.rep.records import Punch

NOT_HEARD = "Fale mais perto do microfone."  # below "Não ouvimos nenhuma fala." (said once)
CUT = "Comece a falar depois do sinal."  # only when the start of the speech was really lost
TIMEOUT = "verification timeout"
PREROLL_SECONDS = 0.8  # kept from before the tap on Falar (speech begun with the tap)


class ListeningMixin:
    """What it needs of its host (the PunchController) is declared here, so it is checked."""

    s: PunchScreens
    mic: Microphone
    settings: KioskSettings
    attempt: PunchAttempt
    verify_worker: VerifyWorker | None
    watchdog: QTimer
    continue_timer: QTimer
    metrics: dict[str, Any]
    model_state: str
    model_error: str
    _job: int
    sound: Any  # the host's Signal(str)
    clock: Callable[[], datetime]
    monotonic: Callable[[], float]
    current: Callable[[], object]
    save_punch: Callable[[], Punch | None]  # the controller's: commit once, before "Validado"
    refresh_phrase: Callable[[], None]
    cancel: Callable[[], None]
    show: Callable[[object], None]
    message: Callable[..., None]
    preroll_seconds: float = PREROLL_SECONDS

    @property
    def worker(self) -> VerifyWorker:
        if self.verify_worker is None:  # the window sets it right after building the controller
            raise RuntimeError("verify worker not set")
        return self.verify_worker

    @property
    def current_phrase(self) -> Phrase:
        """This try's phrase (``record`` fixes it before anything is heard)."""
        if self.attempt.phrase is None:
            raise RuntimeError("no phrase for this try")
        return self.attempt.phrase

    def arm(self) -> None:
        """The phrase is on screen: the microphone opens now, so the first words said with
        the tap on Falar are kept (``recorder.preroll_keep``)."""
        self.mic.arm(self.settings.kiosk, self.preroll_seconds)

    def limits(self) -> RecordLimits:
        k = self.settings.kiosk
        return RecordLimits(
            silence_seconds=k.silence_seconds,
            speculate_seconds=k.speculate_seconds,
            max_pause_seconds=max(k.max_pause_seconds, k.silence_seconds),
            max_seconds=k.max_record_seconds,
        )

    def record(self) -> None:
        a = self.attempt
        self.refresh_phrase()  # fixed from here on
        if a.attempt == 1 and a.challenged_at is None:
            a.challenged_at = self.clock()  # the punch time: what the first challenge showed
        a.listening = Listening(started_at=self.monotonic())
        self.s.challenge.set_state("listening")
        self.update_countdown()
        self.mic.record(self, self.settings.kiosk, self.limits())

    def update_countdown(self) -> None:
        lis = self.attempt.listening
        if self.s.challenge.state != "listening":
            return
        left = self.settings.kiosk.max_record_seconds - (self.monotonic() - lis.started_at)
        self.s.challenge.set_countdown(max(0, int(left + 0.999)), lis.paused)

    def on_cancel_recording(self) -> None:
        if self.s.challenge.state == "listening":
            self.mic.cancel()  # the recorder answers with on_record_cancelled
        else:
            self.cancel()  # ready or verifying: leave (a late verdict is dropped)

    # ------------------------------------------------------------ RecordingOwner

    def on_level(self, value: float) -> None:
        self.s.challenge.meter.set_level(value)

    def on_record_cancelled(self) -> None:
        self.cancel()

    def on_record_failed(self, message: str) -> None:
        self.attempt.flag_note = "microfone com problema: " + message
        message += " Avise o administrador; o ponto pode ser registrado para revisão do RH."
        self.message("Problema no microfone", message,
                     {"retry": "Tentar de novo", "flag": "Registrar para revisão"})  # fmt: skip

    def _listening_here(self) -> bool:
        return self.current() is self.s.challenge and not self.attempt.listening.verdict_shown

    def on_early(self, seq: int) -> None:
        snap = self.mic.take_early(seq)
        lis = self.attempt.listening
        if snap is None or self.model_state != "ready" or not self._listening_here():
            self.mic.judge(seq, False)
            return
        self._job += 1
        lis.spec_job, lis.spec_seq = self._job, seq
        lis.spec_speech_end, lis.spec_result = snap.speech_end_monotonic, None
        lis.spec_samples = snap.samples
        self.worker.submit(self._job, snap.samples, self.current_phrase)

    def on_recorded(self, rec: Recording) -> None:
        a, lis = self.attempt, self.attempt.listening
        lis.recording = rec
        if lis.verdict_shown or self.current() is not self.s.challenge:
            return  # stopped after an early verdict: keep the audio, nothing else
        if not rec.heard_speech:
            a.results.append(
                VerifyResult(False, "", self.current_phrase, None, NO_SPEECH, method="none")
            )
            self.show_verdict(False, "", NOT_HEARD, None)
            return
        if self.model_state == "failed":
            a.flag_note = "verificação de voz indisponível: " + self.model_error
            self.message("Verificação de voz indisponível", self.model_error,
                         {"flag": "Registrar para revisão"})  # fmt: skip
            return
        self.s.challenge.set_state("verifying")
        lis.verifying_since = self.monotonic()
        self.watchdog.start(int(self.settings.kiosk.verify_timeout_seconds * 1000))
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
        lis = self.attempt.listening
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
        lis = self.attempt.listening
        if job not in (lis.final_job, lis.spec_job) or not self._listening_here():
            return
        if job == lis.spec_job and lis.recording is None:
            lis.spec_job = None  # the full recording will be tried at the stop
            if lis.spec_seq is not None:
                self.mic.judge(lis.spec_seq, False)
            return
        self.watchdog.stop()
        self.attempt.flag_note = "falha na verificação de voz: " + message
        self.message("Erro na verificação", message, {"flag": "Registrar para revisão"})

    def on_verify_timeout(self) -> None:
        """The verifier took too long (a slow machine, a long clip): a "not validated" try with
        a retry, instead of "Verificando..." without end; the late verdict is dropped."""
        lis, a = self.attempt.listening, self.attempt
        if lis.verdict_shown or self.s.challenge.state != "verifying":
            return
        lis.spec_job = lis.final_job = None
        a.results.append(VerifyResult(False, "", self.current_phrase, None, TIMEOUT, method="none"))
        self.show_verdict(False, None, "A verificação demorou demais. Tente de novo.", None)

    def deliver(self, result: VerifyResult, speech_end: float | None) -> None:
        self.attempt.results.append(result)
        detail = ""
        if not result.validated:
            detail = (
                NOT_HEARD
                if result.reason == NO_SPEECH
                else f"Diga exatamente: {self.s.challenge.phrase.text()}"
            )
            rec = self.attempt.listening.recording
            if rec is not None and rec.cut:
                detail = f"{CUT} {detail}"
        self.show_verdict(result.validated, result.spoken_text, detail, speech_end)

    def show_verdict(self, validated: bool, heard: str | None, detail: str, speech_end) -> None:
        a = self.attempt
        self.watchdog.stop()
        a.listening.verdict_shown = True
        a.last_validated = validated
        if validated and self.save_punch() is None:
            return  # not stored: the message says so, and "Validado" is never shown
        can_retry = a.attempt < self.settings.kiosk.max_tries
        if not validated and not can_retry:
            detail = "Limite de tentativas atingido. O registro será feito e enviado para revisão."
        shown = clean_heard(heard) if heard is not None else None
        self.s.result.show_result(validated, shown, detail, can_retry)
        self.show(self.s.result)
        self.s.result.verdict.repaint()
        if speech_end is not None:
            self.metrics["latencies"].append(time.monotonic() - speech_end)
        self.sound.emit("ok" if validated else "bad")
        if validated:
            self.continue_timer.start(1500)
