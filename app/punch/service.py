"""The punch service: one path from "who are you" to a stored punch, for the kiosk and the CLI.

    service = PunchService(ledger, verifier, PunchSettings(sync=SyncConfig(...)))
    employee = service.identify(pin="1234")            # or badge="0001"; None if unknown
    kind = service.next_type(employee)                 # suggested: ENTRADA/INTERVALO/RETORNO/SAIDA
    phrase = service.challenge(kind)                   # from the device clock: ENTRADA 13 40
    result = service.verify_attempt(audio, phrase)     # VerifyResult; never raises for bad audio
    ... up to settings.max_tries attempts (the kiosk decides when to stop) ...
    punch = service.commit(employee, phrase, results, audio)   # durably stored; returns Punch

``audio`` is the bytes of an audio file, a path, or 16 kHz mono float32 samples (numpy).
Punches are never blocked: `commit` records even when no attempt validated (or the model
failed) and flags the punch for review with the reason. The legal punch time is the device
clock at `commit`; the spoken phrase is the challenge, stored beside it.

Sync modes (app.sync.SyncConfig): "confirm" queues each punch for the background worker;
"cloud-first" asks the cloud inside `verify_attempt` (short timeout) and falls back to the local
verifier; the punch is then marked offline in the AFD and queued for later confirmation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

import numpy as np

from app.core import punch_types
from app.core.audio import wav_bytes
from app.core.errors import AudioError, PontoVozError
from app.core.phrase import Phrase
from app.core.result import VerifyResult
from app.store.ledger import Ledger, local_now
from app.store.models import Employee, Punch, PunchDraft
from app.sync.client import CloudClient, SyncError
from app.sync.config import SyncConfig

Audio = bytes | Path | np.ndarray


class VerifierLike(Protocol):
    def verify(self, audio: Audio, expected: str | Phrase) -> VerifyResult: ...


@dataclass(frozen=True)
class PunchSettings:
    max_tries: int = 3
    sync: SyncConfig = field(default_factory=SyncConfig)


class PunchService:
    def __init__(
        self,
        ledger: Ledger,
        verifier: VerifierLike,
        settings: PunchSettings | None = None,
        *,
        cloud: CloudClient | None = None,
        clock: Callable[[], datetime] = local_now,
    ) -> None:
        self.ledger = ledger
        self.verifier = verifier
        self.settings = settings or PunchSettings()
        sync = self.settings.sync
        self._cloud = cloud or (CloudClient(sync) if sync.mode == "cloud-first" else None)
        self._clock = clock

    def identify(self, pin: str | None = None, badge: str | None = None) -> Employee | None:
        if pin:
            return self.ledger.find_by_pin(pin)
        if badge:
            return self.ledger.find_by_badge(badge)
        return None

    def next_type(self, employee: Employee, now: datetime | None = None) -> str:
        """The likely next punch from the employee's last punch today (SAIDA -> ENTRADA)."""
        last = self.ledger.last_punch_today(employee.id, now or self._clock())
        return punch_types.next_after(last.type if last else None)

    def challenge(self, punch_type: str, now: datetime | None = None) -> Phrase:
        now = now or self._clock()
        return Phrase(punch_type, now.hour, now.minute)

    def verify_attempt(self, audio: Audio, phrase: Phrase) -> VerifyResult:
        """One try. Cloud first when so configured; bad audio is a "not validated" result."""
        if self._cloud is not None:
            try:
                verdict = self._cloud.verify(
                    phrase.text(),
                    audio_bytes(audio),
                    timeout_s=self.settings.sync.cloud_first_timeout_s,
                )
                reason = "cloud: match" if verdict.validated else "cloud: not validated"
                return VerifyResult(
                    verdict.validated, verdict.spoken_text, phrase, None, reason, method="cloud"
                )
            except SyncError:
                pass  # offline: the local verifier decides
        try:
            return self.verifier.verify(audio, phrase)
        except AudioError as exc:
            return VerifyResult(False, "", phrase, None, f"audio error: {exc}", method="none")

    def commit(
        self,
        employee: Employee,
        phrase: Phrase,
        results: Sequence[VerifyResult],
        audio: Audio | None = None,
        *,
        note: str = "",
        now: datetime | None = None,
    ) -> Punch:
        """Store the punch (durably) with the best attempt; flag it when none validated."""
        best = next((r for r in results if r.validated), results[-1] if results else None)
        validated = bool(best and best.validated)
        reason = note
        if not validated:
            tries = len(results)
            why = f"voice not validated after {tries} tr{'y' if tries == 1 else 'ies'}"
            reason = "; ".join(x for x in (note, why if results else "no voice check") if x)
        data = audio_bytes(audio) if audio is not None else None
        mode = self.settings.sync.mode
        from_cloud = bool(best and best.method == "cloud")
        offline = mode == "cloud-first" and not from_cloud
        punch = self.ledger.record_punch(
            PunchDraft(
                employee_id=employee.id,
                type=phrase.type,
                expected=phrase.text(),
                transcript=best.spoken_text if best else "",
                validated=validated,
                tries=len(results),
                flag_reason=reason,
                punched_at=now or self._clock(),
                audio=data,
                offline=offline,
                queue_for_cloud=data is not None and mode != "off" and not from_cloud,
                method=best.method if best else "none",
            )
        )
        if from_cloud and best is not None:
            self.ledger.record_cloud_verdict(punch.uuid, best.validated, best.spoken_text)
            punch = self.ledger.get_punch(punch.uuid) or punch
        return punch

    def punch_once(
        self, employee: Employee, punch_type: str, audio: Audio
    ) -> tuple[Punch, VerifyResult | None]:
        """The CLI path: challenge from the clock, one attempt, commit. A model failure is
        recorded as a flagged punch, never a lost one."""
        phrase = self.challenge(punch_type)
        try:
            result: VerifyResult | None = self.verify_attempt(audio, phrase)
        except PontoVozError as exc:
            punch = self.commit(employee, phrase, [], audio, note=f"voice check failed: {exc}")
            return punch, None
        return self.commit(employee, phrase, [result], audio), result


def audio_bytes(audio: Audio) -> bytes:
    """Bytes of an audio file: as given, read from a path, or samples written as 16-bit WAV."""
    if isinstance(audio, bytes | bytearray):
        return bytes(audio)
    if isinstance(audio, str | Path):
        try:
            return Path(audio).read_bytes()
        except OSError as exc:
            raise AudioError(f"cannot read audio file {audio}: {exc}") from exc
    return wav_bytes(audio)
