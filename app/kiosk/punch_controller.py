"""The punch flow: identify, choose the type, say the phrase, see the verdict, get the receipt.

``PunchController`` owns the flow's typed state (``PunchAttempt``), talks to the punch service,
the shared ``Microphone`` and the ``VerifyWorker``, tells screens what to draw and asks the
window (``navigate``) to show one. Screens only draw and emit; nothing here reaches into a
window. Each try's recording and verification (speculative snapshots, pauses) is its
``Listener`` (``listening.py``), which answers through ``ListeningHost``: ``show_verdict``,
``listening_failed``, ``cancel``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from app.kiosk.attempt import LABELS, PunchAttempt, clean_heard, not_stored
from app.kiosk.listening import Listener, Trouble, Verdict, VerifyModel
from app.kiosk.microphone import Microphone
from app.kiosk.punch_screens import PunchScreens
from app.kiosk.settings import KioskSettings
from app.punch import words
from app.punch.guard import LockedOut
from app.punch.service import Challenge, PunchService
from app.rep.records import Punch
from app.store.errors import LedgerError
from app.store.ledger import Ledger
from app.store.models import Employee
from app.store.settings import LedgerSettings


class PunchController(QObject):
    navigate = Signal(QWidget)  # the screen to show
    admin_unlocked = Signal()
    punched = Signal()  # a punch was stored (sync wakes up)
    sound = Signal(str)  # "ok" | "bad": the verdict's sound

    def __init__(
        self,
        screens: PunchScreens,
        microphone: Microphone,
        model: VerifyModel,
        *,
        clock: Callable[[], datetime],
        current: Callable[[], QWidget | None],
        monotonic: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.s = screens
        self.clock = clock
        self.settings = KioskSettings()
        self.service: PunchService | None = None
        self.ledger: Ledger | None = None
        self.attempt = PunchAttempt()
        self.admin_mode = False
        self.recent: list[Punch] = []  # the list on the receipts screen, newest first
        self.receipt_from_list = False  # the receipt on show was opened from that list
        # this controller is the listener's ListeningHost
        self.listener = Listener(self, microphone, model, screens.challenge, current, monotonic,
                                 parent=self)  # fmt: skip
        self.continue_timer = QTimer(self)
        self.continue_timer.setSingleShot(True)
        self.continue_timer.timeout.connect(self.accept)
        s = screens
        s.idle.touched.connect(self.start)
        s.pin.pin_entered.connect(self.on_pin)
        s.pin.badge_entered.connect(self.on_badge)
        s.pin.cancelled.connect(self.cancel)
        s.types.chosen.connect(self.on_type)
        s.types.cancelled.connect(self.cancel)
        s.types.receipts_requested.connect(self.show_receipts)
        s.receipts.done.connect(self.back_to_types)
        s.receipts.opened.connect(self.open_recent)
        s.challenge.record_clicked.connect(self.record)
        s.challenge.cancel_clicked.connect(self.listener.on_cancel_recording)
        s.result.retry.connect(self.retry)
        s.result.accept.connect(self.accept)
        s.result.cancelled.connect(self.cancel)
        s.receipt.done.connect(self.on_receipt_done)
        s.receipt.touched.connect(self.on_receipt_touched)
        s.message.ok.connect(self.cancel)
        s.message.action.connect(self.on_message_action)

    # ------------------------------------------------------------------ wiring

    def configure(
        self, settings: KioskSettings, service: PunchService | None, ledger: Ledger | None
    ) -> None:
        self.settings, self.service, self.ledger = settings, service, ledger
        self.listener.configure(settings.kiosk)

    @property
    def svc(self) -> PunchService:
        """The punch service (``configure`` sets it before any screen that needs it)."""
        if self.service is None:
            raise RuntimeError("punch service not configured")
        return self.service

    def show(self, screen: QWidget) -> None:
        self.navigate.emit(screen)

    def message(
        self, title: str, text: str, actions: dict[str, str] | None = None, safe: bool = False
    ) -> None:
        """``safe``: the big default button goes back to the start (the actions record)."""
        self.s.message.show_message(title, text, actions, safe=safe)
        self.show(self.s.message)

    def reset(self) -> None:
        self.continue_timer.stop()
        self.listener.reset()
        self.s.receipt.stop()
        self.attempt = PunchAttempt()
        self.admin_mode = False
        self.recent, self.receipt_from_list = [], False

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
        self.update_keypad()

    def update_keypad(self) -> None:
        """Grey out the keypad while PIN entry as a whole is locked (badges keep working)."""
        locked = False
        if self.service is not None and not self.admin_mode:
            locked = self.svc.guard.state("pin").locked(self.svc.now().timestamp())
        self.s.pin.set_keypad_locked(locked)

    def lock_notice(self) -> str:
        """For the idle screen: someone is locked out, and until when (never who)."""
        notice = self.service.lock_notice() if self.service is not None else None
        return notice.text if notice is not None else ""

    def on_pin(self, pin: str) -> None:
        """Lockouts are per identity (the punch service's guard): one person's wrong PINs
        never lock badges, other people or the admin."""
        try:
            if self.admin_mode:
                stored = self.settings.kiosk.admin_pin_hash
                if self.svc.check_admin_pin(pin, stored, report_lock=True):
                    self.admin_mode = False
                    self.admin_unlocked.emit()
                else:
                    self.s.pin.reset("PIN do administrador incorreto.")
                return
            self.identified(self.svc.identify(pin=pin, report_lock=True))
        except LockedOut as exc:
            self.s.pin.reset(exc.message)
        self.update_keypad()

    def on_badge(self, badge: str) -> None:
        if self.admin_mode:
            return
        try:
            self.identified(self.svc.identify(badge=badge, report_lock=True))
        except LockedOut as exc:
            self.s.pin.reset(exc.message)

    def identified(self, employee: Employee | None) -> None:
        if employee is None:
            self.s.pin.reset("PIN ou crachá não reconhecido. Tente novamente.")
            return
        self.attempt.employee = employee
        self.back_to_types()

    def back_to_types(self) -> None:
        employee = self.attempt.employee
        if employee is None:
            self.cancel()
            return
        now = self.svc.local(self.clock())
        suggested = self.svc.next_type(employee, now)
        last = self.svc.last_punch(employee, now)
        first = employee.name.split()[0] if employee.name else ""
        greeting = words.greeting(first, last.text if last is not None else None)
        self.s.types.show_for(greeting, suggested)
        self.show(self.s.types)

    def show_receipts(self) -> None:
        """The worker's own punches of the last 48 hours (Portaria 671: the worker may see them)."""
        employee = self.attempt.employee
        if employee is None:
            self.cancel()
            return
        views = self.svc.recent_receipts(employee, self.svc.local(self.clock()))
        self.recent = [v.punch for v in views]
        self.receipt_from_list = False
        self.s.receipts.show_punches(employee.name, self.recent)
        self.show(self.s.receipts)

    def open_recent(self, row: int) -> None:
        """A tap on one of the worker's punches: its receipt, QR included; Concluir goes back
        to the list (no countdown: the worker may be scanning the QR)."""
        if not 0 <= row < len(self.recent):
            return
        self.show_receipt(self.recent[row], countdown=False)
        self.receipt_from_list = True

    # ------------------------------------------------------------------ type + challenge

    def on_type(self, kind: str) -> None:
        a = self.attempt
        a.punch_type, a.attempt = kind, 1
        if not a.confirmed_duplicate and self._recent_same_type(kind):
            minutes = round(self.svc.settings.duplicate_minutes)
            self.message(
                "Marcação repetida?",
                f"Você já registrou {LABELS[kind]} nos últimos {minutes} minutos. "
                "Deseja registrar de novo?",
                {"duplicate": f"Registrar {LABELS[kind]} de novo"},
                safe=True,
            )
            return
        self.open_challenge()

    def _recent_same_type(self, kind: str) -> bool:
        employee = self.attempt.employee
        if employee is None:
            return False
        now = self.svc.local(self.clock())
        return self.svc.duplicate_of(employee, kind, now) is not None

    def refresh_phrase(self) -> Challenge:
        a = self.attempt
        a.phrase = phrase = self.svc.challenge(a.punch_type, self.clock())
        self.s.challenge.show_phrase(phrase, a.attempt, self.settings.kiosk.max_tries)
        return phrase

    def open_challenge(self) -> None:
        self.refresh_phrase()
        self.s.challenge.set_state("ready")
        self.show(self.s.challenge)
        self.listener.arm()

    def record(self) -> None:
        """Falar: the phrase is fixed for this try; the first try's is the punch time."""
        a = self.attempt
        phrase = self.refresh_phrase()
        if a.attempt == 1 and a.challenged_at is None:
            a.challenged_at = self.clock()  # the punch time: what the first challenge showed
        self.listener.record(phrase)

    def tick(self, current: QWidget | None) -> None:
        """Once a second (the window's clock): the phrase follows the minute until Falar, the
        lockout counts down, the listening countdown runs."""
        if current is self.s.challenge:
            if self.s.challenge.record.isEnabled():
                self.refresh_phrase()
            else:
                self.listener.update_countdown()
        elif current is self.s.pin:
            self.update_keypad()

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

    # ------------------------------------------------------------------ ListeningHost

    def show_verdict(self, verdict: Verdict) -> None:
        """A try's verdict. A validated one is committed first: "Validado" is shown only for a
        punch on disk (``save_punch``)."""
        a, result = self.attempt, verdict.result
        a.results.append(result)
        a.last_validated = validated = result.validated
        if validated and self.save_punch() is None:
            return  # not stored: the message says so, and "Validado" is never shown
        can_retry = a.attempt < self.settings.kiosk.max_tries
        detail = verdict.detail
        if not validated and not can_retry:
            detail = "Limite de tentativas atingido. O registro será feito e enviado para revisão."
        shown = clean_heard(verdict.heard) if verdict.heard is not None else None
        self.s.result.show_result(validated, shown, detail, can_retry)
        self.show(self.s.result)
        self.s.result.verdict.repaint()
        self.listener.note_shown(verdict.speech_end)
        self.sound.emit("ok" if validated else "bad")
        if validated:
            self.continue_timer.start(1500)

    def listening_failed(self, trouble: Trouble) -> None:
        """The try could not be judged: the punch may still be recorded, flagged for HR."""
        self.attempt.flag_note = trouble.note
        self.message(trouble.title, trouble.text, trouble.actions)

    # ------------------------------------------------------------------ commit + receipt

    def accept(self) -> None:
        self.continue_timer.stop()
        self.commit()

    def commit(self) -> None:
        """Store the punch (once) and show its receipt."""
        punch = self.save_punch()
        if punch is not None:
            self.show_receipt(punch)

    def save_punch(self) -> Punch | None:
        """Commit the punch unless this attempt already did; None when it could not be
        stored (a message then says so). Called before a "Validado" verdict is shown, so what
        a worker sees accepted is on disk (tests/kiosk/test_kill_after_verdict.py): the commit
        takes milliseconds."""
        a = self.attempt
        if a.punch is not None:
            return a.punch
        if a.employee is None:
            self.cancel()
            return None
        phrase = a.phrase or self.refresh_phrase()
        note = a.flag_note if not any(r.validated for r in a.results) else ""
        when = self.svc.local(a.challenged_at or self.clock())  # the first challenge's time
        try:
            punch = self.svc.commit(a.employee, phrase, a.results, self.punch_audio(),
                                        note=note, now=when)  # fmt: skip
        except (LedgerError, OSError) as exc:
            self.message("Registro não gravado", not_stored(exc), {"save": "Tentar de novo"})
            return None
        a.punch = punch
        self.punched.emit()
        return punch

    def show_receipt(self, punch: Punch, countdown: bool = True) -> None:
        """The receipt of a stored punch: the same hash, place and QR as the PDF receipt. After
        a punch it counts down to the start, a second at a time."""
        k = self.settings.kiosk
        settings = self.ledger.settings if self.ledger is not None else LedgerSettings()
        self.receipt_from_list = False
        self.s.receipt.show_receipt(punch, settings)
        self.s.receipt.ok.setText("Concluir" if countdown else "Voltar à lista")
        self.s.receipt.start_countdown(k.idle_return_seconds if countdown else 0)
        self.show(self.s.receipt)

    def on_receipt_done(self) -> None:
        if self.receipt_from_list:
            self.receipt_from_list = False
            self.show(self.s.receipts)
        else:
            self.cancel()

    def on_receipt_touched(self) -> None:
        """A tap on a punch's receipt: the next person in the queue starts at once."""
        if not self.receipt_from_list:
            self.start()

    def punch_audio(self) -> np.ndarray | None:
        """The last recording's samples, only when audio retention or sync needs them (LGPD)."""
        samples = self.listener.listening.audio()
        k = self.settings
        if samples is None or not (k.kiosk.retain_audio or k.sync.enabled):
            return None
        return samples

    # ------------------------------------------------------------------ inactivity

    def timed_out(self, current: QWidget) -> None:
        """The defined outcome of inactivity on each punch screen: a punch already
        attempted is recorded (flagged when no try validated); anything else is cancelled."""
        s = self.s
        if current is s.challenge and not s.challenge.record.isEnabled():
            return  # listening or verifying: the recorder limit and the watchdog bound those
        attempted = bool(self.attempt.results or self.attempt.flag_note)
        if (
            current is s.result
            or (current in (s.message, s.challenge) and attempted)  # e.g. left after a retry
            or (current is s.message and "save" in s.message.action_keys())
        ):
            self.commit()
        else:
            self.cancel()
