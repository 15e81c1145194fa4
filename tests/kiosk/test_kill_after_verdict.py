"""The kiosk's word is the ledger's: a punch shown as "Validado" is already stored, so a kiosk
killed with SIGKILL the instant "Validado" is on the screen has that punch in its ledger
(docs/COMPLIANCE.md, "End-to-end check"). Real processes: each run is a real kiosk window
(tests/kiosk/kill_child.py: offscreen Qt, its own model, its own ledger) that punches with a
replayed clip and is killed right after the verdict, by itself inside the very handler that saw
the screen change, or by this process as soon as it reads the child's line. Before this was
fixed the verdict came ~1.5 s before the COMMIT and every run lost its last punch."""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.store.ledger import Ledger
from app.store.settings import LedgerSettings

ROOT = Path(__file__).resolve().parents[2]
RUNS = (("self", 2), ("parent", 2), ("self", 1))  # (who kills, punches in the run)


def run_child(home: Path, clip: Path, punches: int, mode: str) -> tuple[int, list[str]]:
    """Start the kiosk, read its lines, SIGKILL it after the last "Validado" when ``mode`` is
    parent; (return code, lines)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen",
           "PONTOVOZ_HOME": str(home)}  # fmt: skip
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.kiosk.kill_child", str(clip), str(punches), mode],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    lines: list[str] = []
    sel = selectors.DefaultSelector()
    assert proc.stdout is not None
    sel.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline:
            if not sel.select(timeout=1.0):
                if proc.poll() is not None:
                    break
                continue
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line.strip())
            if mode == "parent" and line.strip() == f"SHOWN {punches}":
                os.kill(proc.pid, signal.SIGKILL)
                break
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        sel.close()
    lines += proc.stdout.read().split()
    if proc.returncode != -signal.SIGKILL:
        pytest.fail(f"child ended {proc.returncode}: {lines}\n{proc.stderr.read()[-3000:]}")
    return proc.returncode, lines


def test_every_punch_shown_as_validado_survives_kill_9(tmp_path, make_clip):
    clip = make_clip("Entrada, treze e quarenta.")
    for i, (mode, punches) in enumerate(RUNS):
        home = tmp_path / f"kiosk-{i}"
        _code, lines = run_child(home, clip, punches, mode)
        shown = [x for x in lines if x.startswith("SHOWN")]
        assert len(shown) == punches, (mode, lines)  # the verdicts really were on the screen
        settings = LedgerSettings.load(home / "config" / "settings.json")
        with Ledger.open(ledger_path(home), settings) as ledger:
            assert ledger.verify_chain().ok
            stored = ledger.punches()
        validated = [p for p in stored if p.validated]
        assert len(validated) == punches, (
            f"run {i} ({mode}): {punches} shown as Validado, {len(validated)} in the ledger"
        )
        assert all(p.expected == "ENTRADA 13 40" and not p.flagged for p in validated)
        assert len(stored) == punches  # nothing else recorded either


def ledger_path(home: Path) -> Path:
    """Where the child's kiosk opened its ledger (``Ledger.open()`` under PONTOVOZ_HOME)."""
    path = home / "data" / "ledger.sqlite3"
    assert path.is_file(), sorted(home.rglob("*"))
    return path
