"""The admin settings screen (draws and emits; the AdminController validates and saves). Its
parts are in ``admin_parts.py``; first-run setup is in ``setup_screen.py``."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.config import COMPUTE_TYPES, EngineOptions
from app.core.errors import br_number
from app.kiosk.admin_form import engine_defaults
from app.kiosk.admin_parts import CentralForm, EmployeeForm, MicTest, form, line, scroll
from app.kiosk.keyboard import OnScreenKeyboard
from app.kiosk.screens import button, label
from app.kiosk.settings import KioskSettings
from app.store.models import Employee


class SettingsScreen(QWidget):
    save_requested = Signal(dict)  # raw form values; the controller parses and validates
    cancelled = Signal()
    quit_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.title = label("Configurações", "title")
        self.message = label("", "error")
        self.tabs = tabs = QTabWidget()
        self.company, self.kiosk_id = line(), line()
        self.employer_id = line(placeholder="CNPJ ou CPF")
        self.cno_caepf = line(placeholder="opcional")
        self.inpi = line(placeholder="opcional")
        self.place = line(placeholder="endereço do trabalho (vai no comprovante)")
        self.admin_pin = line(placeholder="vazio = manter o atual", secret=True)
        tabs.addTab(form([("Empresa", self.company), ("Código do terminal", self.kiosk_id),
                          ("CNPJ/CPF do empregador", self.employer_id),
                          ("CNO/CAEPF", self.cno_caepf), ("Registro no INPI", self.inpi),
                          ("Local da prestação do serviço", self.place),
                          ("Novo PIN de administrador", self.admin_pin)]), "Geral")  # fmt: skip
        self.max_tries, self.idle_seconds, self.screen_timeout = line(), line(), line()
        self.admin_timeout, self.duplicate_minutes, self.volume = line(), line(), line()
        tabs.addTab(form([("Tentativas de voz", self.max_tries),
                          ("Comprovante na tela (s)", self.idle_seconds),
                          ("Telas sem uso voltam ao início após (s)", self.screen_timeout),
                          ("Administração sem uso fecha após (s)", self.admin_timeout),
                          ("Perguntar antes de repetir a marcação (min)", self.duplicate_minutes),
                          ("Volume dos sons (0 a 100)", self.volume)]), "Marcação")  # fmt: skip
        self.mic = MicTest()
        self.sample_rate = line(placeholder="automática")
        tabs.addTab(form([("Microfone", self.mic), ("Taxa de amostragem (Hz)", self.sample_rate)]),
                    "Microfone")  # fmt: skip
        self.endpoint = line(placeholder="https://...")
        self.token = line(secret=True)
        self.sync_on = QCheckBox("Sincronizar com a nuvem")
        tabs.addTab(form([("Endereço", self.endpoint), ("Token", self.token),
                          ("", self.sync_on)]), "Nuvem")  # fmt: skip
        self.retain = QCheckBox("Guardar o áudio das marcações")
        self.retention_days = line()
        tabs.addTab(form([("", self.retain), ("Apagar após (dias)", self.retention_days)]),
                    "Privacidade")  # fmt: skip
        self.employees = EmployeeForm()
        tabs.addTab(self.employees, "Funcionários")  # its fields scroll, its buttons stay
        self.central = CentralForm()
        tabs.addTab(scroll(self.central), "Central")
        self.cpu_threads, self.num_workers = line(), line()
        self.compute_type = QComboBox()
        self.compute_type.addItems(COMPUTE_TYPES)
        self.model_path = line(placeholder="vazio = modelo embutido")
        self.score_margin, self.vad_threshold = line(), line()
        bounds = EngineOptions.bounds()
        tabs.addTab(form([("Para o suporte técnico: mude só se orientado.", QWidget()),
                          (bounds["cpu_threads"].label, self.cpu_threads),
                          (bounds["num_workers"].label, self.num_workers),
                          ("Tipo de cálculo", self.compute_type),
                          ("Pasta do modelo", self.model_path),
                          (bounds["score_margin"].label, self.score_margin),
                          (bounds["vad_threshold"].label, self.vad_threshold)]),
                     "Avançado")  # fmt: skip
        self.keyboard = OnScreenKeyboard()
        self.keyboard.setVisible(False)
        self.keyboard_button = kbd = button("Teclado", "secondary")
        kbd.clicked.connect(lambda: self.keyboard.setVisible(not self.keyboard.isVisible()))
        self.save = save = button("Salvar", "ok")
        save.clicked.connect(lambda: self.save_requested.emit(self.values()))
        cancel = button("Voltar ao início", "secondary")
        cancel.clicked.connect(self.cancelled)
        self.quit = button("Sair do aplicativo", "danger")
        self.quit.clicked.connect(self.quit_requested)
        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addWidget(tabs, 6)
        lay.addWidget(self.message)
        lay.addWidget(self.keyboard, 3)
        row = QHBoxLayout()
        row.addWidget(save, 2)
        row.addWidget(kbd, 1)
        row.addWidget(cancel, 1)
        row.addWidget(self.quit, 1)
        lay.addLayout(row, 1)

    def load(self, s: KioskSettings, devices: list[str], employees: list[Employee]) -> None:
        k, e = s.kiosk, {**engine_defaults(), **s.engine}
        for w, v in ((self.company, k.company), (self.kiosk_id, k.kiosk_id),
                     (self.employer_id, k.employer_id), (self.cno_caepf, k.cno_caepf),
                     (self.inpi, k.inpi), (self.place, k.place), (self.max_tries, k.max_tries),
                     (self.idle_seconds, k.idle_return_seconds),
                     (self.screen_timeout, k.screen_timeout_seconds),
                     (self.admin_timeout, k.admin_timeout_seconds),
                     (self.duplicate_minutes, s.punch.get("duplicate_minutes", 2)),
                     (self.volume, k.volume),
                     (self.sample_rate, k.sample_rate or ""),
                     (self.cpu_threads, e["cpu_threads"]),
                     (self.num_workers, e["num_workers"]),
                     (self.model_path, e.get("model_path", "")),
                     (self.score_margin, e["score_margin"]),
                     (self.vad_threshold, e["vad_threshold"]),
                     (self.endpoint, s.sync.endpoint), (self.token, s.sync.token),
                     (self.retention_days, k.retention_days)):  # fmt: skip
            w.setText(br_number(v) if isinstance(v, float) else str(v))  # 0,5 not 0.5
        self.admin_pin.clear()
        self.mic.set_devices(devices, k.microphone)
        self.compute_type.setCurrentText(str(e.get("compute_type", "int8")))
        self.sync_on.setChecked(s.sync.enabled)
        self.retain.setChecked(k.retain_audio)
        self.employees.set_employees(employees)
        self.message.setText("")

    def values(self) -> dict:
        text = {
            "company": self.company, "kiosk_id": self.kiosk_id, "employer_id": self.employer_id,
            "cno_caepf": self.cno_caepf, "inpi": self.inpi, "place": self.place,
            "max_tries": self.max_tries,
            "idle_return_seconds": self.idle_seconds,
            "screen_timeout_seconds": self.screen_timeout,
            "admin_timeout_seconds": self.admin_timeout,
            "duplicate_minutes": self.duplicate_minutes, "volume": self.volume,
            "sample_rate": self.sample_rate, "cpu_threads": self.cpu_threads,
            "num_workers": self.num_workers, "score_margin": self.score_margin,
            "vad_threshold": self.vad_threshold, "retention_days": self.retention_days,
        }  # fmt: skip
        values: dict = {k: w.text() for k, w in text.items()}
        values.update(
            admin_pin=self.admin_pin.text().strip(),
            microphone=self.mic.current_device(),
            compute_type=self.compute_type.currentText(),
            model_path=self.model_path.text().strip(),
            endpoint=self.endpoint.text().strip(),
            token=self.token.text().strip(),
            sync_enabled=self.sync_on.isChecked(),
            retain_audio=self.retain.isChecked(),
        )
        return values

    def show_message(self, text: str, ok: bool = False) -> None:
        self.message.setText(text)
        self.message.setProperty("role", "ok" if ok else "error")
        self.message.style().polish(self.message)
