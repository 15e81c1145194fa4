"""What a person sees on the kiosk's screens, checked on the real window (offscreen Qt, real
SQLite ledger): each was found by looking at the screenshots (docs/screenshots) after the
kiosk's restructuring, and each fails on the screens as they were."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QFormLayout, QLineEdit, QPushButton

from app.kiosk.receipt_screens import receipt_rows
from app.kiosk.settings import SettingsStore
from app.store.models import PunchDraft
from app.store.settings import LedgerSettings
from tests.kiosk.conftest import NOW, open_settings, to_types

SIZE = (1366, 768)


def settle() -> None:
    for _ in range(5):
        QApplication.processEvents()


def test_receipt_screen_shows_every_line_of_the_comprovante(qtbot, make_kiosk):
    """Portaria 671's comprovante: employer name and CNPJ/CPF, place, the REP-P, worker name and
    CPF, date and time, NSR and hash; the screen showed neither the CNPJ nor the REP-P."""
    win, _clock, _sources = make_kiosk()
    maria = win.ledger.list_employees()[0]
    at = win.ledger.settings.local(NOW)
    punch = win.ledger.record_punch(PunchDraft(maria.id, "ENTRADA", "ENTRADA 13 40",
                                               validated=True, tries=1, punched_at=at))  # fmt: skip
    where = LedgerSettings(kiosk_id="LOJA-01", employer_name="Padaria Pão Quente Ltda",
                           employer_id="11222333000181", place="Rua das Flores, 120",
                           rep_id="BR512026000123")  # fmt: skip
    rows = dict(receipt_rows(punch, where))
    assert rows["CNPJ/CPF"] == "CNPJ 11.222.333/0001-81"
    assert rows["REP-P"] == "PontoVoz BR512026000123"
    assert rows["Local"] == "Rua das Flores, 120"
    assert rows["NSR"] == f"{punch.nsr:09d}" and rows["Trabalhador"] == "Maria da Silva"
    win.window.receipt.show_receipt(punch, where)
    body = win.window.receipt.body.text()
    assert "CNPJ 11.222.333/0001-81" in body and "PontoVoz BR512026000123" in body


def test_form_labels_sit_on_their_fields(qtbot, make_kiosk):
    """Every admin form's label reads on the line of its field: QFormLayout top-aligned a label
    only 7/4 of its text tall, so the words sat about 5 px above the field's own text."""
    win, _clock, _sources = make_kiosk()
    win.window.resize(*SIZE)
    s = open_settings(win)
    checked = 0
    for i in range(s.tabs.count()):
        s.tabs.setCurrentIndex(i)
        settle()
        page = s.tabs.currentWidget()
        for form in page.findChildren(QFormLayout):
            for row in range(form.rowCount()):
                label = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
                field = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
                if label is None or field is None or not label.widget().text():
                    continue
                widget = field.widget()
                if not isinstance(widget, QLineEdit):
                    continue
                lab = label.widget().geometry()
                gap = abs(lab.center().y() - widget.geometry().center().y())
                assert gap <= 2, (s.tabs.tabText(i), label.widget().text(), gap)
                checked += 1
    assert checked >= 20  # Geral, Marcação, Microfone, Nuvem, Privacidade, ... all looked at


def test_a_new_message_leaves_no_button_of_the_last_one(qtbot, make_kiosk):
    """The duplicate question's "Registrar Entrada de novo" was drawn under the microphone
    error's buttons until the event loop deleted it (shot 17)."""
    win, _clock, _sources = make_kiosk()
    m = win.window.message
    m.show_message("Marcação repetida?", "...", {"duplicate": "Registrar Entrada de novo"}, True)
    m.show_message("Problema no microfone", "...", {"retry": "Tentar de novo"})
    shown = [b.text() for b in m.findChildren(QPushButton) if b.isVisibleTo(m)]
    assert sorted(shown) == ["Início", "Tentar de novo"], shown


def test_type_screen_buttons_share_one_set_of_columns(qtbot, make_kiosk):
    """Voltar and "Meus registros" line up with the punch types above them."""
    win, _clock, _sources = make_kiosk()
    win.window.resize(*SIZE)
    to_types(qtbot, win)
    settle()
    t = win.window.types
    assert t.receipts.geometry().left() == t.buttons["INTERVALO"].geometry().left()
    assert t.receipts.geometry().right() == t.buttons["INTERVALO"].geometry().right()


def test_verdict_and_meter_say_what_happened(qtbot, make_kiosk):
    """ "Validado" says the punch is recorded; a meter that stopped listening shows no level."""
    win, _clock, _sources = make_kiosk()
    r = win.window.result
    r.show_result(True, "Entrada, 13h40", "", False)
    assert r.detail.text() == "Ponto registrado."
    r.show_result(False, "Saída, 13h50", "", True)
    assert "registrado" not in r.detail.text()
    ch = win.window.challenge
    ch.set_state("listening")
    ch.meter.set_level(0.55)
    ch.set_state("verifying")
    assert (ch.meter.value, ch.meter.peak) == (0.0, 0.0)


def test_decimal_settings_read_the_brazilian_way(qtbot, make_kiosk, pv_home):
    """Avançado shows 0,5 (not 0.5), and a value typed with a comma is saved as a number."""
    win, _clock, _sources = make_kiosk()
    screen = open_settings(win)
    assert screen.vad_threshold.text() == "0,5"
    screen.vad_threshold.setText("0,6")
    screen.save_requested.emit(screen.values())
    assert screen.message.text() == "Configurações salvas."
    assert SettingsStore(pv_home / "config" / "settings.json").load().engine["vad_threshold"] == 0.6
    screen.load(win.settings, [], win.ledger.list_employees())
    assert screen.vad_threshold.text() == "0,6"
