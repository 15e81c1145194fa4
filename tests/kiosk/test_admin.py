"""First-run setup, PIN lockout, admin settings (persisted, hashed PIN, bad values refused)."""

from __future__ import annotations

import json

from app.kiosk.settings import SettingsStore
from app.punch.pins import check_admin_pin
from app.store.alerts import unsent_alerts
from tests.kiosk.conftest import (
    ADMIN_PIN,
    BADGE,
    clip_source,
    enter_pin,
    new_employee_form,
    open_settings,
)


def test_first_run_setup_then_punch_ready(qtbot, make_kiosk, make_clip, pv_home):
    win, _clock, sources = make_kiosk(configured=False)
    assert win.window.stack.currentWidget() is win.window.setup
    s = win.window.setup
    s.company.setText("")
    s.next.click()
    assert "empresa" in s.message.text()
    s.company.setText("Oficina do Zé")
    s.kiosk_id.setText("OFICINA-1")
    s.next.click()
    assert s.step == 1
    s.pin1.setText("1234")  # a default-looking PIN is refused
    s.pin2.setText("1234")
    s.next.click()
    assert "fácil" in s.message.text()
    s.pin1.setText("9173")
    s.pin2.setText("9137")
    s.next.click()
    assert "iguais" in s.message.text()
    s.pin2.setText("9173")
    s.next.click()
    assert s.step == 2
    s.next.click()
    assert "Teste o microfone" in s.message.text()
    sources.next = clip_source(make_clip("Entrada, treze e quarenta."), lead_seconds=0.1)
    s.mic.test.click()
    qtbot.waitUntil(lambda: s.mic.test.isEnabled(), timeout=8000)
    assert "funcionando" in s.mic.result.text()
    s.next.click()
    assert s.step == 3
    e = s.employee
    e.name.setText("João Pereira")
    e.cpf.setText("123.456.789-00")
    e.pin.setText("582146")
    s.next.click()
    assert "CPF" in s.message.text()
    e.cpf.setText("529.982.247-25")
    s.next.click()
    assert win.window.stack.currentWidget() is win.window.idle, s.message.text()
    data = json.loads((pv_home / "config" / "settings.json").read_text())
    assert data["kiosk"]["company"] == "Oficina do Zé"
    assert "9173" not in json.dumps(data)  # the admin PIN is stored hashed
    assert check_admin_pin("9173", data["kiosk"]["admin_pin_hash"])
    assert data["ledger"]["kiosk_id"] == "OFICINA-1"
    assert win.punch.service.identify(pin="582146").name == "João Pereira"


def test_unknown_pin_then_lockout_per_identity(qtbot, make_kiosk):
    """Lockouts are per identity (app.punch.guard): the same wrong PIN 5 times locks that PIN
    only; 10 different wrong PINs never lock PIN entry (one person's failures never lock
    everyone: docs/SECURITY.md, "The kiosk") but leave a pin_guessing alert for Central;
    badges and the admin go on."""
    win, _clock, _sources = make_kiosk()
    win.window.idle.touched.emit()
    for _ in range(4):
        enter_pin(win, "9999")
        assert win.window.pin.message.text() == "PIN ou crachá não reconhecido. Tente novamente."
    enter_pin(win, "9999")
    assert "esse PIN está bloqueado até 13:40:35" in win.window.pin.message.text()
    enter_pin(win, "2468")  # Maria is not locked by someone else's old PIN
    assert win.window.stack.currentWidget() is win.window.types
    win.go_idle()
    win.window.idle.touched.emit()
    for wrong in ("1357", "2469", "3571", "4682", "5793", "6804", "7915", "8026", "9137"):
        enter_pin(win, wrong)
    assert "bloqueada" not in win.window.pin.message.text()
    assert win.window.pin.keys["5"].isEnabled()
    win.punch.on_pin("2468")  # the right PIN still works: nobody else is locked out
    assert win.window.stack.currentWidget() is win.window.types
    assert [a.kind for a in unsent_alerts(win.ledger)] == ["pin_guessing"]
    win.go_idle()
    win.window.pin.badge.setText(BADGE)  # a badge still works
    win.window.pin.badge.returnPressed.emit()
    assert win.window.stack.currentWidget() is win.window.types
    win.go_idle()
    win.window.idle.admin_requested.emit()  # and the admin
    enter_pin(win, ADMIN_PIN)
    assert win.window.stack.currentWidget() is win.window.settings_screen


def test_admin_settings_refuse_bad_values_and_persist(qtbot, make_kiosk, pv_home):
    win, _clock, _sources = make_kiosk()
    win.window.idle.admin_requested.emit()
    enter_pin(win, "2468")  # an employee PIN is not the admin PIN
    assert win.window.stack.currentWidget() is win.window.pin
    enter_pin(win, ADMIN_PIN)
    screen = win.window.settings_screen
    assert win.window.stack.currentWidget() is screen
    store = SettingsStore(pv_home / "config" / "settings.json")
    bad = {
        "cpu_threads": ("abc", "Threads de CPU"),
        "num_workers": ("99", "Transcrições simultâneas"),
        "score_margin": ("-1", "Margem"),
        "vad_threshold": ("2", "Limiar"),
        "retention_days": ("0", "Retenção"),
        "max_tries": ("9", "Tentativas"),
        "sample_rate": ("100", "Taxa"),
        "model_path": ("/nonexistent/model", "Pasta do modelo"),
        "endpoint": ("ftp://x", "nuvem"),
    }
    for field, (value, fragment) in bad.items():
        screen.load(win.settings, [], win.ledger.list_employees())
        getattr(screen, field).setText(value)
        screen.save_requested.emit(screen.values())
        assert fragment in screen.message.text(), (field, screen.message.text())
    assert store.load().kiosk.company == "Padaria Pão Quente Ltda"  # nothing bad was saved
    screen.load(win.settings, [], win.ledger.list_employees())
    screen.company.setText("Padaria Nova")
    screen.cpu_threads.setText("1")
    screen.retain.setChecked(True)
    screen.retention_days.setText("30")
    screen.endpoint.setText("https://api.example.com/verify")
    screen.sync_on.setChecked(True)
    screen.admin_pin.setText("7391")
    screen.save_requested.emit(screen.values())
    assert screen.message.text() == "Configurações salvas."
    saved = store.load()
    assert saved.kiosk.company == "Padaria Nova"
    assert saved.engine["cpu_threads"] == 1
    assert saved.sync.enabled and saved.kiosk.retain_audio
    assert check_admin_pin("7391", saved.kiosk.admin_pin_hash)
    qtbot.waitUntil(lambda: win.model_state == "ready", timeout=60000)  # reloaded
    assert win.made_options[-1].cpu_threads == 1


def test_admin_salvar_never_pins_or_changes_engine_defaults(qtbot, make_kiosk, pv_home):
    """The form shows the engine's own defaults and a Salvar that leaves them alone writes
    none of them: acceptance cannot get stricter (or threads stay pinned) by saving."""
    from app.core.config import EngineOptions

    win, _clock, _sources = make_kiosk()
    screen = open_settings(win)
    screen.load(win.settings, [], win.ledger.list_employees())
    defaults = EngineOptions()
    assert float(screen.score_margin.text()) == defaults.score_margin
    assert int(screen.cpu_threads.text()) == defaults.cpu_threads
    screen.company.setText("Padaria Nova")
    screen.save_requested.emit(screen.values())
    assert screen.message.text() == "Configurações salvas."
    engine = SettingsStore(pv_home / "config" / "settings.json").load().engine
    assert not {"cpu_threads", "num_workers", "score_margin", "vad_threshold"} & set(engine)


def test_admin_employees_add_edit_deactivate(qtbot, make_kiosk):
    win, _clock, _sources = make_kiosk()
    form = new_employee_form(win, "Ana Souza", "111.444.777-35")
    form.pin.setText("2468")  # Maria's PIN: refused
    form.save.click()
    assert "PIN" in win.window.settings_screen.message.text()
    form.pin.setText("357902")
    form.badge.setText("777")
    form.save.click()
    assert "Ana Souza salvo" in win.window.settings_screen.message.text()
    assert win.punch.service.identify(badge="777").name == "Ana Souza"
    row = [e.name for e in win.ledger.list_employees()].index("Ana Souza")
    form.list.setCurrentRow(row)
    form.active.setChecked(False)
    form.save.click()
    assert "desativado" in win.window.settings_screen.message.text()
    assert win.punch.service.identify(pin="357902") is None
