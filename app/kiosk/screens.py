"""The punch-flow screens before the phrase: idle, PIN, type. They only draw and emit; the
PunchController decides what happens next (challenge and after: ``punch_screens.py``)."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
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

from app.kiosk.attempt import LABELS, PUNCH_TYPES

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
        self.notice = label("", "warning")  # a missing microphone, someone locked out
        self.notice.setVisible(False)
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
        lay.addWidget(self.notice)
        lay.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.sync)
        row.addStretch(1)
        row.addWidget(self.admin)
        lay.addLayout(row)

    def set_sync(self, text: str) -> None:
        self.sync.setText(text)
        self.sync.setVisible(bool(text))

    def set_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def set_time(self, now: datetime) -> None:
        self.clock.setText(now.strftime("%H:%M:%S"))  # seconds: the Portaria's collector rule
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

    def set_mode(self, admin: bool) -> None:
        """The admin PIN screen has no badge field (only the admin PIN opens it)."""
        self.title.setText("PIN do administrador" if admin else "Digite seu PIN ou passe o crachá")
        self.badge.setVisible(not admin)

    def reset(self, message: str = "") -> None:
        self._pin = ""
        self.dots.setText("")
        self.badge.clear()
        self.message.setText(message)
        self.badge.setFocus()

    def set_keypad_locked(self, locked: bool) -> None:
        """PIN entry locked (too many different wrong PINs); badges still work."""
        for b in self.keys.values():
            b.setEnabled(not locked)

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
        self.dots.setText("  ".join("●" * len(self._pin)))  # centred: no trailing gap

    def _badge(self) -> None:
        text = self.badge.text().strip()
        self.badge.clear()
        if text:
            self.badge_entered.emit(text)


class TypeScreen(QWidget):
    chosen = Signal(str)
    cancelled = Signal()
    receipts_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.greeting = label("", "title")
        self.hint = label("Escolha o tipo de registro", "subtitle")
        grid = QGridLayout()  # the types and the two small buttons share one set of columns
        grid.setSpacing(16)
        self.buttons: dict[str, QPushButton] = {}
        for i, kind in enumerate(PUNCH_TYPES):
            b = button(LABELS[kind], "type")
            b.clicked.connect(lambda _=False, k=kind: self.chosen.emit(k))
            grid.addWidget(b, i // 2, i % 2)
            self.buttons[kind] = b
        back = button("Voltar", "secondary")
        back.clicked.connect(self.cancelled)
        self.receipts = button("Meus registros (48 h)", "secondary")
        self.receipts.clicked.connect(self.receipts_requested)
        last = (len(PUNCH_TYPES) + 1) // 2
        grid.addWidget(back, last, 0)
        grid.addWidget(self.receipts, last, 1)
        for r in range(last):
            grid.setRowStretch(r, 2)
        grid.setRowStretch(last, 1)
        lay = QVBoxLayout(self)
        lay.addWidget(self.greeting)
        lay.addWidget(self.hint)
        lay.addLayout(grid, 1)

    def show_for(self, greeting: str, suggested: str) -> None:
        """``greeting``: 'Olá, Bruno — última marcação: Entrada 08:02'."""
        self.greeting.setText(greeting)
        for kind, b in self.buttons.items():
            b.setProperty("role", "suggested" if kind == suggested else "type")
            b.setText(LABELS[kind] + ("\n(sugerido)" if kind == suggested else ""))
            b.style().polish(b)
