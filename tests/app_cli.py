"""``python -m app ARGS`` as a child process, the way a person runs the command line: from the
repository root, this checkout on PYTHONPATH, output captured as text."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_app(
    *args: str, home: Path | None = None, timeout: float = 120, **env: str
) -> subprocess.CompletedProcess[str]:
    """``env`` is added to this process's environment; ``home`` becomes PONTOVOZ_HOME."""
    full = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    if home is not None:
        full["PONTOVOZ_HOME"] = str(home)
    return subprocess.run([sys.executable, "-m", "app", *args], env=full, cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)  # fmt: skip
