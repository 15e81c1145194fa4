"""The parts of the admin screens, shared by the settings screen (``admin.py``) and first-run
setup (``setup_screen.py``): the microphone picker and test, the employee form, the Central form,
and pages that scroll to the field being typed into."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.kiosk.screens import label, masked_cpf
from app.kiosk.widgets import LevelMeter
from app.rep.cpf import format_cpf
from app.store.models import Employee


def line(text: str = "", placeholder: str = "", secret: bool = False) -> QLineEdit:
    e = QLineEdit(text)
    e.setPlaceholderText(placeholder)
    if secret:
        e.setEchoMode(QLineEdit.EchoMode.Password)
    return e


def field_label(text: str) -> QLabel:
    """A form row's label, as tall as a field (style role "field"): QFormLayout gives a label
    only 7/4 of its text height, top-aligned, so the words sat above the field's own text."""
    lab = QLabel(text)
    lab.setProperty("role", "field")
    return lab


def friendly_device(name: str) -> str:
    """A microphone name a person understands ('pulse' -> 'Som do sistema (PulseAudio)')."""
    known = {
        "pulse": "Som do sistema (PulseAudio)",
        "default": "Padrão do sistema",
        "sysdefault": "Padrão do sistema (ALSA)",
        "pipewire": "Som do sistema (PipeWire)",
    }
    if name in known:
        return known[name]
    base = name.split(" (hw:")[0].split(": ")
    return base[0] if len(base) == 1 or base[0] == base[1] else f"{base[0]} — {base[1]}"


class MicTest(QWidget):
    """Microphone picker (whole field opens the list) + 3-second test with a level meter."""

    test_requested = Signal(str)  # device ('' = default)

    def __init__(self) -> None:
        super().__init__()
        self.device = QComboBox()
        self.device.setEditable(False)
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
        self.device.addItem("Padrão do sistema", "")
        for d in devices:
            self.device.addItem(friendly_device(d), d)
        i = self.device.findData(current)
        if i < 0 and current:
            self.device.addItem(friendly_device(current), current)
            i = self.device.count() - 1
        self.device.setCurrentIndex(max(0, i))

    def current_device(self) -> str:
        return str(self.device.currentData() or "")

    def set_running(self, running: bool) -> None:
        self.test.setEnabled(not running)
        if running:
            self.result.setText("Fale algo perto do microfone...")

    def set_result(self, ok: bool, text: str) -> None:
        self.passed = self.passed or ok
        self.result.setText(text)
        self.result.setProperty("role", "ok" if ok else "error")
        self.result.style().polish(self.result)
        self.meter.reset()  # the words say the level measured; a decayed peak would not
        self.set_running(False)


NEW_BADGE = "opcional: passe o crachá no leitor"  # what a new employee's badge field asks


class EmployeeForm(QWidget):
    """Employees: list + add/edit/deactivate. The badge is write-only; its state is shown."""

    save_requested = Signal(int, dict, str)  # employee id (0 = new), fields, new PIN ('' = keep)

    def __init__(self, compact: bool = False) -> None:
        super().__init__()
        self._employees: list[Employee] = []
        self._current: Employee | None = None
        self.list = QListWidget()
        self.list.currentRowChanged.connect(self._select)
        self.name = line(placeholder="Nome completo")
        self.cpf = line(placeholder="000.000.000-00")
        self.pin = line(placeholder="6 a 8 dígitos (vazio = manter)", secret=True)
        self.badge = line(placeholder=NEW_BADGE)
        self.active = QCheckBox("Ativo")
        self.active.setChecked(True)
        form = QFormLayout()
        for text, field in (("Nome", self.name), ("CPF", self.cpf), ("PIN", self.pin),
                            ("Crachá", self.badge), ("", self.active)):  # fmt: skip
            form.addRow(field_label(text), field)
        self.new = QPushButton("Novo")
        self.new.clicked.connect(self.clear)
        self.save = QPushButton("Salvar funcionário")
        self.save.clicked.connect(self._save)
        lay = QHBoxLayout(self)
        if compact:  # first-run setup: its own Avançar saves; the page scrolls as a whole
            lay.addLayout(form, 2)
            self.active.hide()
            return
        lay.addWidget(self.list, 1)
        page = QWidget()
        fields = QVBoxLayout(page)
        fields.addLayout(form)
        fields.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(scroll(page), 1)  # the fields scroll; the buttons below always show
        row = QHBoxLayout()
        row.addWidget(self.new)
        row.addWidget(self.save)
        right.addLayout(row)
        lay.addLayout(right, 2)

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
        self.badge.setPlaceholderText(NEW_BADGE)
        self.active.setChecked(True)
        self.list.clearSelection()

    def _select(self, row: int) -> None:
        if not 0 <= row < len(self._employees):
            return
        e = self._employees[row]
        self._current = e
        self.name.setText(e.name)
        self.cpf.setText(format_cpf(e.cpf))  # as the placeholder writes it: 000.000.000-00
        self.pin.clear()
        self.badge.clear()
        self.badge.setPlaceholderText(
            "crachá cadastrado (vazio = manter)" if e.has_badge else "sem crachá cadastrado"
        )
        self.active.setChecked(e.active)

    def dirty(self) -> bool:
        """Something typed that "Salvar funcionário" would store (the big Salvar saves it)."""
        e = self._current
        if self.pin.text().strip() or self.badge.text().strip():
            return True
        if e is None:
            return bool(self.name.text().strip() or self.cpf.text().strip())
        return (
            " ".join(self.name.text().split()) != e.name
            or "".join(c for c in self.cpf.text() if c.isdigit()) != e.cpf
            or self.active.isChecked() != e.active
        )

    def employee(self) -> tuple[int, dict, str]:
        emp_id = self._current.id if self._current else 0
        fields = {
            "name": self.name.text(),
            "cpf": self.cpf.text(),
            "badge": self.badge.text().strip(),
            "active": self.active.isChecked(),
        }
        return emp_id, fields, self.pin.text().strip()

    def _save(self) -> None:
        self.save_requested.emit(*self.employee())


class CentralForm(QWidget):
    """PontoVoz Central: address + one-time code to join, and what the kiosk knows of it."""

    join_requested = Signal(str, str)  # url, one-time code

    def __init__(self) -> None:
        super().__init__()
        self.url = line(placeholder="http://central:8090")
        self.code = line(placeholder="ex.: K7QM-3XRT-9PWA")
        self.join = QPushButton("Ligar à Central")
        self.join.clicked.connect(
            lambda: self.join_requested.emit(self.url.text().strip(), self.code.text().strip())
        )
        self.status = label("", "subtitle")
        f = QFormLayout()
        f.addRow(field_label("Endereço da Central"), self.url)
        f.addRow(field_label("Código de cadastro"), self.code)
        f.addRow(field_label(""), self.join)
        lay = QVBoxLayout(self)
        lay.addLayout(f)
        lay.addWidget(self.status)
        lay.addStretch(1)

    def set_status(self, lines: list[str]) -> None:
        self.status.setText("\n".join(lines))


class FollowFocusArea(QScrollArea):
    """A scroll area that brings the field being typed into into view (the on-screen keyboard
    takes half the screen: the field touched must not hide behind it)."""

    def __init__(self, page: QWidget) -> None:
        super().__init__()
        self.setWidget(page)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        app = QApplication.instance()
        if isinstance(app, QApplication):  # a QCoreApplication has no focus
            app.focusChanged.connect(self._follow)

    def _follow(self, _old, new) -> None:
        page = self.widget()
        if new is not None and page is not None and page.isAncestorOf(new):
            self._ensure(new)
            # again once pending layouts ran (the keyboard just opened, the scale changed)
            QTimer.singleShot(0, lambda: self._ensure(new))

    def _ensure(self, field: QWidget) -> None:
        page = self.widget()
        if not field.hasFocus() or page is None:
            return
        top = field.mapTo(page, QPoint(0, 0))
        half = field.height() // 2
        self.ensureVisible(top.x() + field.width() // 2, top.y() + half, 8, half + 8)


def scroll(page: QWidget) -> QScrollArea:
    """A page that scrolls instead of squashing its fields when the keyboard takes room."""
    return FollowFocusArea(page)


def form(rows: list[tuple[str, QWidget]]) -> QScrollArea:
    page = QWidget()
    f = QFormLayout(page)
    for text, widget in rows:
        f.addRow(field_label(text), widget)
    return scroll(page)
