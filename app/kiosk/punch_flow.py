"""The window's punch side: record, verify (speculatively), show the verdict, commit.

Every function takes the KioskWindow. Verification and commit go through
``app.punch.service.PunchService`` (``win.service``), the same code as ``python -m app punch``.

Speculative verification: ~0.3 s into the silence after speech the recorder hands over the
audio so far (``early``) and it is verified while the recorder keeps listening for the 0.7 s
stop. The verdict is shown as soon as it is final:
- a *validated* snapshot is final at once (a passing snapshot already holds the whole phrase;
  more speech cannot take that back), so it is shown right away and the recording stops;
- a *not validated* snapshot may be a mid-phrase pause ("Entrada ... treze e quarenta"), so it
  is held until the stop decision and used only if no speech followed it;
- if speech resumed, the snapshot is void and the full recording is verified at stop.
"""

from __future__ import annotations

import errno
import time
from datetime import datetime

import numpy as np

from app.core.result import NO_SPEECH, VerifyResult
from app.store.errors import DiskFullError, LedgerError

NOT_HEARD = "Não ouvimos sua voz. Fale mais perto do microfone."


def reset_attempt(win) -> None:
    win.spec_job = None  # verify job of the current snapshot
    win.spec_seq = None
    win.spec_speech_end = None
    win.spec_result = None  # its result, held until the stop decision
    win.spec_samples = None  # its audio: the punch's audio if the recording ends after
    win.final_job = None  # verify job of the full recording
    win.verdict_shown = False


def on_record(win) -> None:
    win.refresh_phrase()  # fixed from here on
    win.challenge.set_state("listening")
    k = win.settings.kiosk
    reset_attempt(win)
    win.last_recording = None
    win.recorder._source = win.source_factory(k)
    win.recorder.silence_seconds = k.silence_seconds
    win.recorder.speculate_seconds = k.speculate_seconds
    win.recorder.max_seconds = k.max_record_seconds
    win._mic_test = None
    win.start_recording()


def on_early(win, seq: int) -> None:
    snap = win.recorder.take_early(seq)
    if snap is None or win._mic_test is not None or win.model_state != "ready":
        return
    if win._rec_asked - win._rec_done != 1:  # from an earlier recording still winding down
        return
    if win.stack.currentWidget() is not win.challenge or win.verdict_shown:
        return
    win._job += 1
    win.spec_job, win.spec_seq = win._job, seq
    win.spec_speech_end, win.spec_result = snap.speech_end_monotonic, None
    win.spec_samples = snap.samples
    win.verify_worker.submit(win._job, snap.samples, win.phrase)


def on_recorded(win) -> None:
    rec = win.recorder.take()
    if win.recording_is_stale() or rec is None:
        return
    if win._mic_test is not None:
        from app.kiosk import admin_flow

        admin_flow.mic_test_done(win, rec, "")
        return
    win.last_recording = rec
    if win.verdict_shown:  # stopped after an early verdict: keep the audio, nothing else
        return
    if not rec.heard_speech:
        win.results.append(VerifyResult(False, "", win.phrase, None, NO_SPEECH, method="none"))
        show_verdict(win, False, "", NOT_HEARD, None)
        return
    if win.model_state == "failed":
        win.flag_note = "voice check unavailable: " + win.model_error
        win.show_message(
            "Verificação de voz indisponível", win.model_error, {"flag": "Registrar para revisão"}
        )
        return
    win.challenge.set_state("verifying")
    if win.spec_job is not None and rec.speculation == win.spec_seq:
        win.metrics["paths"]["snapshot"] += 1
        if win.spec_result is not None:  # already verified while we waited for the stop
            deliver(win, win.spec_result, win.spec_speech_end)
        return  # else on_verified delivers it when it lands
    win.metrics["paths"]["full"] += 1
    win.spec_job = None  # void: speech followed it (or there was none)
    win._job += 1
    win.final_job = win._job
    win.verify_worker.submit(win._job, rec.samples, win.phrase)


def on_verified(win, job: int) -> None:
    result = win.verify_worker.take(job)
    if result is None or win.stack.currentWidget() is not win.challenge or win.verdict_shown:
        return
    if job == win.final_job:
        deliver(win, result, win.last_recording.speech_end_monotonic)
    elif job == win.spec_job:
        if win.last_recording is not None:  # stopped, and the snapshot was still valid
            deliver(win, result, win.spec_speech_end)
        elif result.validated and win.recorder.speculation_valid(win.spec_seq):
            win.metrics["paths"]["early"] += 1
            win.recorder.stop_now()
            deliver(win, result, win.spec_speech_end)
        else:
            win.spec_result = result  # decided at the stop


def on_verify_failed(win, job: int, message: str) -> None:
    if job not in (win.final_job, win.spec_job) or win.verdict_shown:
        return
    if job == win.spec_job and win.last_recording is None:
        win.spec_job = None  # the full recording will be tried at the stop
        return
    win.flag_note = "voice check failed: " + message
    win.show_message("Erro na verificação", message, {"flag": "Registrar para revisão"})


def deliver(win, result: VerifyResult, speech_end: float | None) -> None:
    win.results.append(result)
    detail = ""
    if not result.validated:
        detail = (
            NOT_HEARD if result.reason == NO_SPEECH else f"Diga exatamente: {win.phrase.text()}"
        )
    show_verdict(win, result.validated, result.spoken_text, detail, speech_end)


def show_verdict(win, validated: bool, heard: str, detail: str, speech_end: float | None) -> None:
    win.verdict_shown = True
    win.last_validated = validated
    can_retry = win.attempt < win.settings.kiosk.max_tries
    if not validated and not can_retry:
        detail = "Limite de tentativas atingido. O registro será feito e enviado para revisão."
    win.result.show_result(validated, heard, detail, can_retry)
    win.show_screen(win.result)
    win.result.verdict.repaint()
    if speech_end is not None:
        win.metrics["latencies"].append(time.monotonic() - speech_end)
    if validated:
        win.continue_timer.start(1500)


# ---------------------------------------------------------------------- commit + receipt


def record_punch(win) -> None:
    if win.employee is None:
        win.go_idle()
        return
    if win.phrase is None:
        win.refresh_phrase()
    note = win.flag_note if not any(r.validated for r in win.results) else ""
    try:
        punch = win.service.commit(win.employee, win.phrase, win.results, punch_audio(win),
                                   note=note, now=aware(win.clock()))  # fmt: skip
    except DiskFullError:
        text = "Disco cheio: não foi possível gravar o registro. Chame o administrador."
        win.show_message("Registro não gravado", text, {"save": "Tentar de novo"})
        return
    except (LedgerError, OSError) as exc:
        full = isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)
        text = (
            "Disco cheio: não foi possível gravar o registro. Chame o administrador."
            if full
            else f"Não foi possível gravar o registro: {exc}"
        )
        win.show_message("Registro não gravado", text, {"save": "Tentar de novo"})
        return
    if win.sync_worker is not None:
        win.sync_worker.wake()
    if getattr(win, "central_sync", None) is not None:
        win.central_sync.wake()
    k = win.settings.kiosk
    win.receipt.show_receipt(punch, k.company, k.kiosk_id)
    win.receipt.countdown.setText(f"Voltando ao início em {k.idle_return_seconds} s")
    win.show_screen(win.receipt)
    win.return_timer.start(k.idle_return_seconds * 1000)


def punch_audio(win) -> np.ndarray | None:
    """The last recording's samples, only when audio retention or sync needs them (LGPD);
    the punch service stores them as WAV."""
    samples = win.last_recording.samples if win.last_recording else win.spec_samples
    if samples is None or not (win.settings.kiosk.retain_audio or win.settings.sync.enabled):
        return None
    return samples


def aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo is not None else dt.astimezone()
