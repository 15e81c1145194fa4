"""The punch service: one path from "who are you" to a stored punch, for the kiosk and the CLI.

    service = PunchService(ledger, verifier, PunchSettings(sync=SyncConfig(...)))
    employee = service.identify(pin="5821")            # or badge="0001"; None if unknown;
                                                       # raises LockedOut (pt-BR message, .until)
    service.check_admin_pin(pin, stored_hash) -> bool  # same lockout, its own bucket
    service.lock_notice() -> LockNotice | None         # idle screen: "bloqueado até 14:03:12"
    service.last_punch(employee) -> LastPunch | None   # .text: "Entrada 08:02"
    kind = service.next_type(employee)                 # suggested: ENTRADA/INTERVALO/RETORNO/SAIDA
    service.duplicate_of(employee, kind) -> Punch | None   # same type within N min: ask first
    challenge = service.challenge(kind)                # ENTRADA 13 40, and the instant it showed
    result = service.verify_attempt(audio, challenge)  # VerifyResult; never raises for bad audio
    ... up to settings.max_tries attempts (the kiosk decides when to stop) ...
    punch = service.commit(employee, challenge, results, audio)   # durably stored; returns Punch
    service.recent_receipts(employee) -> [ReceiptView]  # last 48 h, newest first, with QR payload

``audio`` is the bytes of an audio file, a path, or 16 kHz mono float32 samples (numpy).
Punches are never blocked: `commit` records even when no attempt validated (or the model
failed) and flags the punch for review with a pt-BR reason.

The legal punch time is the instant of the *first* attempt's challenge: `challenge` returns a
`Challenge` (a Phrase with ``issued_at``); the results of each attempt keep the challenge they
were verified against, and `commit` records the earliest ``issued_at`` among them and the phrase
it is given (``now`` is used only when none carries an instant, e.g. a plain Phrase).

Sync modes (app.sync.SyncConfig): "confirm" queues each punch for the background worker;
"cloud-first" asks the cloud inside `verify_attempt` (short timeout) and falls back to the local
verifier; the punch is then marked offline in the AFD and queued for later confirmation.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from app import settings as app_settings
from app.core import punch_types
from app.core.audio import wav_bytes
from app.core.coerce import from_sources
from app.core.errors import AudioError, ConfigError, PontoVozError
from app.core.phrase import Phrase
from app.core.result import VerifyResult
from app.punch import history, words
from app.punch.guard import IdentityGuard, LockedOut, LockNotice, LockoutSettings
from app.punch.history import LastPunch, ReceiptView
from app.punch.pins import check_admin_pin
from app.rep.records import Punch
from app.store.alerts import record_alert
from app.store.ledger import Ledger, local_now
from app.store.lockout import LockoutStore
from app.store.models import Employee, PunchDraft
from app.sync.client import CloudClient, SyncError
from app.sync.config import SyncConfig

Audio = bytes | Path | np.ndarray
__all__ = ["Challenge", "LastPunch", "LockNotice", "LockedOut", "PunchService", "PunchSettings"]


class VerifierLike(Protocol):
    def verify(self, audio: Audio, expected: str | Phrase) -> VerifyResult: ...


@dataclass(frozen=True)
class Challenge(Phrase):
    """The phrase shown to the worker and the instant it was shown (timezone-aware)."""

    issued_at: datetime


@dataclass(frozen=True)
class PunchSettings:
    """The ``punch`` section of settings.json (plus sync's own section)."""

    max_tries: int = 3
    sync: SyncConfig = field(default_factory=SyncConfig)
    duplicate_minutes: float = 2.0  # same type by the same person within this: ask first
    receipts_hours: float = 48.0  # how far back a worker sees their receipts
    lockout: LockoutSettings = field(default_factory=LockoutSettings)

    def __post_init__(self) -> None:
        if not 0 <= self.duplicate_minutes <= 240:
            raise ConfigError("Aviso de marcação repetida: de 0 (desligado) a 240 minutos.")
        if not 1 <= self.receipts_hours <= 24 * 31:
            raise ConfigError("Comprovantes no terminal: de 1 a 744 horas.")
        lk = self.lockout
        if not (2 <= lk.failures <= 20 and lk.failures <= lk.guesses <= 100):
            raise ConfigError("Bloqueio: de 2 a 20 erros (e de 2 a 100 PINs diferentes).")
        if not lk.guesses <= lk.daily_guesses <= 1000:
            raise ConfigError("Alerta de PINs errados: de 'guesses' a 1000 por dia.")
        if not 5 <= lk.first_delay_s <= lk.max_delay_s <= 86400:
            raise ConfigError("Tempo de bloqueio: de 5 s até o máximo (no máximo 1 dia).")

    @classmethod
    def load(cls, settings_file: Path | None = None) -> PunchSettings:
        """From the ``punch`` section (``lockout`` inside it) and the ``sync`` section."""
        return cls.from_section(app_settings.section("punch", settings_file), settings_file)

    @classmethod
    def from_section(
        cls, data: Mapping[str, Any], settings_file: Path | None = None
    ) -> PunchSettings:
        raw_lockout = data.get("lockout") or {}
        if not isinstance(raw_lockout, dict):
            raise ConfigError("A seção 'punch.lockout' deve ser um objeto.")
        lockout = from_sources(LockoutSettings, raw_lockout, what="bloqueio")
        values = {k: v for k, v in data.items() if k not in ("lockout", "sync")}
        return from_sources(
            cls,
            values,
            overrides={"sync": SyncConfig.load(settings_file), "lockout": lockout},
            what="marcação",
        )


class PunchService:
    def __init__(
        self,
        ledger: Ledger,
        verifier: VerifierLike,
        settings: PunchSettings | None = None,
        *,
        cloud: CloudClient | None = None,
        clock: Callable[[], datetime] = local_now,
        lockout: LockoutStore | None = None,
    ) -> None:
        self.ledger = ledger
        self.verifier = verifier
        self.settings = settings or PunchSettings()
        sync = self.settings.sync
        self._cloud = cloud or (CloudClient(sync) if sync.mode == "cloud-first" else None)
        self._clock = clock
        store = lockout or LockoutStore.beside(ledger.path)
        alert = lambda kind, detail: record_alert(ledger, kind, detail)  # noqa: E731
        self.guard = IdentityGuard(store, self.settings.lockout, self.now, alert)

    def now(self) -> datetime:
        """The device clock in the kiosk's zone, always with its UTC offset."""
        return self.local(self._clock())

    def local(self, dt: datetime) -> datetime:
        """A time in the kiosk's zone (a naive one is the kiosk's wall clock)."""
        return self.ledger.settings.local(dt)

    def _at(self, now: datetime | None) -> datetime:
        return self.now() if now is None else self.local(now)

    # ---- who ------------------------------------------------------------------------------------

    def identify(
        self, pin: str | None = None, badge: str | None = None, *, report_lock: bool = False
    ) -> Employee | None:
        """The active employee with this PIN or badge, or None. Raises LockedOut while this
        path or this tried value is locked (the secret is then not even checked); with
        ``report_lock`` also on the failure that starts a lock, so the screen can say so at
        once (the CLI does; the kiosk should, and catch LockedOut: ``.message``/``.until``)."""
        if pin:
            find = lambda: self.ledger.find_by_pin(pin)  # noqa: E731
            return self.guard.attempt("pin", pin, find, report_lock=report_lock)
        if badge:
            find = lambda: self.ledger.find_by_badge(badge)  # noqa: E731
            return self.guard.attempt("badge", badge, find, report_lock=report_lock)
        return None

    def check_admin_pin(self, pin: str, stored_hash: str, *, report_lock: bool = False) -> bool:
        """The admin PIN against its stored hash, behind the admin's own lockout bucket."""
        check = lambda: check_admin_pin(pin, stored_hash) or None  # noqa: E731
        return bool(self.guard.attempt("admin", pin, check, report_lock=report_lock))

    def lock_notice(self) -> LockNotice | None:
        """For the idle screen: "Acesso bloqueado ... até 14:03:12" (``.text``), never a name."""
        return self.guard.notice()

    # ---- what they did before -------------------------------------------------------------------

    def next_type(self, employee: Employee, now: datetime | None = None) -> str:
        """The likely next punch from the employee's last punch today (SAIDA -> ENTRADA)."""
        last = self.ledger.last_punch_today(employee.id, now or self.now())
        return punch_types.next_after(last.type if last else None)

    def last_punch(self, employee: Employee, now: datetime | None = None) -> LastPunch | None:
        """The employee's last punch of the past 7 days ("Entrada 08:02"), or None."""
        return history.last_punch(self.ledger, employee.id, self._at(now))

    def duplicate_of(
        self, employee: Employee, kind: str, now: datetime | None = None
    ) -> Punch | None:
        """The same type punched by the same person within ``duplicate_minutes``: the UI asks
        for confirmation, the CLI for --force. None when there is none (or the check is off)."""
        return history.duplicate_of(
            self.ledger, employee.id, kind, self._at(now),
            self.settings.duplicate_minutes,
        )  # fmt: skip

    def recent_receipts(self, employee: Employee, now: datetime | None = None) -> list[ReceiptView]:
        """The employee's receipts of the last ``receipts_hours`` (48 h), newest first."""
        return history.recent_receipts(
            self.ledger, employee.id, self._at(now), self.settings.receipts_hours
        )

    # ---- the punch ------------------------------------------------------------------------------

    def challenge(self, punch_type: str, now: datetime | None = None) -> Challenge:
        """The phrase to say, from the device clock, with the instant it was issued."""
        at = self._at(now)
        return Challenge(punch_type, at.hour, at.minute, issued_at=at)

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
            # The core compares phrases by value: hand it a plain Phrase, keep the Challenge
            # (its instant) on the result for `commit`.
            plain = Phrase(phrase.type, phrase.hour, phrase.minute)
            return dataclasses.replace(self.verifier.verify(audio, plain), expected=phrase)
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
        """Store the punch (durably) with the best attempt; flag it when none validated.
        The punch time is the first challenge's instant (see the module docstring)."""
        best = next((r for r in results if r.validated), results[-1] if results else None)
        validated = bool(best and best.validated)
        reason = note
        if not validated:
            why = words.not_validated(len(results)) if results else words.NO_VOICE_CHECK
            reason = "; ".join(x for x in (note, why) if x)
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
                punched_at=punch_time(phrase, results) or self._at(now),
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
            result = self.verify_attempt(audio, phrase)
        except PontoVozError as exc:
            note = words.voice_check_failed(str(exc))
            return self.commit(employee, phrase, [], audio, note=note), None
        return self.commit(employee, phrase, [result], audio), result


def punch_time(phrase: Phrase, results: Sequence[VerifyResult]) -> datetime | None:
    """The earliest challenge instant among the phrase and the attempts' expected phrases."""
    instants = [
        p.issued_at for p in (phrase, *(r.expected for r in results)) if isinstance(p, Challenge)
    ]
    return min(instants) if instants else None


def audio_bytes(audio: Audio) -> bytes:
    """Bytes of an audio file: as given, read from a path, or samples written as 16-bit WAV."""
    if isinstance(audio, bytes | bytearray):
        return bytes(audio)
    if isinstance(audio, str | Path):
        try:
            return Path(audio).read_bytes()
        except OSError as exc:
            raise AudioError(f"não foi possível ler o arquivo de áudio {audio}: {exc}") from exc
    return wav_bytes(audio)
