"""IT's command lines, run as a person would: global options before any command, docs/INSTALL.md's
troubleshooting lines as written (``PontoVoz`` is build/entry.py, what the bundle runs), and the
kiosk window on a bare X server (no window manager) at 1366x768."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENTRY = [sys.executable, str(ROOT / "build" / "entry.py")]


def env_for(home: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ, PONTOVOZ_HOME=str(home), PYTHONPATH=str(ROOT))
    env.update(extra)
    return env


def app(*args: str, home: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app", *args], cwd=ROOT, env=env_for(home),
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def test_global_options_before_any_command(tmp_path):
    done = app("-v", "ledger", "verify", home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "cadeia íntegra" in done.stdout
    for args in (("--version",), ("-v", "--version")):
        done = app(*args, home=tmp_path)
        assert done.returncode == 0 and done.stdout.startswith("PontoVoz "), (args, done.stderr)
    done = app("--help", home=tmp_path)
    assert done.returncode == 0 and "COMANDO" in done.stdout
    done = app("-v", "--janela", home=tmp_path)  # a kiosk option that does not exist
    assert done.returncode == 2 and "argumentos não reconhecidos: --janela" in done.stderr


def troubleshooting_commands() -> list[str]:
    text = (ROOT / "docs" / "INSTALL.md").read_text(encoding="utf-8")
    section = text.split("## Troubleshooting", 1)[1].split("\n## ", 1)[0]
    return [c for c in re.findall(r"`([^`]+)`", section) if re.search(r"\bPontoVoz\b", c)]


def test_install_guide_troubleshooting_lines_as_written(tmp_path):
    commands = troubleshooting_commands()
    assert "PontoVoz -v kiosk --windowed" in commands, commands
    for command in commands:
        words = shlex.split(command)
        env = env_for(tmp_path, QT_QPA_PLATFORM="offscreen", PONTOVOZ_STARTUP_PROBE="1",
                      PONTOVOZ_PROBE_QUIT_S="0.5")  # fmt: skip
        while "=" in words[0]:  # VAR=value before the program, as a shell takes it
            key, value = words.pop(0).split("=", 1)
            env[key] = value
        assert words[0] == "PontoVoz", command
        done = subprocess.run([*ENTRY, *words[1:]], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=180)  # fmt: skip
        assert done.returncode == 0, (command, done.stderr[-2000:])
        assert "PONTOVOZ-PROBE window-shown" in done.stderr, command
        assert "erro" not in done.stderr.lower().split("pontovoz-probe")[0], command


@pytest.fixture()
def bare_x(tmp_path):
    """Xvfb at 1366x768 with no window manager at all."""
    if not shutil.which("Xvfb") or not shutil.which("xwininfo"):
        pytest.fail("Xvfb and xwininfo are needed: apt-get install xvfb x11-utils")
    read, write = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1366x768x24",
                               "-nolisten", "tcp"], pass_fds=(write,),
                              stderr=subprocess.DEVNULL)  # fmt: skip
    os.close(write)
    with os.fdopen(read) as f:
        display = ":" + f.readline().strip()
    yield display
    server.terminate()
    server.wait(10)


def window_geometry(display: str) -> tuple[int, int, int, int] | None:
    tree = subprocess.run(["xwininfo", "-root", "-tree", "-display", display],
                          capture_output=True, text=True).stdout  # fmt: skip
    found = []  # Qt also makes a 1x1 client-leader window with the same name
    for line in tree.splitlines():
        m = re.search(r'"PontoVoz".*?(\d+)x(\d+)\+(-?\d+)\+(-?\d+)', line)
        if m:
            w, h, x, y = (int(v) for v in m.groups())
            found.append((x, y, w, h))
    return max(found, key=lambda g: g[2] * g[3], default=None)


def launched_geometry(display: str, home: Path, *args: str) -> tuple[int, int, int, int]:
    env = env_for(home, DISPLAY=display, QT_QPA_PLATFORM="xcb", PONTOVOZ_STARTUP_PROBE="1",
                  PONTOVOZ_PROBE_QUIT_S="2")  # fmt: skip
    kiosk = subprocess.Popen([*ENTRY, *args], cwd=ROOT, env=env, stderr=subprocess.PIPE,
                             stdout=subprocess.DEVNULL, text=True)  # fmt: skip
    assert kiosk.stderr is not None
    for line in kiosk.stderr:
        if "window-shown" in line:
            break
    time.sleep(0.5)  # the window settles where it was put
    geometry = window_geometry(display)
    kiosk.stderr.read()
    assert kiosk.wait(120) == 0
    assert geometry is not None
    return geometry


def test_windowed_fits_and_full_screen_fills_on_a_bare_x_server(bare_x, tmp_path):
    x, y, w, h = launched_geometry(bare_x, tmp_path, "--windowed")
    assert x >= 0 and y >= 0 and x + w <= 1366 and y + h <= 768, (x, y, w, h)
    assert w >= 1024 and h >= 640, (w, h)  # still the kiosk's size, not a corner
    assert launched_geometry(bare_x, tmp_path) == (0, 0, 1366, 768)  # full screen, no WM
