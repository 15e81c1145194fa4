"""First-run setup: Voltar on every step, employer CNPJ/CPF with check digits, CNO/CAEPF, INPI,
skipping the microphone test with a warning, resuming after a restart where it stopped."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt

from app.store.settings import LedgerSettings


def test_setup_back_skip_mic_employer_and_resume(qtbot, make_kiosk, pv_home):
    win, _clock, _sources = make_kiosk(configured=False)
    s = win.window.setup
    assert s.step == 0 and not s.back.isEnabled()
    s.keyboard_button.click()  # a touch screen: an on-screen keyboard for the fields
    assert s.keyboard.isVisibleTo(s)
    win.window.activateWindow()
    qtbot.waitUntil(win.window.isActiveWindow, timeout=2000)
    qtbot.mouseClick(s.company, Qt.MouseButton.LeftButton)  # a touch on the field
    s.company.clear()
    s.keyboard.press("Maiúsc.")  # a shift: the next letter only
    s.keyboard.press("o")
    s.keyboard.press("k")
    assert s.company.text() == "Ok"
    s.keyboard.press("Apagar")
    s.keyboard.press("Apagar")
    s.company.setText("Oficina do Zé")
    s.company.setText("Oficina do Zé")
    s.kiosk_id.setText("OFICINA-1")
    s.employer_id.setText("11.222.333/0001-82")  # wrong check digit
    s.next.click()
    assert "CNPJ" in s.message.text()
    s.employer_id.setText("11.222.333/0001-81")
    s.cno_caepf.setText("123")
    s.next.click()
    assert "CNO" in s.message.text()
    s.cno_caepf.setText("12.345.67890/12")  # CNO: 12 digits
    s.inpi.setText("12345678901234567")
    s.next.click()
    assert s.step == 1
    s.back.click()
    assert s.step == 0 and s.company.text() == "Oficina do Zé"
    s.next.click()
    s.pin1.setText("9173")
    s.pin2.setText("9173")
    s.next.click()
    assert s.step == 2
    s.next.click()
    assert "Teste o microfone" in s.message.text()
    assert not s.skip_warning.isVisibleTo(s)
    s.skip_mic.setChecked(True)
    assert s.skip_warning.isVisibleTo(s) and "sem o teste" in s.skip_warning.text()
    s.next.click()
    assert s.step == 3
    win.shutdown()

    # A restart resumes at step 4 with what was entered.
    win2, _c, _s = make_kiosk(configured=False)
    assert win2.window.stack.currentWidget() is win2.window.setup
    assert win2.window.setup.step == 3
    win2.window.setup.back.click()
    assert win2.window.setup.step == 2
    win2.window.setup.skip_mic.setChecked(True)
    win2.window.setup.next.click()
    e = win2.window.setup.employee
    e.name.setText("João Pereira")
    e.cpf.setText("529.982.247-25")
    e.pin.setText("9173")  # the admin PIN: refused
    win2.window.setup.next.click()
    assert "igual ao PIN do administrador" in win2.window.setup.message.text()
    e.pin.setText("582146")
    win2.window.setup.next.click()
    assert win2.window.stack.currentWidget() is win2.window.idle, win2.window.setup.message.text()
    data = json.loads((pv_home / "config" / "settings.json").read_text())
    assert data["kiosk"]["setup_step"] == 0
    ledger = LedgerSettings.load(pv_home / "config" / "settings.json")
    assert ledger.employer_id == "11222333000181"
    assert ledger.rep_id == "12345678901234567"
    assert data["ledger"]["cno_caepf"] == "123456789012"
