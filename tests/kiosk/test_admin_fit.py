"""On the real kiosk: every admin form keeps its save button in sight with the on-screen keyboard
open (1024x768, 1366x768), the big Salvar saves the employee typed or says why not (never
"Configurações salvas." for an employee it did not save), and the keyboard types Portuguese names
with a real shift."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

from tests.kiosk.conftest import open_settings

SIZES = ((1024, 768), (1366, 768))


def in_sight(w: QWidget) -> bool:
    """Drawn whole (to a pixel), within the window: not clipped by a scroll area, a squeezed
    layout or the window's edge."""
    if not w.isVisible():
        return False
    whole = w.rect()
    inner = whole.adjusted(2, 2, -2, -2)  # a border pixel under a frame's edge is still in sight
    if not w.visibleRegion().boundingRect().contains(inner):
        return False
    top = w.window()
    at = w.mapTo(top, whole.topLeft())
    return QRect(0, 0, top.width(), top.height()).contains(QRect(at, whole.size()))


def open_admin(qtbot, win, size) -> None:
    win.window.resize(*size)
    win.window.activateWindow()  # a touch on a field moves the focus only in the active window
    qtbot.waitUntil(win.window.isActiveWindow, timeout=2000)
    open_settings(win).keyboard_button.click()
    assert win.window.settings_screen.keyboard.isVisible()
    qtbot.wait(50)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_admin_form_keeps_its_save_in_sight_with_the_keyboard(qtbot, make_kiosk, size):
    win, _clock, _sources = make_kiosk()
    open_admin(qtbot, win, size)
    s = win.window.settings_screen
    for i in range(s.tabs.count()):
        s.tabs.setCurrentIndex(i)
        QApplication.processEvents()
        name = s.tabs.tabText(i)
        assert in_sight(s.save), (name, size)
        own = {"Funcionários": s.employees.save, "Central": s.central.join}.get(name)
        if own is not None:
            assert in_sight(own), (name, size)
        for field in s.tabs.currentWidget().findChildren(QLineEdit):
            if not field.isVisibleTo(s.tabs.currentWidget()):
                continue
            field.setFocus()  # touched: it scrolls into view above the keyboard
            qtbot.wait(10)
            assert field.hasFocus(), (name, size)
            assert in_sight(field), (name, size)
    assert all(in_sight(b) for b in s.keyboard.keys.values()), size


def test_setup_keeps_avancar_in_sight_with_the_keyboard(qtbot, make_kiosk):
    win, _clock, _sources = make_kiosk(configured=False)
    for size in SIZES:
        win.window.resize(*size)
        s = win.window.setup
        if not s.keyboard.isVisible():
            s.keyboard_button.click()
        qtbot.wait(50)
        assert in_sight(s.next) and in_sight(s.company), size


def test_big_salvar_saves_the_employee_typed_or_says_why_not(qtbot, make_kiosk):
    win, _clock, _sources = make_kiosk()
    open_admin(qtbot, win, SIZES[0])
    s = win.window.settings_screen
    s.tabs.setCurrentWidget(s.employees)
    s.employees.new.click()
    s.employees.name.setText("Antônio Simões")
    s.employees.cpf.setText("111.444.777-00")  # wrong check digits
    s.employees.pin.setText("357902")
    s.save.click()
    assert "Funcionário não salvo" in s.message.text() and "CPF" in s.message.text()
    assert "Configurações salvas" not in s.message.text()
    assert "Antônio Simões" not in [e.name for e in win.ledger.list_employees()]
    s.employees.cpf.setText("111.444.777-35")
    s.save.click()
    assert s.message.text() == "Configurações salvas. Funcionário Antônio Simões salvo."
    assert win.punch.service.identify(pin="357902").name == "Antônio Simões"
    s.save.click()  # nothing typed since: the settings only
    assert s.message.text() == "Configurações salvas."


def test_keyboard_types_portuguese_names_with_a_shift(qtbot, make_kiosk):
    win, _clock, _sources = make_kiosk()
    open_admin(qtbot, win, SIZES[1])
    s = win.window.settings_screen
    s.tabs.setCurrentWidget(s.employees)
    field = s.employees.name
    field.setFocus()
    kb = s.keyboard
    for letter in "áàâãéêíóôõúüç,":  # and the comma of an address or a decimal
        assert letter in kb.keys, letter

    def type_word(word: str) -> None:
        for ch in word:
            if ch == " ":
                kb.keys["Espaço"].click()
                continue
            if ch.isupper():
                kb.keys["Maiúsc."].click()  # the next letter only
            kb.keys[ch.lower()].click()

    type_word("Antônio Simões Müller Conceição")
    assert field.text() == "Antônio Simões Müller Conceição"
    kb.keys["Caps Lock"].click()  # until pressed again
    for ch in "sp":
        kb.keys[ch].click()
    kb.keys["Maiúsc."].click()  # with Caps Lock on: one small letter
    kb.keys["a"].click()
    kb.keys["Caps Lock"].click()
    kb.keys["é"].click()
    assert field.text().endswith("SPaé")
    assert kb.keys["a"].text() == "a"
