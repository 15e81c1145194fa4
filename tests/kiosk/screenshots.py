"""Screenshots of every kiosk screen at four resolutions, and the kiosk's measured figures.

    xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python -m tests.kiosk.screenshots [--measure]

Drives the real window (real model, real SQLite ledger in a temporary PONTOVOZ_HOME, real
speech replayed through the recorder) on an X server, and saves PNGs to
docs/screenshots/<W>x<H>/ for 1024x768, 1280x720, 1366x768 and 1920x1080 (each state is taken
once and grabbed at every size). Transient states (listening, paused, verifying) are drawn
through the screen's own API. With --measure it prints: window shown after launch, ready to
verify, end of speech -> verdict on screen (p50), RSS after 100 punches.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

T0 = time.perf_counter()
ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "screenshots"
CACHE = Path(os.environ.get("PONTOVOZ_TEST_AUDIO", ROOT / "tests" / ".audio-cache"))
SIZES = ((1024, 768), (1280, 720), (1366, 768), (1920, 1080))
EMPLOYER_ID = "11222333000181"  # the receipt shots show a whole comprovante (Portaria 671)
PLACE = "Rua das Flores, 120 - Campinas/SP"


def describe_employer(store) -> None:
    """The employer's CNPJ and the place, as IT may write them into the ledger section by hand
    (the Geral tab then shows the place)."""
    from app import settings as app_settings

    ledger = {**app_settings.section("ledger", store.path), "place": PLACE}
    app_settings.write_sections({"ledger": ledger}, store.path)


def gated_verifier(gate: threading.Event):
    """The real verifier, whose load waits for ``gate``: shot 01 shows "Preparando..." however
    fast the model loads here (it loads from a warm cache in well under a second)."""
    from app.kiosk.engine import default_verifier

    def build(options):
        verifier = default_verifier(options)
        load = verifier.load

        def load_when_let() -> float:
            gate.wait(120)
            return load()

        verifier.load = load_when_let
        return verifier

    return build


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--measure", action="store_true")
    ap.add_argument("--punches", type=int, default=100)
    args = ap.parse_args()
    if os.environ.get("DISPLAY"):
        os.environ["QT_QPA_PLATFORM"] = "xcb"  # a real X server (Xvfb), not offscreen
    home = Path(tempfile.mkdtemp(prefix="pv-shots-"))
    os.environ["PONTOVOZ_HOME"] = str(home)
    if not os.environ.get("PONTOVOZ_MODEL_PATH"):
        from app import paths
        from app.core.model import prepare

        os.environ.pop("PONTOVOZ_HOME")
        os.environ["PONTOVOZ_MODEL_PATH"] = str(prepare(paths.cache_dir()))
        os.environ["PONTOVOZ_HOME"] = str(home)

    import psutil
    from PySide6.QtWidgets import QApplication

    from app.kiosk.app import Kiosk
    from app.kiosk.recorder import ClipSource
    from app.kiosk.settings import SettingsStore
    from app.lab import corpus
    from app.store.models import PunchDraft
    from tests.kiosk.conftest import (
        ADMIN_PIN,
        CPF,
        EMPLOYEE_PIN,
        NOW,
        FakeClock,
        QuietPlayer,
        configured_settings,
    )

    app = QApplication.instance() or QApplication(sys.argv[:1])
    clip = {t: corpus.cached_clip(CACHE, t) for t in (
        "Entrada, treze e quarenta.", "Saída, treze e cinquenta.")}  # fmt: skip
    store = SettingsStore()
    settings = configured_settings()
    settings.kiosk.idle_return_seconds = 60
    settings.kiosk.screen_timeout_seconds = 300
    settings.kiosk.admin_timeout_seconds = 900
    settings.kiosk.verify_timeout_seconds = 30  # a shared, loaded machine: real verdicts only
    settings.kiosk.employer_id = EMPLOYER_ID
    if args.measure:  # the same punch again and again: no "Marcação repetida?" question
        settings.punch["duplicate_minutes"] = 0
    else:  # show the sync queue on idle (an endpoint that is down: it grows)
        settings.sync.enabled = True
        settings.sync.endpoint = "http://127.0.0.1:9/verify"
    store.save(settings)
    describe_employer(store)
    clock = FakeClock(NOW)
    state = {"source": None}
    devices = lambda: ["pulse", "default", "USB PnP Sound Device: Audio (hw:1,0)"]  # noqa: E731
    preparing = threading.Event()
    if args.measure:
        preparing.set()  # the figures time the real start-up: nothing waits
    kiosk = Kiosk(store=store, source_factory=lambda k: state["source"], clock=clock,
                  device_lister=devices, player=QuietPlayer(),
                  verifier_factory=gated_verifier(preparing))  # fmt: skip
    win = kiosk
    win.window.resize(1280, 800)
    win.window.show()
    app.processEvents()
    shown = time.perf_counter() - T0
    win.start()
    app.processEvents()
    maria = win.ledger.add_employee("Maria da Silva", CPF, EMPLOYEE_PIN, "00420042")

    def pump(cond, timeout=60.0):
        end = time.monotonic() + timeout
        while not cond():
            app.processEvents()
            time.sleep(0.005)
            if time.monotonic() > end:
                raise TimeoutError("screen did not change")

    def shot(name: str, kiosk=None) -> None:
        w = (kiosk or win).window
        for width, height in SIZES:
            w.resize(width, height)
            for _ in range(8):
                app.processEvents()
            folder = OUT / f"{width}x{height}"
            folder.mkdir(parents=True, exist_ok=True)
            if (w.width(), w.height()) != (width, height):
                print(f"{name}: the window is {w.width()}x{w.height()}, not {width}x{height}")
            save(w, folder / f"{name}.png")
        w.resize(1280, 800)

    def pin(p=EMPLOYEE_PIN):
        for d in p:
            win.window.pin.keys[d].click()
        win.window.pin.keys["OK"].click()

    def punch(text, kind="ENTRADA", realtime=True):
        win.go_idle()
        win.punch.start()
        pin()
        win.window.types.buttons[kind].click()
        state["source"] = ClipSource(clip[text], realtime=realtime)
        win.window.challenge.record.click()
        pump(lambda: win.window.stack.currentWidget() is not win.window.challenge)

    if not args.measure:
        assert win.model_state == "loading"
        shot("01-idle-preparing")
        preparing.set()
    pump(lambda: win.model_state == "ready")
    ready = time.perf_counter() - T0
    if not args.measure:
        take_all(win, shot, pin, punch, pump, clock, state, clip, maria, PunchDraft, ADMIN_PIN)
        print(f"screenshots in {OUT}")
        return 0
    proc = psutil.Process()
    for _ in range(10):  # real-time replay: end of speech is a wall-clock moment
        clock.now = datetime(2026, 3, 10, 13, 40, 5)
        punch("Entrada, treze e quarenta.")
        assert win.window.stack.currentWidget() is win.window.result
        assert "Validado" in win.window.result.verdict.text(), win.window.result.heard.text()
        print(f"latency {win.punch.listener.metrics['latencies'][-1]:.3f}s", flush=True)
        win.punch.accept()
    lat = list(win.punch.listener.metrics["latencies"])
    paths = dict(win.punch.listener.metrics["paths"])
    print(f"shown {shown:.3f}s ready {ready:.3f}s end-of-speech->verdict p50 "
          f"{statistics.median(lat):.3f}s {[round(x, 3) for x in lat]} paths {paths}",
          flush=True)  # fmt: skip
    rss = {}
    for i in range(args.punches):
        punch("Entrada, treze e quarenta.", realtime=False)
        win.punch.accept()
        if (i + 1) % 10 == 0:
            rss[i + 1] = proc.memory_info().rss / 2**20
            print(f"punches {i + 1}: RSS {rss[i + 1]:.0f} MB", flush=True)
    figures = {
        "window_shown_s": round(shown, 3),
        "ready_to_verify_s": round(ready, 3),
        "model_load_s": round(win.engine.load_seconds, 3),
        "speech_end_to_verdict_p50_s": round(statistics.median(lat), 3),
        "speech_end_to_verdict_max_s": round(max(lat), 3),
        "speech_end_to_verdict_all_s": [round(x, 3) for x in lat],
        "verdict_paths": paths,
        "rss_mb_after_punches": {k: round(v) for k, v in rss.items()},
        "punches_in_ledger": win.ledger.count_punches(),
        "loadavg": os.getloadavg(),
    }
    print(json.dumps(figures, indent=2))
    win.shutdown()
    return 0


def save(widget, path: Path) -> None:
    """The widget as a PNG of 128 colours (Pillow, already there through fpdf2): the flat UI and
    its anti-aliased text survive, the 132 files take a third of the space."""
    import io

    from PIL import Image
    from PySide6.QtCore import QBuffer, QIODevice

    buf = QBuffer()
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    widget.grab().save(buf, "PNG")
    image = Image.open(io.BytesIO(bytes(buf.data()))).convert("RGB")
    image.quantize(128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        path, optimize=True
    )


def take_all(win, shot, pin, punch, pump, clock, state, clip, maria, PunchDraft, admin_pin):
    from app.kiosk.recorder import ClipSource, SoundDeviceSource

    shot("02-idle")
    win.punch.start()
    for d in "24":
        win.window.pin.keys[d].click()
    shot("03-pin")
    win.window.pin.keys["Limpar"].click()
    pin("9999")
    shot("04-pin-unknown")
    for _ in range(4):
        pin("9999")
    shot("05-pin-locked")
    win.go_idle()
    win.refresh_idle()
    shot("06-idle-someone-locked")
    win.punch._locked_until = 0.0
    win.punch._failures = 0
    # a minute ago: within duplicate_minutes (2), so ENTRADA again asks first (shot 09)
    earlier = win.ledger.settings.local(clock.now - timedelta(minutes=1))
    win.ledger.record_punch(PunchDraft(maria.id, "ENTRADA", "ENTRADA 13 35", validated=True,
                                       tries=1, punched_at=earlier))  # fmt: skip
    win.punch.start()
    pin()
    shot("07-type-last-punch")
    win.window.types.receipts.click()
    shot("08-my-receipts-48h")
    win.window.receipts.done.emit()
    win.window.types.buttons["ENTRADA"].click()
    shot("09-confirm-same-type")
    win.go_idle()
    win.punch.start()
    pin()
    win.window.types.buttons["SAIDA"].click()
    shot("10-challenge")
    ch = win.window.challenge
    win.window.ticker.stop()  # the countdown is drawn by hand here, not by the clock
    ch.set_state("listening")
    ch.meter.set_level(0.55)
    ch.set_countdown(6, False)
    shot("11-challenge-listening")
    ch.set_countdown(5, True)
    shot("12-challenge-paused")
    ch.set_state("verifying")
    shot("13-challenge-verifying")
    ch.set_state("ready")
    win.window.ticker.start()
    state["source"] = ClipSource(clip["Saída, treze e cinquenta."])
    ch.record.click()
    pump(lambda: win.window.stack.currentWidget() is not win.window.challenge)
    shot("15-not-validated")
    win.go_idle()
    clock.now = clock.now.replace(second=40)
    win.punch.start()
    pin()
    win.punch.attempt.confirmed_duplicate = True
    win.window.types.buttons["ENTRADA"].click()
    state["source"] = ClipSource(clip["Entrada, treze e quarenta."])
    win.window.challenge.record.click()
    pump(lambda: win.window.stack.currentWidget() is not win.window.challenge)
    win.punch.continue_timer.stop()
    shot("14-validated")
    win.punch.accept()
    win.window.receipt.stop()  # "Voltando ao início em 60 s" at every size, not 59 at the last
    shot("16-receipt")
    win.go_idle()
    win.punch.start()
    pin()
    win.window.types.buttons["RETORNO"].click()  # the microphone fails during a challenge
    assert win.window.stack.currentWidget() is win.window.challenge
    win.punch.listener.on_record_failed(
        "O microfone parou de responder (desconectado ou em uso por outro programa)."
    )
    shot("17-error-microphone")
    win.go_idle()
    win.sync.refresh()
    state["source"] = SoundDeviceSource(device="Microfone USB")  # real: not plugged in
    win.refresh_idle()
    shot("18-idle-no-microphone-sync-pending")
    win.punch.start(admin=True)
    shot("19-admin-pin")
    pin(admin_pin)
    screen = win.window.settings_screen
    tabs = {screen.tabs.tabText(i): i for i in range(screen.tabs.count())}
    shots = (("Geral", "20-settings-geral"), ("Marcação", "21-settings-marcacao"),
             ("Microfone", "22-settings-microfone"), ("Nuvem", "23-settings-nuvem"),
             ("Privacidade", "24-settings-privacidade"),
             ("Funcionários", "25-settings-funcionarios"), ("Central", "25b-settings-central"),
             ("Avançado", "26-settings-avancado"))  # fmt: skip
    assert sorted(tabs) == sorted(tab for tab, _name in shots), tabs  # a new tab: shoot it too
    for tab, name in shots:
        screen.tabs.setCurrentIndex(tabs[tab])
        if tab == "Funcionários":
            screen.employees.list.setCurrentRow(0)
        shot(name)
    screen.tabs.setCurrentIndex(tabs["Geral"])
    screen.keyboard.setVisible(True)
    screen.company.setFocus()
    shot("27-settings-keyboard")
    screen.keyboard.setVisible(False)
    screen.tabs.setCurrentIndex(tabs["Avançado"])
    screen.cpu_threads.setText("muitas")
    screen.save_requested.emit(screen.values())
    shot("28-settings-bad-value")
    win.go_idle()
    setup_shots(win, shot, pump, state, clip)


def setup_shots(win, shot, pump, state, clip):
    from app.kiosk.app import Kiosk
    from app.kiosk.recorder import ClipSource
    from app.kiosk.settings import SettingsStore
    from tests.kiosk.conftest import QuietPlayer

    fresh = tempfile.mkdtemp(prefix="pv-setup-")
    win2 = Kiosk(
        store=SettingsStore(Path(fresh) / "settings.json"), ledger=win.ledger,
        verifier=win.engine.verifier, source_factory=lambda k: state["source"], clock=win.clock,
        device_lister=lambda: ["pulse", "default"], player=QuietPlayer(),
    )  # fmt: skip
    win2.window.resize(1280, 800)
    win2.window.show()
    win2.start()
    s = win2.window.setup
    s.company.setText("Padaria Pão Quente Ltda")
    s.employer_id.setText("11.222.333/0001-81")
    s.keyboard_button.click()
    s.company.setFocus()
    shot("00a-setup-company-keyboard", win2)
    s.keyboard_button.click()
    s.next.click()
    s.pin1.setText("9173")
    s.pin2.setText("9173")
    shot("00b-setup-admin-pin", win2)
    s.next.click()
    state["source"] = ClipSource(clip["Entrada, treze e quarenta."], lead_seconds=0.1)
    s.mic.test.click()
    pump(lambda: s.mic.test.isEnabled())
    shot("00c-setup-mic-test", win2)
    s.skip_mic.setChecked(True)
    shot("00d-setup-mic-skipped", win2)
    s.next.click()
    shot("00e-setup-first-employee", win2)
    win2.shutdown()


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)  # skip interpreter teardown of Qt objects (a PySide6 shutdown-order abort)
