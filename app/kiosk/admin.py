"""First-run setup and the admin settings screen (draw and emit; the window validates/saves)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.config import COMPUTE_TYPES
from app.kiosk.ledger import Employee
from app.kiosk.screens import LevelMeter, button, label, masked_cpf
from app.kiosk.settings import KioskSettings


def line(text: str = "", placeholder: str = "", secret: bool = False) -> QLineEdit:
    e = QLineEdit(text)
    e.setPlaceholderText(placeholder)
    if secret:
        e.setEchoMode(QLineEdit.EchoMode.Password)
    return e


class MicTest(QWidget):
    """Microphone picker + 3-second test with a level meter."""

    test_requested = Signal(str)  # device ('' = default)

    def __init__(self) -> None:
        super().__init__()
        self.device = QComboBox()
        self.device.setEditable(True)
        self.meter = LevelMeter()
        self.result = label("", "subtitle")
        self.test = QPushButton("Testar microfone (3 s)")
        self.test.clicked.connect(lambda: self.test_requested.emit(self.current_device()))
        self.passed = False
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.device)
        lay.addWidget(self.test)
        lay.addWidget(self.meter)
        lay.addWidget(self.result)

    def set_devices(self, devices: list[str], current: str) -> None:
        self.device.clear()
        self.device.addItem("(padrão do sistema)", "")
        for d in devices:
            self.device.addItem(d, d)
        i = self.device.findData(current)
        if i < 0 and current:
            self.device.addItem(current, current)
            i = self.device.count() - 1
        self.device.setCurrentIndex(max(0, i))

    def current_device(self) -> str:
        data = self.device.currentData()
        text = self.device.currentText()
        if data is None or (text != self.device.itemText(self.device.currentIndex())):
            return text.strip()
        return str(data)

    def set_running(self, running: bool) -> None:
        self.test.setEnabled(not running)
        if running:
            self.result.setText("Fale algo perto do microfone...")

    def set_result(self, ok: bool, text: str) -> None:
        self.passed = self.passed or ok
        self.result.setText(text)
        self.result.setProperty("role", "ok" if ok else "error")
        self.result.style().polish(self.result)
        self.set_running(False)


class EmployeeForm(QWidget):
    """Employees: list + add/edit/deactivate."""

    save_requested = Signal(object, str)  # Employee, new PIN ('' = keep)

    def __init__(self, compact: bool = False) -> None:
        super().__init__()
        self._employees: list[Employee] = []
        self._current: Employee | None = None
        self.list = QListWidget()
        self.list.currentRowChanged.connect(self._select)
        self.name = line(placeholder="Nome completo")
        self.cpf = line(placeholder="000.000.000-00")
        self.pin = line(placeholder="4 a 8 dígitos (vazio = manter)", secret=True)
        self.badge = line(placeholder="opcional")
        self.active = QCheckBox("Ativo")
        self.active.setChecked(True)
        form = QFormLayout()
        form.addRow("Nome", self.name)
        form.addRow("CPF", self.cpf)
        form.addRow("PIN", self.pin)
        form.addRow("Crachá", self.badge)
        form.addRow("", self.active)
        self.new = QPushButton("Novo")
        self.new.clicked.connect(self.clear)
        self.save = QPushButton("Salvar funcionário")
        self.save.clicked.connect(self._save)
        lay = QHBoxLayout(self)
        if not compact:
            lay.addWidget(self.list, 1)
        right = QVBoxLayout()
        right.addLayout(form)
        row = QHBoxLayout()
        if not compact:
            row.addWidget(self.new)
            row.addWidget(self.save)
        right.addLayout(row)
        right.addStretch(1)
        lay.addLayout(right, 2)
        if compact:
            self.active.hide()

    def set_employees(self, employees: list[Employee]) -> None:
        self._employees = employees
        self.list.blockSignals(True)
        self.list.clear()
        for e in employees:
            state = "" if e.active else "  (inativo)"
            self.list.addItem(f"{e.name} — {masked_cpf(e.cpf)}{state}")
        self.list.blockSignals(False)
        self.clear()

    def clear(self) -> None:
        self._current = None
        for w in (self.name, self.cpf, self.pin, self.badge):
            w.clear()
        self.active.setChecked(True)
        self.list.clearSelection()

    def _select(self, row: int) -> None:
        if not 0 <= row < len(self._employees):
            return
        e = self._employees[row]
        self._current = e
        self.name.setText(e.name)
        self.cpf.setText(e.cpf)
        self.pin.clear()
        self.badge.setText(e.badge)
        self.active.setChecked(e.active)

    def employee(self) -> tuple[Employee, str]:
        base = self._current or Employee(id=0, name="", cpf="")
        cpf = "".join(c for c in self.cpf.text() if c.isdigit())
        e = Employee(
            id=base.id,
            name=" ".join(self.name.text().split()),
            cpf=cpf,
            badge=self.badge.text().strip(),
            active=self.active.isChecked(),
        )
        return e, self.pin.text().strip()

    def _save(self) -> None:
        e, pin = self.employee()
        self.save_requested.emit(e, pin)


class SettingsScreen(QWidget):
    save_requested = Signal(dict)  # raw form values; the window parses and validates
    cancelled = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.title = label("Configurações", "title")
        self.message = label("", "error")
        tabs = QTabWidget()
        self.tabs = tabs
        # Geral
        self.company = line()
        self.kiosk_id = line()
        self.admin_pin = line(placeholder="vazio = manter o atual", secret=True)
        self.max_tries = line()
        self.idle_seconds = line()
        general = QWidget()
        f = QFormLayout(general)
        f.addRow("Empresa", self.company)
        f.addRow("Código do terminal", self.kiosk_id)
        f.addRow("Novo PIN de administrador", self.admin_pin)
        f.addRow("Tentativas de voz", self.max_tries)
        f.addRow("Voltar ao início após (s)", self.idle_seconds)
        tabs.addTab(general, "Geral")
        # Microfone
        self.mic = MicTest()
        self.sample_rate = line(placeholder="0 = padrão do microfone")
        mic = QWidget()
        f = QFormLayout(mic)
        f.addRow("Microfone", self.mic)
        f.addRow("Taxa (Hz)", self.sample_rate)
        tabs.addTab(mic, "Microfone")
        # Motor
        self.cpu_threads = line()
        self.num_workers = line()
        self.compute_type = QComboBox()
        self.compute_type.addItems(COMPUTE_TYPES)
        self.model_path = line(placeholder="vazio = modelo embutido")
        self.score_margin = line()
        self.vad_threshold = line()
        engine = QWidget()
        f = QFormLayout(engine)
        f.addRow("Threads de CPU", self.cpu_threads)
        f.addRow("Workers", self.num_workers)
        f.addRow("Tipo de cálculo", self.compute_type)
        f.addRow("Pasta do modelo", self.model_path)
        f.addRow("Margem de aceitação (nats)", self.score_margin)
        f.addRow("Limiar de voz (VAD)", self.vad_threshold)
        tabs.addTab(engine, "Motor")
        # Nuvem
        self.endpoint = line(placeholder="https://...")
        self.token = line(secret=True)
        self.sync_on = QCheckBox("Sincronizar com a nuvem")
        cloud = QWidget()
        f = QFormLayout(cloud)
        f.addRow("Endereço", self.endpoint)
        f.addRow("Token", self.token)
        f.addRow("", self.sync_on)
        tabs.addTab(cloud, "Nuvem")
        # Privacidade
        self.retain = QCheckBox("Guardar o áudio das marcações")
        self.retention_days = line()
        privacy = QWidget()
        f = QFormLayout(privacy)
        f.addRow("", self.retain)
        f.addRow("Apagar após (dias)", self.retention_days)
        tabs.addTab(privacy, "Privacidade")
        # Funcionários
        self.employees = EmployeeForm()
        tabs.addTab(self.employees, "Funcionários")
        save = button("Salvar", "ok")
        save.clicked.connect(lambda: self.save_requested.emit(self.values()))
        cancel = button("Sair", "secondary")
        cancel.clicked.connect(self.cancelled)
        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addWidget(tabs, 6)
        lay.addWidget(self.message)
        row = QHBoxLayout()
        row.addWidget(save, 2)
        row.addWidget(cancel, 1)
        lay.addLayout(row, 1)

    def load(self, s: KioskSettings, devices: list[str], employees: list[Employee]) -> None:
        from app.core.config import default_threads

        k, e = s.kiosk, s.engine
        self.company.setText(k.company)
        self.kiosk_id.setText(k.kiosk_id)
        self.admin_pin.clear()
        self.max_tries.setText(str(k.max_tries))
        self.idle_seconds.setText(str(k.idle_return_seconds))
        self.mic.set_devices(devices, k.microphone)
        self.sample_rate.setText(str(k.sample_rate))
        self.cpu_threads.setText(str(e.get("cpu_threads", default_threads())))
        self.num_workers.setText(str(e.get("num_workers", 1)))
        self.compute_type.setCurrentText(str(e.get("compute_type", "int8")))
        self.model_path.setText(str(e.get("model_path", "")))
        self.score_margin.setText(str(e.get("score_margin", 3.0)))
        self.vad_threshold.setText(str(e.get("vad_threshold", 0.5)))
        self.endpoint.setText(s.sync.endpoint)
        self.token.setText(s.sync.token)
        self.sync_on.setChecked(s.sync.enabled)
        self.retain.setChecked(k.retain_audio)
        self.retention_days.setText(str(k.retention_days))
        self.employees.set_employees(employees)
        self.message.setText("")

    def values(self) -> dict:
        return {
            "company": self.company.text(),
            "kiosk_id": self.kiosk_id.text(),
            "admin_pin": self.admin_pin.text().strip(),
            "max_tries": self.max_tries.text(),
            "idle_return_seconds": self.idle_seconds.text(),
            "microphone": self.mic.current_device(),
            "sample_rate": self.sample_rate.text(),
            "cpu_threads": self.cpu_threads.text(),
            "num_workers": self.num_workers.text(),
            "compute_type": self.compute_type.currentText(),
            "model_path": self.model_path.text().strip(),
            "score_margin": self.score_margin.text(),
            "vad_threshold": self.vad_threshold.text(),
            "endpoint": self.endpoint.text().strip(),
            "token": self.token.text().strip(),
            "sync_enabled": self.sync_on.isChecked(),
            "retain_audio": self.retain.isChecked(),
            "retention_days": self.retention_days.text(),
        }

    def show_message(self, text: str, ok: bool = False) -> None:
        self.message.setText(text)
        self.message.setProperty("role", "ok" if ok else "error")
        self.message.style().polish(self.message)


class SetupScreen(QWidget):
    """First run: company + kiosk id, admin PIN, microphone test, first employee."""

    step_submitted = Signal(int, dict)

    STEPS = ("Empresa", "PIN do administrador", "Microfone", "Primeiro funcionário")

    def __init__(self) -> None:
        super().__init__()
        self.title = label("", "title")
        self.message = label("", "error")
        self.pages = QStackedWidget()
        self.company = line(placeholder="Razão social ou nome fantasia")
        self.kiosk_id = line("01", placeholder="ex.: RECEPCAO-01")
        p = QWidget()
        f = QFormLayout(p)
        f.addRow("Empresa", self.company)
        f.addRow("Código do terminal", self.kiosk_id)
        self.pages.addWidget(p)
        self.pin1 = line(placeholder="4 a 8 dígitos", secret=True)
        self.pin2 = line(placeholder="repita", secret=True)
        p = QWidget()
        f = QFormLayout(p)
        f.addRow("PIN do administrador", self.pin1)
        f.addRow("Confirme o PIN", self.pin2)
        self.pages.addWidget(p)
        self.mic = MicTest()
        self.pages.addWidget(self.mic)
        self.employee = EmployeeForm(compact=True)
        self.employee.pin.setPlaceholderText("4 a 8 dígitos")
        self.pages.addWidget(self.employee)
        self.next = button("Avançar", "ok")
        self.next.clicked.connect(self._submit)
        lay = QVBoxLayout(self)
        lay.addWidget(label("Bem-vindo ao PontoVoz", "subtitle"))
        lay.addWidget(self.title)
        lay.addWidget(self.pages, 4)
        lay.addWidget(self.message)
        lay.addWidget(self.next, 1)
        self.go(0)

    @property
    def step(self) -> int:
        return self.pages.currentIndex()

    def go(self, step: int) -> None:
        self.pages.setCurrentIndex(step)
        self.title.setText(f"Passo {step + 1} de {len(self.STEPS)}: {self.STEPS[step]}")
        self.next.setText("Concluir" if step == len(self.STEPS) - 1 else "Avançar")
        self.message.setText("")

    def show_error(self, text: str) -> None:
        self.message.setText(text)

    def _submit(self) -> None:
        step = self.step
        if step == 0:
            values = {"company": self.company.text(), "kiosk_id": self.kiosk_id.text()}
        elif step == 1:
            values = {"pin1": self.pin1.text(), "pin2": self.pin2.text()}
        elif step == 2:
            values = {"microphone": self.mic.current_device(), "passed": self.mic.passed}
        else:
            e, pin = self.employee.employee()
            values = {"employee": e, "pin": pin}
        self.step_submitted.emit(step, values)
