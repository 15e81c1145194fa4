"""The kiosk as it really starts: it builds and loads its own model on a background thread.
Loaded on a thread that then ended and used on another, every verify took 11-35 s instead of
~0.5 s (CTranslate2's per-thread state leaves with the loading thread); the other kiosk tests
never saw it because their session loads a model on the main thread first. So this runs in a
fresh process (tests/kiosk/speed_child.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_kiosk_that_loads_its_own_model_answers_in_about_a_second(make_clip):
    clip = make_clip("Entrada, treze e quarenta.")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run(
        [sys.executable, "-m", "tests.kiosk.speed_child", str(clip)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert all("Validado" in v for v in report["verdicts"]), report
    # broken: 11-35 s each; here ~0.3-0.5 s on a quiet machine, loose for a shared CI box
    assert max(report["latencies"]) < 4.0, report
