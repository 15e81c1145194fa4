"""First-run setup: company and employer, admin PIN, microphone test (or skip it), first
employee. Voltar on every step; the AdminController saves after each step so a restart resumes
where it stopped."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.kiosk.admin_parts import EmployeeForm, MicTest, field_label, line, scroll
from app.kiosk.keyboard import OnScreenKeyboard
from app.kiosk.screens import button, label
from app.kiosk.settings import KioskSection


class SetupScreen(QWidget):
    step_submitted = Signal(int, dict)
    back_requested = Signal()

    STEPS = ("Empresa", "PIN do administrador", "Microfone", "Primeiro funcionário")

    def __init__(self) -> None:
        super().__init__()
        self.title = label("", "title")
        self.message = label("", "error")
        self.pages = QStackedWidget()
        self.company = line(placeholder="Razão social ou nome fantasia")
        self.kiosk_id = line("01", placeholder="ex.: RECEPCAO-01")
        self.employer_id = line(placeholder="CNPJ ou CPF (para o comprovante e o AFD)")
        self.cno_caepf = line(placeholder="opcional")
        self.inpi = line(placeholder="opcional")
        self.place = line(placeholder="endereço do trabalho (vai no comprovante)")
        p = QWidget()
        f = QFormLayout(p)
        f.addRow(field_label("Empresa"), self.company)
        f.addRow(field_label("Código do terminal"), self.kiosk_id)
        f.addRow(field_label("CNPJ/CPF do empregador"), self.employer_id)
        f.addRow(field_label("CNO/CAEPF"), self.cno_caepf)
        f.addRow(field_label("Registro no INPI"), self.inpi)
        f.addRow(field_label("Local"), self.place)
        self.pages.addWidget(scroll(p))
        self.pin1 = line(placeholder="4 a 8 dígitos", secret=True)
        self.pin2 = line(placeholder="repita", secret=True)
        p = QWidget()
        f = QFormLayout(p)
        f.addRow(field_label("PIN do administrador"), self.pin1)
        f.addRow(field_label("Confirme o PIN"), self.pin2)
        self.pages.addWidget(scroll(p))
        p = QWidget()
        mic_lay = QVBoxLayout(p)
        self.mic = MicTest()
        self.skip_mic = QCheckBox("Pular teste do microfone")
        self.skip_warning = label(
            "Atenção: sem o teste, o primeiro funcionário pode descobrir que o microfone não "
            "funciona. Teste depois em Administração > Microfone.",
            "warning",
        )
        self.skip_warning.setVisible(False)
        self.skip_mic.toggled.connect(self.skip_warning.setVisible)
        mic_lay.addWidget(self.mic)
        mic_lay.addWidget(self.skip_mic)
        mic_lay.addWidget(self.skip_warning)
        mic_lay.addStretch(1)  # stacked at the top: no gaps that move when the warning shows
        self.pages.addWidget(scroll(p))
        self.employee = EmployeeForm(compact=True)
        self.employee.pin.setPlaceholderText("6 a 8 dígitos")
        self.pages.addWidget(scroll(self.employee))
        self.keyboard = OnScreenKeyboard()
        self.keyboard.setVisible(False)
        self.keyboard_button = button("Teclado", "secondary")
        self.keyboard_button.clicked.connect(
            lambda: self.keyboard.setVisible(not self.keyboard.isVisible())
        )
        self.back = button("Voltar", "secondary")
        self.back.clicked.connect(self.back_requested)
        self.next = button("Avançar", "ok")
        self.next.clicked.connect(self._submit)
        lay = QVBoxLayout(self)
        lay.addWidget(label("Bem-vindo ao PontoVoz", "subtitle"))
        lay.addWidget(self.title)
        lay.addWidget(self.pages, 4)
        lay.addWidget(self.message)
        lay.addWidget(self.keyboard, 3)
        row = QHBoxLayout()
        row.addWidget(self.back, 1)
        row.addWidget(self.keyboard_button, 1)
        row.addWidget(self.next, 2)
        lay.addLayout(row, 1)
        self.go(0)

    @property
    def step(self) -> int:
        return self.pages.currentIndex()

    def load(self, k: KioskSection) -> None:
        """Fill the fields from a saved draft (resume)."""
        if k.company:
            self.company.setText(k.company)
        if k.kiosk_id:
            self.kiosk_id.setText(k.kiosk_id)
        self.employer_id.setText(k.employer_id)
        self.cno_caepf.setText(k.cno_caepf)
        self.inpi.setText(k.inpi)
        self.place.setText(k.place)

    def go(self, step: int) -> None:
        self.pages.setCurrentIndex(step)
        self.title.setText(f"Passo {step + 1} de {len(self.STEPS)}: {self.STEPS[step]}")
        self.next.setText("Concluir" if step == len(self.STEPS) - 1 else "Avançar")
        self.back.setEnabled(step > 0)
        self.keyboard_button.setVisible(step != 2)
        if step == 2:
            self.keyboard.setVisible(False)
        self.message.setText("")

    def show_error(self, text: str) -> None:
        self.message.setText(text)

    def _submit(self) -> None:
        step = self.step
        values: dict[str, object]
        if step == 0:
            values = {"company": self.company.text(), "kiosk_id": self.kiosk_id.text(),
                      "employer_id": self.employer_id.text(), "cno_caepf": self.cno_caepf.text(),
                      "inpi": self.inpi.text(), "place": self.place.text()}  # fmt: skip
        elif step == 1:
            values = {"pin1": self.pin1.text(), "pin2": self.pin2.text()}
        elif step == 2:
            values = {"microphone": self.mic.current_device(), "passed": self.mic.passed,
                      "skipped": self.skip_mic.isChecked()}  # fmt: skip
        else:
            _id, fields, pin = self.employee.employee()
            values = {"employee": fields, "pin": pin}
        self.step_submitted.emit(step, values)
