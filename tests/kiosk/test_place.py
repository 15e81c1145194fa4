"""The place where the work is done (Portaria 671 puts it on every receipt) is asked in the
first-run setup and on the Geral tab, and reaches the ledger's settings; a place IT writes by
hand into settings.json's ledger section is what the form shows and keeps."""

from __future__ import annotations

import json

from app.kiosk.settings import SettingsStore
from tests.kiosk.conftest import open_settings, speak, to_challenge

PLACE = "Rua das Flores, 120 - Campinas/SP"


def test_a_place_written_by_hand_is_what_the_form_keeps(pv_home, tmp_path):
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"kiosk": {"company": "Padaria"}, "ledger": {"place": PLACE}}))
    store = SettingsStore(path)
    settings = store.load()
    assert settings.kiosk.place == PLACE
    store.save(settings)
    saved = json.loads(path.read_text())
    assert saved["ledger"]["place"] == PLACE and saved["kiosk"]["place"] == PLACE
    saved["ledger"]["place"] = "Av. Brasil, 1 - Manaus/AM"  # IT edits the ledger's section
    path.write_text(json.dumps(saved))
    assert store.load().kiosk.place == "Av. Brasil, 1 - Manaus/AM"


def test_the_admin_sets_the_place_and_the_next_receipt_carries_it(qtbot, make_kiosk, make_clip):
    win, _clock, sources = make_kiosk()
    screen = open_settings(win)
    assert screen.place.text() == ""
    screen.place.setText("x  " * 60)  # 119 characters once the spaces are folded
    screen.save_requested.emit(screen.values())
    assert "local" in screen.message.text().lower(), screen.message.text()
    screen.place.setText(f"  {PLACE}  ")
    screen.save_requested.emit(screen.values())
    assert screen.message.text() == "Configurações salvas."
    ledger_section = json.loads(SettingsStore().path.read_text())["ledger"]
    assert ledger_section["place"] == PLACE
    win.admin.leave.emit()
    to_challenge(qtbot, win)
    speak(qtbot, win, sources, make_clip("Entrada, treze e quarenta."))
    qtbot.waitUntil(lambda: win.window.stack.currentWidget() is win.window.receipt, timeout=5000)
    assert PLACE in win.window.receipt.body.text()
