"""A kiosk for real shift changes: timeouts on every screen, the punch time, the
lockouts, the PIN policy, the duplicate guard, the last punch, the 48-hour receipts."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.kiosk.recorder import SoundDeviceSource
from app.store.models import PunchDraft
from tests.kiosk.conftest import (
    ADMIN_PIN,
    EMPLOYEE_PIN,
    enter_pin,
    new_employee_form,
    open_settings,
    speak,
    to_challenge,
    to_types,
    wait_ready,
)


def short_timeouts(win, seconds: float = 0.3) -> None:
    """Timeouts in tests: the settings object the window and controllers share, set below
    the bounds an admin may save (10 s) so the test does not wait half a minute."""
    k = win.settings.kiosk
    k.screen_timeout_seconds = k.admin_timeout_seconds = seconds  # type: ignore[assignment]


def punch_at(win, kind: str, when: datetime, validated: bool = True):
    emp = win.ledger.list_employees()[0]
    return win.ledger.record_punch(PunchDraft(
        employee_id=emp.id, type=kind, expected=f"{kind} {when:%H %M}", validated=validated,
        tries=1, punched_at=win.ledger.settings.local(when),
        flag_reason="" if validated else "voz não validada"))  # fmt: skip


# ---------------------------------------------------------------------- timeouts


def test_type_and_pin_screens_time_out_to_idle(qtbot, make_kiosk):
    win, _clock, _sources = make_kiosk()
    short_timeouts(win)
    to_types(qtbot, win)
    assert win.window.types.greeting.text() == "Olá, Maria!"
    qtbot.waitUntil(lambda: win.window.stack.currentWidget() is win.window.idle, timeout=3000)
    win.window.idle.touched.emit()
    assert win.window.stack.currentWidget() is win.window.pin
    qtbot.waitUntil(lambda: win.window.stack.currentWidget() is win.window.idle, timeout=3000)
    # the next person does not punch as Maria
    assert win.punch.attempt.employee is None


def test_not_validated_result_times_out_into_a_flagged_punch(qtbot, make_kiosk, make_clip):
    win, clock, sources = make_kiosk()
    to_challenge(qtbot, win)
    speak(qtbot, win, sources, make_clip("Entrada, treze e cinquenta."))
    assert "Não validado" in win.window.result.verdict.text()
    clock.advance(minutes=2)  # the result screen waits; the punch time must not move
    short_timeouts(win)
    win.window.restart_inactivity()
    qtbot.waitUntil(lambda: win.window.stack.currentWidget() is win.window.receipt, timeout=3000)
    punch = win.ledger.punches()[-1]
    assert punch.flagged and punch.type == "ENTRADA"
    assert datetime.fromisoformat(punch.punched_at).replace(tzinfo=None) == datetime(
        2026, 3, 10, 13, 40, 5
    )
    win.settings.kiosk.idle_return_seconds = 1
    win.window.restart_inactivity()
    qtbot.waitUntil(lambda: win.window.stack.currentWidget() is win.window.idle, timeout=3000)


def test_a_retry_left_alone_still_records_the_attempted_punch(qtbot, make_kiosk, make_clip):
    win, _clock, sources = make_kiosk()
    to_challenge(qtbot, win)
    speak(qtbot, win, sources, make_clip("Entrada, treze e cinquenta."))
    win.window.result.retry_button.click()  # then walks away from "Falar"
    short_timeouts(win)
    win.window.restart_inactivity()
    qtbot.waitUntil(lambda: win.window.stack.currentWidget() is win.window.receipt, timeout=3000)
    punch = win.ledger.punches()[-1]
    assert punch.flagged and punch.tries == 1


def test_admin_settings_time_out_without_saving(qtbot, make_kiosk):
    win, _clock, _sources = make_kiosk()
    open_settings(win)
    win.window.settings_screen.company.setText("Não salvar")
    short_timeouts(win)
    win.window.restart_inactivity()
    qtbot.waitUntil(lambda: win.window.stack.currentWidget() is win.window.idle, timeout=3000)
    assert win.store.load().kiosk.company == "Padaria Pão Quente Ltda"


def test_input_restarts_the_timeout(qtbot, make_kiosk):
    win, _clock, _sources = make_kiosk()
    to_types(qtbot, win)
    short_timeouts(win, 0.6)
    win.window.restart_inactivity()
    for _ in range(4):  # someone keeps typing: the screen stays
        qtbot.wait(300)
        qtbot.keyClick(win.window.pin.badge, "1")
    assert win.window.stack.currentWidget() is win.window.types
    qtbot.waitUntil(lambda: win.window.stack.currentWidget() is win.window.idle, timeout=3000)


# ---------------------------------------------------------------------- punch time


def test_punch_time_is_the_first_challenge(qtbot, make_kiosk, make_clip):
    win, clock, sources = make_kiosk()
    to_challenge(qtbot, win, "INTERVALO")
    wrong = make_clip("Intervalo, treze e cinquenta.")
    speak(qtbot, win, sources, wrong)  # the first try fixes the time: 13:40:05
    clock.advance(minutes=1, seconds=30)
    win.window.result.retry_button.click()
    assert win.window.challenge.phrase.text() == "INTERVALO 13 41"  # the retry says the time now
    speak(qtbot, win, sources, wrong)
    clock.advance(minutes=2)
    win.window.result.retry_button.click()
    speak(qtbot, win, sources, wrong)
    win.window.result.accept_button.click()  # Registrar para revisão, at 13:44
    punch = win.ledger.punches()[-1]
    assert punch.punched_at.startswith("2026-03-10T13:40:05"), punch.punched_at
    assert punch.tries == 3 and punch.flagged


# ---------------------------------------------------------------------- lockout + PIN policy


def test_idle_says_someone_is_locked_without_naming_them(qtbot, make_kiosk):
    win, clock, _sources = make_kiosk()
    wait_ready(qtbot, win)
    win.window.idle.touched.emit()
    for _ in range(5):
        enter_pin(win, "9999")
    assert "bloqueado" in win.window.pin.message.text()
    win.go_idle()
    notice = win.window.idle.notice.text()
    assert notice == "Acesso bloqueado por tentativas erradas até 13:40:35."
    assert "Maria" not in notice and win.window.idle.notice.isVisibleTo(win.window.idle)
    win.window.idle.admin_requested.emit()
    assert not win.window.pin.badge.isVisibleTo(
        win.window.pin
    )  # no Crachá field on the admin PIN screen
    win.go_idle()
    clock.advance(seconds=31)
    win.refresh_idle()
    assert win.window.idle.notice.text() == ""


def test_employee_pin_must_differ_from_the_admin_pin(qtbot, make_kiosk):
    win, _clock, _sources = make_kiosk()
    form = new_employee_form(win, "Ana Souza", "111.444.777-35")
    form.pin.setText(ADMIN_PIN)
    form.save.click()
    assert "igual ao PIN do administrador" in win.window.settings_screen.message.text()
    screen = win.window.settings_screen
    screen.admin_pin.setText(EMPLOYEE_PIN)  # nor the other way round
    screen.save_requested.emit(screen.values())
    assert "igual ao PIN de um funcionário" in screen.message.text()


# ---------------------------------------------------------------------- duplicates, last punch


def test_same_type_again_within_minutes_asks_first(qtbot, make_kiosk, make_clip):
    win, clock, _sources = make_kiosk()
    punch_at(win, "ENTRADA", datetime(2026, 3, 10, 13, 39))  # within the 2 minutes
    to_types(qtbot, win)
    assert win.window.types.greeting.text() == "Olá, Maria — última marcação: Entrada 13:39"
    win.window.types.buttons["ENTRADA"].click()
    assert win.window.stack.currentWidget() is win.window.message
    assert win.window.message.title.text() == "Marcação repetida?"
    win.window.message.action.emit("duplicate")
    assert win.window.stack.currentWidget() is win.window.challenge
    win.go_idle()
    to_types(qtbot, win)
    win.window.types.buttons["INTERVALO"].click()  # another type: no question
    assert win.window.stack.currentWidget() is win.window.challenge
    win.go_idle()
    clock.advance(minutes=15)
    to_types(qtbot, win)
    win.window.types.buttons["ENTRADA"].click()  # long enough ago: no question
    assert win.window.stack.currentWidget() is win.window.challenge


# ---------------------------------------------------------------------- 48-hour receipts


def test_receipts_of_the_last_48_hours(qtbot, make_kiosk):
    win, _clock, _sources = make_kiosk()
    now = datetime(2026, 3, 10, 13, 40)
    punch_at(win, "SAIDA", now - timedelta(hours=49))  # too old
    punch_at(win, "ENTRADA", now - timedelta(hours=47))
    punch_at(win, "SAIDA", now - timedelta(hours=20), validated=False)
    punch_at(win, "ENTRADA", now - timedelta(minutes=30))
    other = win.ledger.add_employee("Bruno Lima", "11144477735", "3579")
    at = win.ledger.settings.local(now)
    draft = PunchDraft(other.id, "ENTRADA", "ENTRADA 13 20", punched_at=at)
    win.ledger.record_punch(draft)
    to_types(qtbot, win)
    win.window.types.receipts.click()
    assert win.window.stack.currentWidget() is win.window.receipts
    rows = [
        win.window.receipts.list.item(i).text() for i in range(win.window.receipts.list.count())
    ]
    assert len(rows) == 3, rows  # Maria's own, 48 h, newest first; not Bruno's
    assert rows[0].startswith("10/03 13:10  Entrada")
    assert "Saída" in rows[1] and "em revisão" in rows[1]
    assert rows[2].startswith("08/03 14:40  Entrada")
    assert all("NSR" in r and "código" in r for r in rows)
    win.window.receipts.done.emit()
    assert win.window.stack.currentWidget() is win.window.types


# ---------------------------------------------------------------------- idle screen


def test_idle_clock_shows_seconds_and_a_missing_microphone(qtbot, make_kiosk):
    win, _clock, _sources = make_kiosk(source_factory=lambda k: SoundDeviceSource(device="Mic X"))
    wait_ready(qtbot, win)
    assert win.window.idle.clock.text() == "13:40:05"
    win.refresh_idle()
    assert "Nenhum microfone" in win.window.idle.notice.text()  # before anyone types a PIN


def test_quit_the_app_behind_the_admin_pin(qtbot, make_kiosk):
    win, _clock, _sources = make_kiosk()
    win.window.idle.admin_requested.emit()
    enter_pin(win, ADMIN_PIN)
    assert win.window.settings_screen.quit.isVisibleTo(win.window.settings_screen)
    win.window.settings_screen.quit.click()
    assert not win.window.isVisible()
    assert not win.engine._thread.isRunning()  # workers stopped with the window


def test_verdict_sounds_play_at_the_volume(qtbot, make_kiosk, make_clip):
    win, _clock, sources = make_kiosk()
    to_challenge(qtbot, win)
    speak(qtbot, win, sources, make_clip("Entrada, treze e quarenta."))
    assert win.player.played == ["ok"]
    assert win.player.volume == 70


def test_expired_audio_is_purged_on_start_and_daily(qtbot, make_kiosk):
    win, clock, _sources = make_kiosk()
    emp = win.ledger.list_employees()[0]
    at = win.ledger.settings.local(clock.now)
    win.ledger.record_punch(PunchDraft(employee_id=emp.id, type="ENTRADA",
                                       expected="ENTRADA 13 40", audio=b"RIFF fake",
                                       punched_at=at))  # fmt: skip
    purged: list = []
    real = win.ledger.purge_audio
    win.ledger.purge_audio = lambda now=None: (purged.append(now), real(now))[1]
    win.window.tick()
    assert purged == []  # same day: nothing
    clock.advance(days=1)
    win.window.tick()
    assert len(purged) == 1 and purged[0].date() == clock.now.date()
    win.start()
    assert len(purged) == 2
