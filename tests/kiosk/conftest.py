"""Kiosk fixtures: a real Kiosk (``app.kiosk.app``; offscreen Qt), the real model, real or
replayed audio."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from app.kiosk.recorder import ClipSource
from app.kiosk.settings import KioskSettings, SettingsStore
from app.kiosk.sounds import SoundPlayer
from app.punch.pins import hash_admin_pin

ADMIN_PIN = "8642"
EMPLOYEE_PIN = "2468"
BADGE = "00420042"
CPF = "52998224725"
NOW = datetime(2026, 3, 10, 13, 40, 5)


@dataclass
class FakeClock:
    """The device clock, settable: the challenge phrase is built from it."""

    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw) -> None:
        self.now += timedelta(**kw)


@dataclass
class Mono:
    t: float = 1000.0

    def __call__(self) -> float:
        return self.t


@dataclass
class Sources:
    """What the recorder will open next (the test sets ``.next``)."""

    next: object = None
    opened: list = field(default_factory=list)

    def __call__(self, kiosk_section):
        self.opened.append(self.next)
        return self.next


def configured_settings() -> KioskSettings:
    s = KioskSettings()
    s.kiosk.company = "Padaria Pão Quente Ltda"
    s.kiosk.kiosk_id = "LOJA-01"
    s.kiosk.admin_pin_hash = hash_admin_pin(ADMIN_PIN)
    s.kiosk.idle_return_seconds = 2
    s.kiosk.verify_timeout_seconds = 30  # CI shares 2 cores: only the watchdog test times out
    return s


def real_ledger(home: Path):
    """The real SQLite ledger (app.store) in the test's PONTOVOZ_HOME."""
    from app.store import Ledger

    return Ledger.open(home / "ledger.sqlite3")


@pytest.fixture()
def make_kiosk(qtbot, pv_home, verifier) -> Callable:
    """make_kiosk(configured=True, ledger=None, settings=None, source=None)
    -> (kiosk, clock, sources)."""
    kiosks: list = []
    made: list = []  # EngineOptions the kiosk asked a verifier for (after a settings change)

    def make(configured: bool = True, ledger=None, verifier_=verifier, settings=None, **kw):
        store = SettingsStore(pv_home / "config" / "settings.json")
        if configured:
            store.save(settings or configured_settings())
        ledger = ledger or real_ledger(pv_home)
        if configured and not ledger.list_employees():
            ledger.add_employee("Maria da Silva", CPF, EMPLOYEE_PIN, BADGE)
        from app.kiosk.app import Kiosk

        clock, sources, mono = FakeClock(), Sources(), Mono()
        kw.setdefault("verifier_factory", lambda options: (made.append(options), verifier)[1])
        kiosk = Kiosk(
            store=store,
            ledger=ledger,
            verifier=verifier_,
            source_factory=kw.pop("source_factory", sources),
            clock=clock,
            monotonic=mono,
            device_lister=lambda: ["pulse", "default"],
            player=kw.pop("player", None) or QuietPlayer(),
            **kw,
        )
        qtbot.addWidget(kiosk.window)
        kiosk.window.resize(1280, 800)
        kiosk.window.show()
        kiosk.start()
        win = kiosk
        win.mono = mono
        win.made_options = made
        kiosks.append(kiosk)
        return win, clock, sources

    yield make
    for k in kiosks:
        k.shutdown()


class QuietPlayer(SoundPlayer):
    """The real player with its real WAVs loaded, minus the speaker: CI machines have none,
    so ``play`` records what it would play instead of opening an output stream."""

    def play(self, name: str) -> bool:
        self.load(name)  # the file must be there and readable
        self.played.append(name)
        return True


def clip_source(path: Path, **kw) -> ClipSource:
    return ClipSource(path, rate=48000, **kw)


def wait_ready(qtbot, win) -> None:
    qtbot.waitUntil(lambda: win.model_state == "ready", timeout=60000)


def enter_pin(win, pin: str) -> None:
    for d in pin:
        win.window.pin.keys[d].click()
    win.window.pin.keys["OK"].click()


def open_settings(win):
    """The admin's way in: the hidden corner on the idle screen, the admin PIN, Configurações."""
    win.window.idle.admin_requested.emit()
    enter_pin(win, ADMIN_PIN)
    assert win.window.stack.currentWidget() is win.window.settings_screen
    return win.window.settings_screen


def new_employee_form(win, name: str, cpf: str):
    """Sign in as the admin and start a new employee on the settings screen's form, with
    ``name`` and ``cpf`` typed in; the form, for the test to fill the rest."""
    form = open_settings(win).employees
    form.clear()
    form.name.setText(name)
    form.cpf.setText(cpf)
    return form


def to_types(qtbot, win, pin: str = EMPLOYEE_PIN) -> None:
    wait_ready(qtbot, win)
    assert win.window.idle.status.text() == "Toque para registrar"
    win.window.idle.touched.emit()
    assert win.window.stack.currentWidget() is win.window.pin
    enter_pin(win, pin)
    assert win.window.stack.currentWidget() is win.window.types


def to_challenge(qtbot, win, kind: str = "ENTRADA") -> None:
    to_types(qtbot, win)
    win.window.types.buttons[kind].click()
    assert win.window.stack.currentWidget() is win.window.challenge


def speak(qtbot, win, sources, path, timeout=30000) -> None:
    sources.next = clip_source(path)
    win.window.challenge.record.click()
    qtbot.waitUntil(
        lambda: win.window.stack.currentWidget() is not win.window.challenge, timeout=timeout
    )


def trimmed(path) -> np.ndarray:
    from app.core.audio import read_wav

    samples, _rate = read_wav(path)
    loud = np.flatnonzero(np.abs(samples) > 0.02)
    return samples[loud[0] : loud[-1] + 1]


def paused_clip(make_clip, folder: Path, gap: float = 0.5, first: str = "Entrada.",
                second: str = "Treze e quarenta.") -> Path:  # fmt: skip
    """`first`, then `gap` s of silence, then `second` (make_clip + silence)."""
    from app.core.audio import wav_bytes

    a, b = trimmed(make_clip(first)), trimmed(make_clip(second))
    quiet = np.zeros(int(gap * 16000), np.float32)
    path = folder / f"paused-{gap:.2f}.wav"
    path.write_bytes(wav_bytes(np.concatenate([a, quiet, b])))
    return path
