"""`PontoVoz --self-test`: prove an installed (frozen) kiosk works, offline, in a few seconds.

Steps: load the Whisper model, verify a bundled clip of the right phrase (must be validated) and
one of another phrase (must not be), open a fresh SQLite ledger in a temp dir and record a punch
in it, and load PortAudio. Prints one JSON report on stdout; the exit code is 0 only when every
step passed. Nothing is written outside a temp dir (the ledger) and nothing inside the bundle.

    python -m app.kiosk.selftest        # from a checkout
    PontoVoz --self-test          # from the bundle (build/entry.py)
"""

from __future__ import annotations

import json
import platform
import sqlite3
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

from app import __version__, paths

EXPECTED = "ENTRADA 13 40"
POSITIVE_CLIP = "pos.wav"  # RHVoice Leticia: "Entrada, 13 e 40."
NEGATIVE_CLIP = "neg.wav"  # RHVoice Leticia: "Saída, 9 e 15."


class StepFailed(Exception):
    """A check ran but its outcome was wrong."""


def _step(report: list[dict[str, Any]], name: str, fn: Callable[[], dict[str, Any]]) -> bool:
    start = time.perf_counter()
    entry: dict[str, Any] = {"step": name}
    try:
        entry.update(fn())
        entry["ok"] = True
    except Exception as exc:
        entry["ok"] = False
        entry["error"] = f"{type(exc).__name__}: {exc}"
        if not isinstance(exc, StepFailed):
            entry["traceback"] = traceback.format_exc(limit=6)
    entry["seconds"] = round(time.perf_counter() - start, 3)
    report.append(entry)
    return entry["ok"]


def _model_step(state: dict[str, Any]) -> dict[str, Any]:
    from app.core.config import EngineOptions
    from app.core.model import bundled_model_dir
    from app.core.verifier import Verifier

    # Default options on purpose: the self-test checks the bundle, not a site's settings file.
    verifier = Verifier(EngineOptions())
    seconds = verifier.load()
    state["verifier"] = verifier
    bundled = bundled_model_dir()
    return {
        "model": str(bundled) if bundled else "embedded (per-user cache; not frozen)",
        "load_seconds": round(float(seconds or 0.0), 3),
    }


def _clip_step(state: dict[str, Any], clip: str, want: bool) -> dict[str, Any]:
    verifier = state.get("verifier")
    if verifier is None:
        raise StepFailed("the model did not load")
    path = paths.resources_dir() / "selftest" / clip
    if not path.is_file():
        raise StepFailed(f"bundled clip missing: {path}")
    result = verifier.verify(path, EXPECTED)
    info = {
        "clip": clip,
        "expected": EXPECTED,
        "validated": result.validated,
        "spoken_text": result.spoken_text,
        "reason": result.reason,
        "method": result.method,
    }
    if result.validated is not want:
        raise StepFailed(
            f"{clip} against {EXPECTED!r}: validated={result.validated}, wanted {want} "
            f"(heard {result.spoken_text!r}, {result.reason})"
        )
    return info


def _ledger_step(state: dict[str, Any]) -> dict[str, Any]:
    from app.store.ledger import Ledger
    from app.store.models import PunchDraft
    from app.store.settings import LedgerSettings

    path = Path(state["tmp"]) / "ledger" / "ledger.sqlite3"
    with Ledger.open(path, LedgerSettings()) as ledger:
        emp = ledger.add_employee("Teste Autoverificação", "52998224725", pin="9876")
        punch = ledger.record_punch(
            PunchDraft(emp.id, "ENTRADA", EXPECTED, transcript=" Entrada, 13 e 40.", validated=True)
        )
        chain = ledger.verify_chain()
    with closing(sqlite3.connect(path)) as conn:  # WAL is a property of the file: it persists
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    if not chain.ok:
        raise StepFailed(f"hash chain check failed: {chain}")
    if str(mode).lower() != "wal":
        raise StepFailed(f"journal mode is {mode}, wanted wal")
    return {"path": "temp dir", "journal_mode": mode, "nsr": punch.nsr}


def _audio_step(state: dict[str, Any]) -> dict[str, Any]:
    import sounddevice as sd  # loads the PortAudio shared library

    info: dict[str, Any] = {"portaudio": sd.get_portaudio_version()[1]}
    try:  # no sound server in a bare container is fine: the library itself loaded
        info["input_devices"] = sum(1 for d in sd.query_devices() if d["max_input_channels"] > 0)
    except Exception as exc:
        info["input_devices"] = f"unavailable ({exc})"
    return info


def run() -> tuple[int, dict[str, Any]]:
    """Run every step; return (exit code, report)."""
    started = time.perf_counter()
    steps: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="pontovoz-selftest-") as tmp:
        state: dict[str, Any] = {"tmp": tmp}
        _step(steps, "model", lambda: _model_step(state))
        _step(steps, "positive_clip", lambda: _clip_step(state, POSITIVE_CLIP, True))
        _step(steps, "negative_clip", lambda: _clip_step(state, NEGATIVE_CLIP, False))
        _step(steps, "ledger", lambda: _ledger_step(state))
        _step(steps, "audio_library", lambda: _audio_step(state))
        state.clear()
    ok = all(s["ok"] for s in steps)
    report = {
        "pontovoz": __version__,
        "frozen": bool(getattr(sys, "frozen", False)),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "ok": ok,
        "seconds": round(time.perf_counter() - started, 3),
        "steps": steps,
    }
    return (0 if ok else 1), report


def main() -> int:
    code, report = run()
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return code


if __name__ == "__main__":
    raise SystemExit(main())
