"""The punch-flow screens from the phrase on: challenge, verdict, messages (the receipts are in
``receipt_screens.py``). They only draw and emit; the PunchController decides what happens
next. ``PunchScreens`` is the set the controller drives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from app.core.phrase import Phrase
from app.kiosk.attempt import challenge_word
from app.kiosk.receipt_screens import ReceiptScreen, ReceiptsScreen
from app.kiosk.screens import IdleScreen, PinScreen, TypeScreen, button, label
from app.kiosk.widgets import FitLabel, LevelMeter


def phrase_text(phrase: Phrase) -> str:
    """'SAÍDA 13 40': the type as written in Portuguese (with its accent), the time zero-padded."""
    return f"{challenge_word(phrase.type)} {phrase.hour:02d} {phrase.minute:02d}"


class ChallengeScreen(QWidget):
    record_clicked = Signal()
    cancel_clicked = Signal()

    TEXTS: ClassVar[dict[str, str]] = {
        "ready": "Toque em Falar e diga a frase acima",
        "listening": "Ouvindo... fale agora",
        "verifying": "Verificando...",
    }

    def __init__(self) -> None:
        super().__init__()
        self.state = "ready"
        self.tries = label("", "subtitle")
        self.say = label("Diga:", "subtitle")
        self.phrase = FitLabel("phrase")
        self.meter = LevelMeter()
        self.status = label(self.TEXTS["ready"], "status")
        self.record = button("Falar", "ok")
        self.record.clicked.connect(self.record_clicked)
        self.cancel = button("Cancelar", "secondary")
        self.cancel.clicked.connect(self.cancel_clicked)
        lay = QVBoxLayout(self)
        lay.addWidget(self.tries)
        lay.addWidget(self.say)
        lay.addWidget(self.phrase, 2)
        lay.addWidget(self.meter)
        lay.addWidget(self.status)
        row = QHBoxLayout()
        row.addWidget(self.record, 2)
        row.addWidget(self.cancel, 1)
        lay.addLayout(row, 1)

    def show_phrase(self, phrase: Phrase, attempt: int, max_tries: int) -> None:
        self.phrase.setText(phrase_text(phrase))
        self.tries.setText(f"Tentativa {attempt} de {max_tries}")

    def set_state(self, state: str) -> None:
        """'ready', 'listening', 'verifying'. Cancelar stays usable in every state."""
        self.state = state
        self.status.setText(self.TEXTS[state])
        self.record.setEnabled(state == "ready")
        self.cancel.setEnabled(True)
        if state != "listening":
            self.meter.reset()

    def set_countdown(self, seconds: int, paused: bool) -> None:
        if paused:  # "Entrada." heard, the time not yet: the speaker may go on
            self.status.setText(f"Continue: ainda estamos ouvindo... ({seconds} s)")
        else:
            self.status.setText(f"Ouvindo... fale agora ({seconds} s)")


class ResultScreen(QWidget):
    retry = Signal()
    accept = Signal()  # continue to the receipt
    cancelled = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.verdict = label("", "verdict-ok")
        self.heard = label("", "heard")
        self.detail = label("", "subtitle")
        self.retry_button = button("Tentar de novo", "ok")
        self.retry_button.clicked.connect(self.retry)
        self.accept_button = button("Continuar", "ok")
        self.accept_button.clicked.connect(self.accept)
        self.cancel_button = button("Cancelar", "secondary")
        self.cancel_button.clicked.connect(self.cancelled)
        lay = QVBoxLayout(self)
        lay.addStretch(1)
        lay.addWidget(self.verdict)
        lay.addWidget(self.heard)
        lay.addWidget(self.detail)
        lay.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.retry_button, 2)
        row.addWidget(self.accept_button, 2)
        row.addWidget(self.cancel_button, 1)
        lay.addLayout(row, 1)

    def show_result(self, validated: bool, heard: str | None, detail: str, can_retry: bool) -> None:
        """``heard`` None: nothing to report (the check did not finish), not "no speech"."""
        self.verdict.setText("✔  Validado" if validated else "✘  Não validado")
        self.verdict.setProperty("role", "verdict-ok" if validated else "verdict-bad")
        self.verdict.style().polish(self.verdict)
        heard = heard.strip() if heard is not None else None
        if heard is None:
            self.heard.setText("")
        else:
            self.heard.setText(f"Ouvimos: “{heard}”" if heard else "Não ouvimos nenhuma fala.")
        if validated and not detail:  # "Validado" is shown only for a punch on disk
            detail = "Ponto registrado."
        self.detail.setText(detail)
        self.retry_button.setVisible(not validated and can_retry)
        self.accept_button.setVisible(validated or not can_retry)
        self.accept_button.setText("Continuar" if validated else "Registrar para revisão")
        self.cancel_button.setVisible(not validated)


class MessageScreen(QWidget):
    """A failure or a question, explained; never a crash. Up to two actions plus Início.

    A question whose actions record something asks with ``safe=True``: the big green button
    is then "Não, voltar ao início" and the actions are the smaller grey ones, so a hurried tap
    on the obvious button never records what was not meant (the duplicate-punch question)."""

    ok = Signal()
    action = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.title = label("", "verdict-bad")
        self.text = label("", "message")
        self.row = QHBoxLayout()
        self.ok_button = button("Início", "secondary")
        self.ok_button.clicked.connect(self.ok)
        lay = QVBoxLayout(self)
        lay.addStretch(1)
        lay.addWidget(self.title)
        lay.addWidget(self.text)
        lay.addStretch(1)
        lay.addLayout(self.row, 1)
        self._action_buttons: list[QPushButton] = []
        self._actions: list[str] = []

    def action_keys(self) -> list[str]:
        """The keys of the actions on show (not QWidget.actions(), Qt's QAction list)."""
        return list(self._actions)

    def show_message(
        self, title: str, text: str, actions: dict[str, str] | None = None, safe: bool = False
    ) -> None:
        self.title.setText(title)
        self.text.setText(text)
        for b in self._action_buttons:
            self.row.removeWidget(b)
            b.hide()  # out of sight now, not at the next event loop pass (deleteLater)
            b.deleteLater()
        self._action_buttons = []
        self._actions = list(actions or {})
        self.row.removeWidget(self.ok_button)
        self.ok_button.setText("Não, voltar ao início" if safe else "Início")
        self.ok_button.setProperty("role", "ok" if safe else "secondary")
        self.ok_button.style().polish(self.ok_button)
        if safe:
            self.row.addWidget(self.ok_button, 2)
        for key, caption in (actions or {}).items():
            b = button(caption, "secondary" if safe else "ok")
            b.setObjectName(f"action-{key}")
            b.clicked.connect(lambda _=False, k=key: self.action.emit(k))
            self.row.addWidget(b, 1 if safe else 2)
            self._action_buttons.append(b)
        if not safe:
            self.row.addWidget(self.ok_button, 1)


@dataclass(frozen=True)
class PunchScreens:
    """The punch flow's screens, as the PunchController drives them."""

    idle: IdleScreen
    pin: PinScreen
    types: TypeScreen
    challenge: ChallengeScreen
    result: ResultScreen
    receipt: ReceiptScreen
    message: MessageScreen
    receipts: ReceiptsScreen
