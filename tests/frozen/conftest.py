"""The frozen bundle, built once per test session (or taken from PONTOVOZ_BUNDLE)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD_SCRIPT = ROOT / "build" / "build-kiosk.sh"
DEFAULT_BUNDLE = ROOT / "build" / "dist" / "PontoVoz"
BUILD_TIMEOUT_S = 420


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "packaging: builds the PyInstaller bundle and runs it (minutes; CI runs it)"
    )


def bundle_program(bundle: Path) -> Path:
    return bundle / ("PontoVoz-cli.exe" if sys.platform == "win32" else "PontoVoz")


@pytest.fixture(scope="session")
def bundle() -> Path:
    """Build with build/build-kiosk.sh, unless PONTOVOZ_BUNDLE names an already built folder
    (a CI step that built it just before, or a developer iterating on the tests)."""
    given = os.environ.get("PONTOVOZ_BUNDLE")
    if given:
        folder = Path(given)
        if not bundle_program(folder).is_file():
            pytest.fail(f"PONTOVOZ_BUNDLE={given} holds no PontoVoz program")
        return folder
    if not sys.platform.startswith("linux"):
        pytest.skip("the build script is Linux-only; on Windows build kiosk.spec by hand")
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        pytest.fail("PyInstaller missing: pip install -e '.[dev]'")
    start = time.monotonic()
    proc = subprocess.run(
        [str(BUILD_SCRIPT)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_S,
        env={**os.environ, "PYTHON": sys.executable},
    )
    if proc.returncode != 0:
        pytest.fail(
            f"build failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}"
        )
    print(f"\nbundle built in {time.monotonic() - start:.0f} s")
    return DEFAULT_BUNDLE
