"""The punch flow: identify, choose the type, say the phrase, see the verdict, get the receipt.

``PunchController`` owns the flow's typed state (``PunchAttempt``), talks to the punch service,
the shared ``Microphone`` and the ``VerifyWorker``, tells screens what to draw and asks the
window (``navigate``) to show one. Screens only draw and emit; nothing here reaches into a
window. Recording and verification (speculative snapshots, pauses) are in ``listening.py``.
"""

from __future__ import annotations

import errno
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from PySide6.QtCore import QObject, QTimer, Signal

from app.kiosk.attempt import LABELS, PunchAttempt
from app.kiosk.listening import ListeningMixin
from app.kiosk.messages import store_message
from app.kiosk.settings import KioskSettings, check_pin
from app.store.errors import DiskFullError, LedgerError

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class PunchScreens:
    idle: object
    pin: object
    types: object
    challenge: object
    result: object
    receipt: object
    message: object
    receipts: object


def aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo is not None else dt.astimezone()


class PunchController(ListeningMixin, QObject):
    navigate = Signal(object)  # the screen to show
    admin_unlocked = Signal()
    punched = Signal()  # a punch was stored (sync wakes up)
    sound = Signal(str)  # "ok" | "bad": the verdict's sound

    def __init__(
        self,
        screens: PunchScreens,
        microphone,
        *,
        clock: Clock,
        current: Callable[[], object],
        monotonic: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.s = screens
        self.current = current  # the screen on show (the window's stack)
        self.mic = microphone
        self.clock = clock
        self.monotonic = monotonic
        self.settings = KioskSettings()
        self.service = None
        self.ledger = None
        self.verify_worker = None
        self.model_state, self.model_error = "loading", ""
        self.attempt = PunchAttempt()
        self.admin_mode = False
        self._failures = 0
        self._locked_until = 0.0
        self._admin_failures = 0
        self._admin_locked_until = 0.0
        self._job = 0
        self.metrics: dict = {"latencies": [], "paths": {"early": 0, "snapshot": 0, "full": 0}}
        self.continue_timer = QTimer(self)
        self.continue_timer.setSingleShot(True)
        self.continue_timer.timeout.connect(self.accept)
        self.watchdog = QTimer(self)  # "Verificando..." never stays up long (issue 11 item 3)
        self.watchdog.setSingleShot(True)
        self.watchdog.timeout.connect(self.on_verify_timeout)
        s = screens
        s.idle.touched.connect(self.start)
        s.pin.pin_entered.connect(self.on_pin)
        s.pin.badge_entered.connect(self.on_badge)
        s.pin.cancelled.connect(self.cancel)
        s.types.chosen.connect(self.on_type)
        s.types.cancelled.connect(self.cancel)
        s.types.receipts_requested.connect(self.show_receipts)
        s.receipts.done.connect(self.back_to_types)
        s.challenge.record_clicked.connect(self.record)
        s.challenge.cancel_clicked.connect(self.on_cancel_recording)
        s.result.retry.connect(self.retry)
        s.result.accept.connect(self.accept)
        s.result.cancelled.connect(self.cancel)
        s.receipt.done.connect(self.cancel)
        s.message.ok.connect(self.cancel)
        s.message.action.connect(self.on_message_action)

    # ------------------------------------------------------------------ wiring

    def configure(self, settings: KioskSettings, service, ledger) -> None:
        self.settings, self.service, self.ledger = settings, service, ledger

    def show(self, screen) -> None:
        self.navigate.emit(screen)

    def message(self, title: str, text: str, actions: dict[str, str] | None = None) -> None:
        self.s.message.show_message(title, text, actions)
        self.show(self.s.message)

    def reset(self) -> None:
        self.continue_timer.stop()
        self.watchdog.stop()
        self.attempt = PunchAttempt()
        self.admin_mode = False

    def cancel(self) -> None:
        """Back to the idle screen; nothing of this punch is kept (not yet attempted)."""
        self.reset()
        self.show(self.s.idle)

    # ------------------------------------------------------------------ identify + lockout

    def start(self, admin: bool = False) -> None:
        self.reset()
        self.admin_mode = admin
        self.s.pin.reset()
        self.s.pin.set_mode(admin)
        self.show(self.s.pin)
        self.update_lockout()

    def locked_left(self) -> int:
        """Seconds this screen's lockout still runs (admin and employees lock apart)."""
        until = self._admin_locked_until if self.admin_mode else self._locked_until
        return max(0, int(until - self.monotonic() + 0.999))

    def someone_locked(self) -> bool:
        return self.monotonic() < self._locked_until

    def update_lockout(self) -> None:
        left = self.locked_left()
        if left:
            self.s.pin.set_locked(True, f"Muitas tentativas erradas. Aguarde {left} s.")
        elif not self.s.pin.keys["5"].isEnabled():
            self.s.pin.set_locked(False, "")

    def _failed_identify(self) -> None:
        k = self.settings.kiosk
        if self.admin_mode:
            self._admin_failures += 1
            if self._admin_failures >= k.lockout_failures:
                self._admin_failures = 0
                self._admin_locked_until = self.monotonic() + k.lockout_seconds
        else:
            self._failures += 1
            if self._failures >= k.lockout_failures:
                self._failures = 0
                self._locked_until = self.monotonic() + k.lockout_seconds
        if self.locked_left():
            self.update_lockout()
        else:
            self.s.pin.reset("PIN ou crachá não reconhecido. Tente novamente.")

    def on_pin(self, pin: str) -> None:
        if self.locked_left():
            self.update_lockout()
            return
        if self.admin_mode:
            if check_pin(pin, self.settings.kiosk.admin_pin_hash):
                self._admin_failures = 0
                self.admin_mode = False
                self.admin_unlocked.emit()
            else:
                self._failed_identify()
            return
        self.identified(self.service.identify(pin=pin))

    def on_badge(self, badge: str) -> None:
        if self.locked_left() or self.admin_mode:
            self.update_lockout()
            return
        self.identified(self.service.identify(badge=badge))

    def identified(self, employee) -> None:
        if employee is None:
            self._failed_identify()
            return
        self._failures = 0
        self.attempt.employee = employee
        self.back_to_types()

    def back_to_types(self) -> None:
        employee = self.attempt.employee
        if employee is None:
            self.cancel()
            return
        now = aware(self.clock())
        suggested = self.service.next_type(employee, now)
        last = self.ledger.last_punch_today(employee.id, now)
        last_text = ""
        if last is not None:
            at = datetime.fromisoformat(last.punched_at)
            last_text = f"{LABELS.get(last.type, last.type)} {at:%H:%M}"
        self.s.types.show_for(employee.name, suggested, last_text)
        self.show(self.s.types)

    def show_receipts(self) -> None:
        """The worker's own punches of the last 48 hours (issue 13)."""
        employee = self.attempt.employee
        if employee is None:
            self.cancel()
            return
        now = aware(self.clock())
        since = now - timedelta(hours=48)
        mine = [
            p for p in self.ledger.punches(since.date(), now.date())
            if p.employee_id == employee.id and datetime.fromisoformat(p.punched_at) >= since
        ]  # fmt: skip
        self.s.receipts.show_punches(employee.name, mine[::-1])
        self.show(self.s.receipts)

    # ------------------------------------------------------------------ type + challenge

    def on_type(self, kind: str) -> None:
        a = self.attempt
        a.punch_type, a.attempt = kind, 1
        if not a.confirmed_duplicate and self._recent_same_type(kind):
            minutes = self.settings.kiosk.duplicate_minutes
            self.message(
                "Marcação repetida?",
                f"Você já registrou {LABELS[kind]} nos últimos {minutes} minutos. "
                "Deseja registrar de novo?",
                {"duplicate": f"Registrar {LABELS[kind]} de novo"},
            )
            return
        self.open_challenge()

    def _recent_same_type(self, kind: str) -> bool:
        minutes = self.settings.kiosk.duplicate_minutes
        if not minutes or self.attempt.employee is None:
            return False
        now = aware(self.clock())
        last = self.ledger.last_punch_today(self.attempt.employee.id, now)
        if last is None or last.type != kind:
            return False
        return now - datetime.fromisoformat(last.punched_at) < timedelta(minutes=minutes)

    def refresh_phrase(self) -> None:
        a = self.attempt
        a.phrase = self.service.challenge(a.punch_type, self.clock())
        self.s.challenge.show_phrase(a.phrase, a.attempt, self.settings.kiosk.max_tries)

    def open_challenge(self) -> None:
        self.refresh_phrase()
        self.s.challenge.set_state("ready")
        self.show(self.s.challenge)

    def tick(self, current) -> None:
        """Once a second from the window: the phrase follows the minute until Falar, the
        lockout counts down, the listening countdown runs."""
        if current is self.s.challenge:
            if self.s.challenge.record.isEnabled():
                self.refresh_phrase()
            else:
                self.update_countdown()
        elif current is self.s.pin:
            self.update_lockout()

    def retry(self) -> None:
        self.attempt.attempt += 1
        self.open_challenge()

    def on_message_action(self, action: str) -> None:
        if action == "retry":
            self.open_challenge()
        elif action == "duplicate":
            self.attempt.confirmed_duplicate = True
            self.on_type(self.attempt.punch_type)
        elif action in ("flag", "save"):
            self.commit()

    # ------------------------------------------------------------------ commit + receipt

    def accept(self) -> None:
        self.continue_timer.stop()
        self.commit()

    def commit(self) -> None:
        a = self.attempt
        if a.employee is None:
            self.cancel()
            return
        if a.phrase is None:
            self.refresh_phrase()
        note = a.flag_note if not any(r.validated for r in a.results) else ""
        when = aware(a.challenged_at or self.clock())  # the time the first challenge showed
        try:
            punch = self.service.commit(a.employee, a.phrase, a.results, self.punch_audio(),
                                        note=note, now=when)  # fmt: skip
        except (LedgerError, OSError) as exc:
            full = isinstance(exc, DiskFullError) or (
                isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)
            )
            text = (
                "Disco cheio: não foi possível gravar o registro. Chame o administrador."
                if full
                else f"Não foi possível gravar o registro: {store_message(exc)}"
            )
            self.message("Registro não gravado", text, {"save": "Tentar de novo"})
            return
        self.punched.emit()
        k = self.settings.kiosk
        self.s.receipt.show_receipt(punch, k.company, k.kiosk_id)
        self.s.receipt.countdown.setText(f"Voltando ao início em {k.idle_return_seconds} s")
        self.show(self.s.receipt)

    def punch_audio(self):
        """The last recording's samples, only when audio retention or sync needs them (LGPD)."""
        samples = self.attempt.audio()
        k = self.settings
        if samples is None or not (k.kiosk.retain_audio or k.sync.enabled):
            return None
        return samples

    # ------------------------------------------------------------------ inactivity

    def timed_out(self, current) -> None:
        """The defined outcome of inactivity on each punch screen (issue 13): a punch already
        attempted is recorded (flagged when no try validated); anything else is cancelled."""
        s = self.s
        if current is s.challenge and not s.challenge.record.isEnabled():
            return  # listening or verifying: the recorder limit and the watchdog bound those
        attempted = bool(self.attempt.results or self.attempt.flag_note)
        if (
            current is s.result
            or (current is s.message and attempted)
            or (current is s.message and "save" in s.message.actions())
        ):
            self.commit()
        else:
            self.cancel()
