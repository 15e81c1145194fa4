"""The punch-flow screens. They only draw and emit; the window decides what happens next."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.core.punch_types import CODES as PUNCH_TYPES
from app.core.punch_types import LABELS
from app.store.models import Punch

WEEKDAYS = ("segunda-feira", "terça-feira", "quarta-feira", "quinta-feira", "sexta-feira",
            "sábado", "domingo")  # fmt: skip
MONTHS = ("janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto",
          "setembro", "outubro", "novembro", "dezembro")  # fmt: skip


def long_date(now: datetime) -> str:
    return f"{WEEKDAYS[now.weekday()]}, {now.day} de {MONTHS[now.month - 1]} de {now.year}"


def masked_cpf(cpf: str) -> str:
    d = "".join(c for c in cpf if c.isdigit()).rjust(11, "0")
    return f"***.{d[3:6]}.{d[6:9]}-**"


def label(text: str = "", role: str = "", wrap: bool = True) -> QLabel:
    lab = QLabel(text)
    lab.setAlignment(Qt.AlignmentFlag.AlignCenter)
    lab.setWordWrap(wrap)
    if role:
        lab.setProperty("role", role)
    return lab


def button(text: str, role: str = "") -> QPushButton:
    b = QPushButton(text)
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # touch screen: the badge field keeps the keyboard
    b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
    if role:
        b.setProperty("role", role)
    return b


class IdleScreen(QWidget):
    touched = Signal()
    admin_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.company = label("", "company")
        self.clock = label("--:--", "clock")
        self.date = label("", "date")
        self.status = label("Preparando...", "status")
        self.sync = QLabel("")  # "Sincronização: 3 pendentes", only when sync is on
        self.sync.setProperty("role", "small")
        self.sync.setVisible(False)
        self.admin = QPushButton("⚙  Administração")
        self.admin.setProperty("role", "small")
        self.admin.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.admin.clicked.connect(self.admin_requested)
        lay = QVBoxLayout(self)
        lay.addWidget(self.company)
        lay.addStretch(1)
        lay.addWidget(self.clock)
        lay.addWidget(self.date)
        lay.addStretch(1)
        lay.addWidget(self.status)
        lay.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.sync)
        row.addStretch(1)
        row.addWidget(self.admin)
        lay.addLayout(row)

    def set_sync(self, text: str) -> None:
        self.sync.setText(text)
        self.sync.setVisible(bool(text))

    def set_time(self, now: datetime) -> None:
        self.clock.setText(now.strftime("%H:%M"))
        self.date.setText(long_date(now))

    def set_status(self, text: str, role: str = "status") -> None:
        self.status.setText(text)
        self.status.setProperty("role", role)
        self.status.style().polish(self.status)

    def mousePressEvent(self, event) -> None:
        self.touched.emit()


class PinScreen(QWidget):
    """Keypad PIN entry plus a badge / keyboard-wedge field (digits then Enter)."""

    pin_entered = Signal(str)
    badge_entered = Signal(str)
    cancelled = Signal()

    def __init__(self, title: str = "Digite seu PIN ou passe o crachá") -> None:
        super().__init__()
        self._pin = ""
        self.title = label(title, "title")
        self.dots = label("", "dots")
        self.message = label("", "error")
        self.badge = QLineEdit()
        self.badge.setPlaceholderText("Crachá")
        self.badge.setProperty("role", "badge")
        self.badge.setEchoMode(QLineEdit.EchoMode.Password)
        self.badge.returnPressed.connect(self._badge)
        pad = QGridLayout()
        pad.setSpacing(12)
        keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "Limpar", "0", "OK"]
        self.keys: dict[str, QPushButton] = {}
        for i, key in enumerate(keys):
            role = "ok" if key == "OK" else ("secondary" if key == "Limpar" else "key")
            b = button(key, role)
            b.clicked.connect(lambda _=False, k=key: self.press(k))
            pad.addWidget(b, i // 3, i % 3)
            self.keys[key] = b
        self.back = button("Voltar", "secondary")
        self.back.clicked.connect(self.cancelled)
        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addWidget(self.dots)
        lay.addWidget(self.message)
        row = QHBoxLayout()
        row.addStretch(1)
        holder = QVBoxLayout()
        holder.addLayout(pad, 5)
        holder.addWidget(self.back, 1)
        holder.addWidget(self.badge)
        row.addLayout(holder, 2)
        row.addStretch(1)
        lay.addLayout(row, 1)

    def reset(self, message: str = "") -> None:
        self._pin = ""
        self.dots.setText("")
        self.badge.clear()
        self.message.setText(message)
        self.badge.setFocus()

    def set_locked(self, locked: bool, message: str = "") -> None:
        for b in self.keys.values():
            b.setEnabled(not locked)
        self.badge.setEnabled(not locked)
        self.message.setText(message)

    def press(self, key: str) -> None:
        if key == "Limpar":
            self._pin = ""
        elif key == "OK":
            if self._pin:
                pin, self._pin = self._pin, ""
                self.dots.setText("")
                self.pin_entered.emit(pin)
            return
        elif len(self._pin) < 8:
            self._pin += key
        self.dots.setText("●  " * len(self._pin))

    def _badge(self) -> None:
        text = self.badge.text().strip()
        self.badge.clear()
        if text:
            self.badge_entered.emit(text)


class TypeScreen(QWidget):
    chosen = Signal(str)
    cancelled = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.greeting = label("", "title")
        self.hint = label("Escolha o tipo de registro", "subtitle")
        grid = QGridLayout()
        grid.setSpacing(16)
        self.buttons: dict[str, QPushButton] = {}
        for i, kind in enumerate(PUNCH_TYPES):
            b = button(LABELS[kind], "type")
            b.clicked.connect(lambda _=False, k=kind: self.chosen.emit(k))
            grid.addWidget(b, i // 2, i % 2)
            self.buttons[kind] = b
        back = button("Voltar", "secondary")
        back.clicked.connect(self.cancelled)
        lay = QVBoxLayout(self)
        lay.addWidget(self.greeting)
        lay.addWidget(self.hint)
        lay.addLayout(grid, 4)
        lay.addWidget(back, 1)

    def show_for(self, name: str, suggested: str) -> None:
        self.greeting.setText(f"Olá, {name.split()[0] if name else ''}!")
        for kind, b in self.buttons.items():
            b.setProperty("role", "suggested" if kind == suggested else "type")
            b.setText(LABELS[kind] + ("\n(sugerido)" if kind == suggested else ""))
            b.style().polish(b)


class LevelMeter(QWidget):
    """A horizontal bar: green, yellow when loud, with a decaying peak."""

    def __init__(self) -> None:
        super().__init__()
        self.setMinimumHeight(44)
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


class ChallengeScreen(QWidget):
    record_clicked = Signal()
    cancel_clicked = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.tries = label("", "subtitle")
        self.say = label("Diga:", "subtitle")
        self.phrase = label("", "phrase")
        self.meter = LevelMeter()
        self.status = label("Toque em Falar e diga a frase acima", "status")
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

    def show_phrase(self, phrase_text: str, attempt: int, max_tries: int) -> None:
        self.phrase.setText(phrase_text)
        self.tries.setText(f"Tentativa {attempt} de {max_tries}")

    def set_state(self, state: str) -> None:
        """'ready', 'listening', 'verifying'."""
        texts = {
            "ready": "Toque em Falar e diga a frase acima",
            "listening": "Ouvindo... fale agora",
            "verifying": "Verificando...",
        }
        self.status.setText(texts[state])
        self.record.setEnabled(state == "ready")
        self.cancel.setEnabled(state != "verifying")
        if state != "listening":
            self.meter.set_level(0.0)


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

    def show_result(self, validated: bool, heard: str, detail: str, can_retry: bool) -> None:
        self.verdict.setText("✔  Validado" if validated else "✘  Não validado")
        self.verdict.setProperty("role", "verdict-ok" if validated else "verdict-bad")
        self.verdict.style().polish(self.verdict)
        heard = heard.strip()
        self.heard.setText(f"Ouvimos: “{heard}”" if heard else "Não ouvimos nenhuma fala.")
        self.detail.setText(detail)
        self.retry_button.setVisible(not validated and can_retry)
        self.accept_button.setVisible(validated or not can_retry)
        self.accept_button.setText("Continuar" if validated else "Registrar para revisão")
        self.cancel_button.setVisible(not validated)


class ReceiptScreen(QWidget):
    done = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.title = label("Comprovante de Registro de Ponto do Trabalhador", "subtitle")
        self.body = QLabel()
        self.body.setProperty("role", "receipt")
        self.body.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.flag = label("", "warning")
        self.countdown = label("", "small")
        ok = button("Concluir", "ok")
        ok.clicked.connect(self.done)
        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.body, 4)
        row.addStretch(1)
        lay.addLayout(row, 4)
        lay.addWidget(self.flag)
        lay.addWidget(self.countdown)
        lay.addWidget(ok, 1)

    def show_receipt(self, r: Punch, company: str, kiosk_id: str) -> None:
        at = datetime.fromisoformat(r.punched_at)
        rows = [
            ("NSR", f"{r.nsr:09d}"),
            ("Empregador", company),
            ("Local", f"Terminal {kiosk_id}"),
            ("Trabalhador", r.employee_name),
            ("CPF", masked_cpf(r.cpf)),
            ("Registro", f"{LABELS.get(r.type, r.type)}"),
            ("Data/hora", at.strftime("%d/%m/%Y %H:%M")),
            ("Código", r.short_hash),
        ]
        html = "".join(
            f"<tr><td style='padding-right:24px;color:#9fb3c8'>{k}</td><td><b>{v}</b></td></tr>"
            for k, v in rows
        )
        self.body.setText(f"<table>{html}</table>")
        self.flag.setText(
            "Registrado sem confirmação de voz: enviado para revisão do RH." if r.flagged else ""
        )


class MessageScreen(QWidget):
    """A failure, explained; never a crash. Up to two actions plus OK."""

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

    def show_message(self, title: str, text: str, actions: dict[str, str] | None = None) -> None:
        self.title.setText(title)
        self.text.setText(text)
        for b in self._action_buttons:
            self.row.removeWidget(b)
            b.deleteLater()
        self._action_buttons = []
        self.row.removeWidget(self.ok_button)
        for key, caption in (actions or {}).items():
            b = button(caption, "ok")
            b.setObjectName(f"action-{key}")
            b.clicked.connect(lambda _=False, k=key: self.action.emit(k))
            self.row.addWidget(b, 2)
            self._action_buttons.append(b)
        self.row.addWidget(self.ok_button, 1)


def start_clock(parent: QWidget, tick, interval_ms: int = 1000) -> QTimer:
    timer = QTimer(parent)
    timer.timeout.connect(tick)
    timer.start(interval_ms)
    return timer
