"""The receipt screens: a stored punch's receipt (the PDF receipt's rows, hash and QR) and the
worker's own punches of the last 48 hours. They only draw and emit."""

from __future__ import annotations

from datetime import datetime
from html import escape

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QListWidget, QVBoxLayout, QWidget

from app.kiosk.attempt import LABELS
from app.kiosk.screens import button, label, masked_cpf
from app.rep.records import Punch
from app.store.receipt import (
    CODE_LABEL,
    MIN_CODE,
    employer,
    employer_document,
    hash_lines,
    place,
    qr_payload,
    qr_png,
    rep_p,
)
from app.store.settings import LedgerSettings


def receipt_rows(r: Punch, settings: LedgerSettings) -> list[tuple[str, str]]:
    """What the receipt screen shows: the PDF receipt's rows (Portaria 671: employer name and
    CNPJ/CPF, place, REP-P, worker name and CPF, date and time, NSR), the CPF masked on a
    screen others may see; the hash goes below (``code_text``)."""
    at = datetime.fromisoformat(r.punched_at)
    return [
        ("NSR", f"{r.nsr:09d}"),
        ("Empregador", employer(settings)),
        ("CNPJ/CPF", employer_document(settings)),
        ("Local", place(settings)),
        ("REP-P", rep_p(settings)),
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
        self.body.setWordWrap(True)  # a long company name or place wraps inside the card
        self.body.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.code = QLabel()  # the AFD hash, as on the PDF receipt and in the QR
        self.code.setProperty("role", "receipt-code")
        self.code.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.flag = label("", "warning")
        self.countdown = label("", "small")
        self.qr = QLabel()  # NSR and hash, for checking the receipt later
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.ok = ok = button("Concluir", "ok")
        ok.clicked.connect(self._done)
        # One card, as on paper: the rows and the QR side by side, the hash under both.
        card = QFrame()
        card.setProperty("role", "receipt")
        grid = QGridLayout(card)
        grid.setContentsMargins(32, 20, 32, 20)
        grid.setHorizontalSpacing(32)
        grid.addWidget(self.body, 0, 0)
        grid.addWidget(self.qr, 0, 1)
        grid.addWidget(self.code, 1, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addStretch(1)
        lay.addWidget(card, 0, Qt.AlignmentFlag.AlignHCenter)
        lay.addStretch(1)
        lay.addWidget(self.flag)
        lay.addWidget(self.countdown)
        lay.addWidget(ok)

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
