"""Child process of test_speed.py: a kiosk exactly as `python -m app` starts it (it builds and
loads its own model; no model was ever loaded on this process's main thread), three punches
replayed in real time; prints one JSON line with the end-of-speech -> verdict latencies."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(clip: str) -> int:
    os.environ["PONTOVOZ_HOME"] = tempfile.mkdtemp(prefix="pv-speed-")
    from app.kiosk.recorder import ClipSource
    from tests.kiosk.child_kiosk import start_kiosk

    kiosk = start_kiosk()  # a fresh home: Maria is added
    win = kiosk.win
    kiosk.pump(lambda: win.model_state == "ready", 120.0)
    verdicts = []
    for _ in range(3):
        kiosk.punch_entry(ClipSource(Path(clip)), 120.0)
        verdicts.append(win.window.result.verdict.text())
        win.punch.accept()
    print(json.dumps({"latencies": win.punch.listener.metrics["latencies"], "verdicts": verdicts}))
    sys.stdout.flush()
    os._exit(0)  # skip Qt teardown


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
