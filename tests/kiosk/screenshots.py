"""Screenshots of every kiosk screen, and the kiosk's measured figures.

    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python -m tests.kiosk.screenshots [--measure]

Drives the real window (real model, real SQLite ledger in a temporary PONTOVOZ_HOME, real
speech replayed through the recorder) on an X server, saves PNGs to docs/screenshots/, and with
--measure prints: window shown after launch, ready to verify, end of speech -> verdict on
screen (p50), RSS after 100 punches.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

T0 = time.perf_counter()
ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "screenshots"
CACHE = Path(os.environ.get("PONTOVOZ_TEST_AUDIO", ROOT / "tests" / ".audio-cache"))


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
        from app.core.model import assemble_embedded

        os.environ.pop("PONTOVOZ_HOME")
        os.environ["PONTOVOZ_MODEL_PATH"] = str(assemble_embedded(paths.cache_dir()))
        os.environ["PONTOVOZ_HOME"] = str(home)

    import psutil
    from PySide6.QtWidgets import QApplication

    from app.kiosk.ledger import Employee
    from app.kiosk.recorder import ClipSource
    from app.kiosk.settings import SettingsStore
    from app.kiosk.window import KioskWindow
    from app.lab import corpus
    from tests.kiosk.conftest import CPF, EMPLOYEE_PIN, NOW, FakeClock, configured_settings

    app = QApplication.instance() or QApplication(sys.argv[:1])
    clip = {t: corpus.cached_clip(CACHE, t) for t in (
        "Entrada, treze e quarenta.", "Entrada, treze e cinquenta.",
        "Intervalo, treze e quarenta.")}  # fmt: skip
    store = SettingsStore()
    settings = configured_settings()
    settings.kiosk.idle_return_seconds = 60
    if not args.measure:  # show the sync queue on idle (an endpoint that is down: it grows)
        settings.sync.enabled = True
        settings.sync.endpoint = "http://127.0.0.1:9/verify"
    store.save(settings)
    clock = FakeClock(NOW)
    state = {"source": None}
    win = KioskWindow(store=store, source_factory=lambda k: state["source"], clock=clock)
    win.resize(1280, 800)
    win.show()
    app.processEvents()
    shown = time.perf_counter() - T0
    win.start()
    app.processEvents()
    win.employees.save_employee(Employee(id=0, name="Maria da Silva", cpf=CPF), EMPLOYEE_PIN)

    def pump(cond, timeout=60.0):
        end = time.monotonic() + timeout
        while not cond():
            app.processEvents()
            time.sleep(0.005)
            if time.monotonic() > end:
                raise TimeoutError("screen did not change")

    def shot(name: str) -> None:
        for _ in range(5):
            app.processEvents()
        OUT.mkdir(parents=True, exist_ok=True)
        win.grab().save(str(OUT / f"{name}.png"))

    def pin(p=EMPLOYEE_PIN):
        for d in p:
            win.pin.keys[d].click()
        win.pin.keys["OK"].click()

    def punch(text, kind="ENTRADA", realtime=True, on_listen=None):
        win.go_idle()
        win.on_touch()
        pin()
        win.types.buttons[kind].click()
        state["source"] = ClipSource(clip[text], realtime=realtime)
        if on_listen:
            win.recorder.level.connect(on_listen)
        win.challenge.record.click()
        pump(lambda: win.stack.currentWidget() is not win.challenge)
        if on_listen:
            win.recorder.level.disconnect(on_listen)

    if not args.measure:
        shot("01-idle-preparing")
    pump(lambda: win.model_state == "ready")
    ready = time.perf_counter() - T0
    if not args.measure:
        shot("02-idle")
        win.on_touch()
        for d in "24":
            win.pin.keys[d].click()
        shot("03-pin")
        win.pin.keys["Limpar"].click()
        pin("9999")
        shot("04-pin-unknown")
        pin()
        shot("05-type")
        win.types.buttons["ENTRADA"].click()
        shot("06-challenge")
        grabbed = []

        def on_level(v):
            if v > 0.35 and not grabbed:
                grabbed.append(v)
                shot("07-challenge-listening")

        state["source"] = ClipSource(clip["Entrada, treze e quarenta."])
        win.recorder.level.connect(on_level)
        win.challenge.record.click()
        pump(lambda: win.stack.currentWidget() is not win.challenge)
        win.recorder.level.disconnect(on_level)
        shot("08-validated")
        win.continue_timer.stop()
        win.on_accept()
        shot("09-receipt")
        punch("Entrada, treze e cinquenta.", "INTERVALO")
        shot("10-not-validated")
        win.on_record_failed(
            "O microfone parou de responder (desconectado ou em uso por outro programa)."
        )
        shot("11-error-microphone")
        win.go_idle()
        from app.kiosk import sync

        sync.refresh(win)
        shot("15-idle-sync-pending")
        win.on_admin()
        pin("8642")
        shot("12-settings")
        win.settings_screen.tabs.setCurrentIndex(2)
        win.settings_screen.cpu_threads.setText("muitas")
        win.settings_screen.save_requested.emit(win.settings_screen.values())
        shot("13-settings-bad-value")
        win.settings_screen.tabs.setCurrentIndex(5)
        shot("14-settings-employees")
        fresh = tempfile.mkdtemp(prefix="pv-setup-")
        win2 = KioskWindow(
            store=SettingsStore(Path(fresh) / "settings.json"), verifier=win.verifier,
            source_factory=lambda k: state["source"], clock=clock,
            device_lister=lambda: ["pulse", "default"],
        )  # fmt: skip
        win2.resize(1280, 800)
        win2.ledger, win2.employees = win.ledger, win.employees
        win2.show()
        win2.start()
        win2.setup.company.setText("Padaria Pão Quente Ltda")
        app.processEvents()
        win2.grab().save(str(OUT / "00-setup.png"))
        win2.setup.step_submitted.emit(0, {"company": "Padaria Pão Quente", "kiosk_id": "L1"})
        win2.setup.step_submitted.emit(1, {"pin1": "9173", "pin2": "9173"})
        state["source"] = ClipSource(clip["Entrada, treze e quarenta."], lead_seconds=0.1)
        win2.setup.mic.test.click()
        pump(lambda: win2.setup.mic.test.isEnabled())
        app.processEvents()
        win2.grab().save(str(OUT / "00-setup-mic-test.png"))
        win2.shutdown()
        print(f"screenshots in {OUT}")
    else:
        proc = psutil.Process()
        latencies = []
        for i in range(10):  # real-time replay: end of speech is a wall-clock moment
            clock.now = datetime(2026, 3, 10, 13, 40, 5)
            punch("Entrada, treze e quarenta.")
            assert "Validado" in win.result.verdict.text(), win.result.heard.text()
            win.continue_timer.stop()
            win.on_accept()
            latencies.append(i)
        lat = list(win.metrics["latencies"])
        paths = dict(win.metrics["paths"])
        print(f"shown {shown:.3f}s ready {ready:.3f}s end-of-speech->verdict p50 "
              f"{statistics.median(lat):.3f}s {[round(x, 3) for x in lat]} paths {paths}",
              flush=True)  # fmt: skip
        rss = {}
        for i in range(args.punches):
            punch("Entrada, treze e quarenta.", realtime=False)
            win.continue_timer.stop()
            win.on_accept()
            if (i + 1) % 10 == 0:
                rss[i + 1] = proc.memory_info().rss / 2**20
                print(f"punches {i + 1}: RSS {rss[i + 1]:.0f} MB", flush=True)
        figures = {
            "window_shown_s": round(shown, 3),
            "ready_to_verify_s": round(ready, 3),
            "model_load_s": round(win.metrics["load_seconds"], 3),
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


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)  # skip interpreter teardown of Qt objects (a PySide6 shutdown-order abort)
