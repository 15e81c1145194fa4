"""The kiosk's admin screen joins PontoVoz Central with a one-time code (real window, real
widgets and controller, real ledger, a real Central over HTTP), and the idle screen warns when
the kiosk clock is more than 30 s off Central's (docs/CENTRAL.md, "Joining from the kiosk
screen")."""

from __future__ import annotations

from fastapi import FastAPI

from app.central import service
from app.central.db import make_engine, session_factory, session_scope
from app.store.roster import roster_key_path
from app.sync.central_settings import CentralSection
from tests.kiosk.conftest import make_kiosk  # noqa: F401 (the real kiosk window fixture)
from tests.live_server import LiveServer

ANA_CPF, ANA_PIN = "11144477735", "135792"


def join_now(qtbot, screen) -> None:
    """Click "Ligar à Central"; the enrolment runs off the GUI thread, so the screen says so
    and the button waits until Central has answered."""
    screen.central.join.click()
    assert not screen.central.join.isEnabled()
    assert screen.message.text() == "Ligando à Central…"
    qtbot.waitUntil(screen.central.join.isEnabled, timeout=20000)


def test_admin_joins_central_from_the_settings_screen(make_kiosk, pv_home, central_server, qtbot):  # noqa: F811
    sessions = session_factory(make_engine(central_server.database_url, pool_size=1))
    with session_scope(sessions) as s:
        code = service.create_code(s)
        service.add_employee(s, "Ana Souza", ANA_CPF, ANA_PIN)
    win, _clock, _ = make_kiosk()
    settings_file = win.store.path
    win.admin.open_settings()
    screen = win.window.settings_screen
    assert win.window.stack.currentWidget() is screen
    tab = screen.central
    assert screen.tabs.tabText(screen.tabs.indexOf(tab.parentWidget().parentWidget())) == "Central"
    assert "não está ligado" in tab.status.text()

    # a wrong code: Central refuses, in Portuguese; nothing is saved
    tab.url.setText(central_server.url)
    tab.code.setText("AAAA-BBBB-CCCC")
    join_now(qtbot, screen)
    assert screen.message.text().startswith("A Central recusou o cadastro:")
    assert "código" in screen.message.text().lower()
    assert not CentralSection.load(settings_file).enabled
    assert not roster_key_path(win.ledger.path).exists()
    assert win.sync.central is None

    # an address Central is not at: a clear message, no crash
    tab.url.setText("http://127.0.0.1:9")
    tab.code.setText(code)
    join_now(qtbot, screen)
    assert screen.message.text() == (
        "Não foi possível falar com a Central. Confira o endereço e a rede."
    )
    # something else answers there (a web server, a proxy's 404): not Central's refusal
    with LiveServer(FastAPI()) as other:  # answers 404 to every path
        tab.url.setText(other.url)
        join_now(qtbot, screen)
    assert screen.message.text() == (
        "Este endereço não é de uma Central PontoVoz. Confira o endereço e a porta."
    )
    tab.url.setText("central:8090")
    join_now(qtbot, screen)
    assert "http://" in screen.message.text() and "Não foi possível ligar" in screen.message.text()
    assert not CentralSection.load(settings_file).enabled

    # the right code joins: credential saved, status shown, the Central sync runs
    tab.url.setText(central_server.url)
    tab.code.setText(code)
    join_now(qtbot, screen)
    assert "Terminal ligado à Central" in screen.message.text(), screen.message.text()
    saved = CentralSection.load(settings_file)
    assert saved.enabled and saved.token.startswith("pvk_")
    assert saved.name == "Padaria Pão Quente Ltda — LOJA-01"
    assert tab.code.text() == ""
    status = tab.status.text()
    assert "Ligado à Central como “Padaria Pão Quente Ltda — LOJA-01”" in status
    assert f"Endereço: {central_server.url}" in status
    assert win.sync.central is not None
    # the open ledger took Central's roster pepper: Ana's PIN from Central works here
    qtbot.waitUntil(lambda: win.ledger.find_by_pin(ANA_PIN) is not None, timeout=20000)
    qtbot.waitUntil(lambda: CentralSection.load(settings_file).last_sync_at != "", timeout=20000)
    win.admin.refresh_central()
    assert "Última sincronização: ainda não houve" not in tab.status.text()
    assert "Último erro: nenhum" in tab.status.text()

    # joining again (a new code) while the sync runs: the new credential is the one kept
    with session_scope(sessions) as s:
        code2 = service.create_code(s)
    tab.code.setText(code2)
    join_now(qtbot, screen)
    again = CentralSection.load(settings_file)
    assert again.token != saved.token and win.sync.central is not None
    assert win.sync.central.section.token == again.token
    assert again.roster_version == ""  # a join starts over; the new sync's first pass sets it
    qtbot.waitUntil(lambda: CentralSection.load(settings_file).roster_version != "", timeout=20000)
    assert CentralSection.load(settings_file).token == again.token


def test_idle_screen_warns_when_the_clock_is_off_central(make_kiosk, pv_home):  # noqa: F811
    win, clock, _ = make_kiosk()
    assert win.window.stack.currentWidget() is win.window.idle
    joined = CentralSection(url="http://127.0.0.1:9", token="pvk_test", kiosk=1, name="Porta 1")

    def idle_after(offset: float | None) -> str:
        CentralSection(**{**joined.__dict__, "clock_offset_s": offset}).save(win.store.path)
        clock.now = clock.now.replace(second=10)  # the 5-s refresh of the idle notices
        win.window.tick()
        return win.window.idle.notice.text()

    text = idle_after(45.4)
    assert text == "Relógio do terminal 45 s adiantado em relação à Central (avise o administrador)"
    assert win.window.idle.notice.isVisibleTo(win.window.idle)
    assert "atrasado" in idle_after(-200.0) and "3 min 20 s" in win.window.idle.notice.text()
    assert idle_after(12.0) == ""  # within 30 s: nothing to say
    assert idle_after(None) == ""
    # not joined (no credential): no warning, whatever an old offset says
    CentralSection(clock_offset_s=90.0).save(win.store.path)
    win.window.tick()
    assert win.window.idle.notice.text() == ""
    # the admin's Central tab says it too
    idle_after(45.4)
    win.admin.open_settings()
    assert "Diferença de relógio: 45 s (adiantado) — acima de 30 s" in (
        win.window.settings_screen.central.status.text()
    )
