"""The punch-flow screens from the phrase on: challenge, verdict, receipt, the worker's own
receipts, messages. They only draw and emit; the PunchController decides what happens next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import ClassVar

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QPushButton, QVBoxLayout, QWidget

from app.core.phrase import Phrase
from app.kiosk.attempt import LABELS, challenge_word
from app.kiosk.screens import IdleScreen, PinScreen, TypeScreen, button, label, masked_cpf
from app.rep.records import Punch
from app.store.receipt import (
    CODE_LABEL,
    MIN_CODE,
    employer,
    hash_lines,
    place,
    qr_payload,
    qr_png,
)
from app.store.settings import LedgerSettings


class FitLabel(QLabel):
    """One line that shrinks its font to fit the width (the phrase never wraps)."""

    def __init__(self, role: str, max_px: int = 96) -> None:
        super().__init__("")
        self.setProperty("role", role)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(False)
        self.max_px = max_px
        self.px = max_px

    def set_max(self, px: int) -> None:
        self.max_px = px
        self.fit()

    def setText(self, text: str) -> None:
        super().setText(text)
        self.fit()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.fit()

    def fit(self) -> None:
        room = max(100, self.width() - 80)  # padding on both sides
        px = self.max_px
        font = QFont(self.font())
        while px > 12:
            font.setPixelSize(px)
            if QFontMetrics(font).horizontalAdvance(self.text()) <= room:
                break
            px -= 2
        if px != self.px or not self.styleSheet():
            self.px = px
            self.setStyleSheet(f"font-size: {px}px;")


class LevelMeter(QWidget):
    """A horizontal bar: green, yellow when loud, with a decaying peak."""

    def __init__(self) -> None:
        super().__init__()
        self.setMinimumHeight(36)
        self.setMaximumHeight(56)
        self.value = 0.0
        self.peak = 0.0

    def set_level(self, value: float) -> None:
        self.value = max(0.0, min(1.0, value))
        self.peak = max(self.value, self.peak * 0.92)
        self.update()

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        r = self.rect().adjusted(2, 2, -2, -2)
        p.fillRect(r, QColor("#1c2f44"))
        w = int(r.width() * self.value)
        color = QColor("#f2c14e") if self.value > 0.8 else QColor("#3ccf7a")
        p.fillRect(r.x(), r.y(), w, r.height(), color)
        px = r.x() + int(r.width() * self.peak)
        p.fillRect(px - 2, r.y(), 4, r.height(), QColor("#ffffff"))
        p.end()


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
            self.meter.set_level(0.0)

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
        self.detail.setText(detail)
        self.retry_button.setVisible(not validated and can_retry)
        self.accept_button.setVisible(validated or not can_retry)
        self.accept_button.setText("Continuar" if validated else "Registrar para revisão")
        self.cancel_button.setVisible(not validated)


def receipt_rows(r: Punch, settings: LedgerSettings) -> list[tuple[str, str]]:
    """What the receipt screen shows: the PDF receipt's employer, place and terminal (the CPF
    masked, on a screen others may see); the hash goes below (``code_text``)."""
    at = datetime.fromisoformat(r.punched_at)
    return [
        ("NSR", f"{r.nsr:09d}"),
        ("Empregador", employer(settings)),
        ("Local", place(settings)),
        ("Terminal", r.kiosk_id),
        ("Trabalhador", r.employee_name),
        ("CPF", masked_cpf(r.cpf)),
        ("Registro", LABELS.get(r.type, r.type)),
        ("Data/hora", at.strftime("%d/%m/%Y %H:%M")),
    ]


def code_text(r: Punch) -> str:
    """The PDF receipt's hash lines, word for word: what `receipt check` takes as typed."""
    return "\n".join((CODE_LABEL, *hash_lines(r)))


class ReceiptScreen(QWidget):
    """A stored punch's receipt. After a punch it counts down to the start ("Voltando ao início
    em 6 s", a second at a time) and a tap anywhere hands the kiosk to the next person in the
    queue (``touched``); opened from the worker's list it waits for Concluir (no countdown)."""

    done = Signal()  # Concluir, or the countdown ran out
    touched = Signal()  # a tap outside Concluir: the next person starts

    def __init__(self) -> None:
        super().__init__()
        self.seconds_left = 0
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._count)
        self.title = label("Comprovante de Registro de Ponto do Trabalhador", "subtitle")
        self.body = QLabel()
        self.body.setProperty("role", "receipt")
        self.body.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.code = QLabel()  # the AFD hash, as on the PDF receipt and in the QR
        self.code.setStyleSheet("font-family: monospace; font-size: 24px; color: #e6edf3;")
        self.code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.flag = label("", "warning")
        self.countdown = label("", "small")
        self.qr = QLabel()  # NSR and hash, for checking the receipt later
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.ok = ok = button("Concluir", "ok")
        ok.clicked.connect(self._done)
        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.body, 4)
        row.addWidget(self.qr, 1)
        row.addStretch(1)
        lay.addLayout(row, 4)
        lay.addWidget(self.code)
        lay.addWidget(self.flag)
        lay.addWidget(self.countdown)
        lay.addWidget(ok, 1)

    def show_receipt(self, r: Punch, settings: LedgerSettings) -> None:
        html = "".join(
            f"<tr><td style='padding-right:24px;color:#4a5d70'>{k}</td>"
            f"<td><b>{escape(v)}</b></td></tr>"
            for k, v in receipt_rows(r, settings)
        )
        self.body.setText(f"<table>{html}</table>")
        self.code.setText(code_text(r))
        pixmap = QPixmap()
        pixmap.loadFromData(qr_png(r, scale=5))
        self.qr.setPixmap(pixmap)
        self.qr.setToolTip(qr_payload(r))
        self.flag.setText(
            "Registrado sem confirmação de voz: enviado para revisão do RH." if r.flagged else ""
        )

    @property
    def counting(self) -> bool:
        return self._timer.isActive()

    def start_countdown(self, seconds: int) -> None:
        """Count down from ``seconds`` (0: no countdown, the receipt waits for Concluir)."""
        self.seconds_left = seconds
        self.countdown.setText(self._countdown_text())
        if seconds > 0:
            self._timer.start()
        else:
            self._timer.stop()

    def _countdown_text(self) -> str:
        if self.seconds_left <= 0:
            return ""
        return f"Voltando ao início em {self.seconds_left} s"

    def _count(self) -> None:
        self.seconds_left -= 1
        self.countdown.setText(self._countdown_text())
        if self.seconds_left <= 0:
            self._done()

    def _done(self) -> None:
        self._timer.stop()
        self.done.emit()

    def stop(self) -> None:
        self._timer.stop()

    def hideEvent(self, event) -> None:
        self._timer.stop()  # another screen is on: nothing counts here any more
        super().hideEvent(event)

    def mousePressEvent(self, event) -> None:
        self._timer.stop()
        self.touched.emit()


class ReceiptsScreen(QWidget):
    """The worker's own punches of the last 48 hours, newest first (after identifying); a tap
    on one opens its receipt with the QR (``opened``, the row's index)."""

    done = Signal()
    opened = Signal(int)

    def __init__(self) -> None:
        super().__init__()
        self.title = label("", "title")
        self.list = QListWidget()
        self.list.setProperty("role", "receipts")
        self.list.itemClicked.connect(lambda item: self.opened.emit(self.list.row(item)))
        self.hint = label("Toque em um registro para ver o comprovante.", "small")
        self.empty = label("Nenhum registro nas últimas 48 horas.", "subtitle")
        back = button("Voltar", "secondary")
        back.clicked.connect(self.done)
        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addWidget(self.empty)
        lay.addWidget(self.list, 5)
        lay.addWidget(self.hint)
        lay.addWidget(back, 1)

    def show_punches(self, name: str, punches: list[Punch]) -> None:
        self.title.setText(f"Registros de {name.split()[0] if name else ''} (últimas 48 h)")
        self.list.clear()
        for p in punches:
            at = datetime.fromisoformat(p.punched_at)
            review = "  — em revisão" if p.flagged else ""
            code = p.afd_hash[:MIN_CODE]  # the receipt's hash, as `receipt check` takes it
            self.list.addItem(f"{at:%d/%m %H:%M}  {LABELS.get(p.type, p.type)}  "
                              f"NSR {p.nsr:09d}  código {code}{review}")  # fmt: skip
        self.empty.setVisible(not punches)
        self.list.setVisible(bool(punches))
        self.hint.setVisible(bool(punches))


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


def start_clock(parent: QWidget, tick, interval_ms: int = 1000) -> QTimer:
    timer = QTimer(parent)
    timer.timeout.connect(tick)
    timer.start(interval_ms)
    return timer


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
